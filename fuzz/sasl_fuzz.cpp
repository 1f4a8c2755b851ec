// base64 (core) and the SASL server. Input: bytes; for SASL, lines split on '\n' (the first
// is the AUTH argument, the others the responses).
// Invariants: decode accepts only canonical base64 (encode(decode(x)) == x); encode round-
// trips; an exchange yields challenges until credentials or a 501/504 refusal; credentials
// hold a non-empty username and password of at most kMaxSaslField octets without NUL.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base64.hpp"
#include "fuzz_check.hpp"
#include "smtp/sasl.hpp"

using namespace postern;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto decoded = core::base64_decode(input);
  if (decoded.ok()) FUZZ_CHECK(core::base64_encode(*decoded) == input);
  auto round = core::base64_decode(core::base64_encode(input));
  FUZZ_CHECK(round.ok() && *round == input);

  smtp::SaslServer server;
  std::string_view rest = input;
  const auto next_line = [&rest] {
    const std::size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    return line;
  };
  smtp::SaslStep step = server.start(next_line());
  while (std::holds_alternative<smtp::SaslChallenge>(step) && !rest.empty())
    step = server.respond(next_line());
  if (const auto* credentials = std::get_if<smtp::SaslCredentials>(&step)) {
    for (const std::string* part : {&credentials->username, &credentials->password}) {
      FUZZ_CHECK(!part->empty() && part->size() <= smtp::kMaxSaslField &&
                 part->find('\0') == std::string::npos);
    }
  } else if (const auto* refusal = std::get_if<smtp::Reply>(&step)) {
    FUZZ_CHECK(refusal->code == 501 || refusal->code == 504);
  }
  return 0;
}
