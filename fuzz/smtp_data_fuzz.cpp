// DATA body decoder. Input: [flags byte][chunk byte] then body bytes.
// Invariants: chunked feeding equals whole feeding; the consumed bytes end in <CRLF>.<CRLF>
// (or are ".\r\n" at the very start); an accepted message has canonical CRLF lines within the
// limits; re-stuffing an accepted message and decoding it again gives the same content; and
// any clean text, stuffed, decodes back to itself. The delivery side's encoder
// (append_data_body, canonical_size) agrees: any input without NUL, encoded, decodes to its
// canonical form (bare CR or LF as CRLF, a final CRLF added), of exactly canonical_size octets.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "smtp/data_decoder.hpp"
#include "smtp/dot_stuffing.hpp"

namespace {

using postern::smtp::BareLinePolicy;
using postern::smtp::DataDecoder;
using postern::smtp::DataLimits;

struct Decoded {
  std::size_t consumed = 0;
  bool done = false;
  DataDecoder::Verdict verdict = DataDecoder::Verdict::ok;
  std::string content;
  bool operator==(const Decoded&) const = default;
};

Decoded decode(std::string_view input, const DataLimits& limits, std::size_t chunk) {
  DataDecoder decoder(limits);
  Decoded out;
  for (std::size_t pos = 0; pos < input.size() && !decoder.done(); pos += chunk) {
    const std::string_view piece = input.substr(pos, chunk);
    const std::size_t used = decoder.feed(piece);
    FUZZ_CHECK(used <= piece.size());
    FUZZ_CHECK(used == piece.size() || decoder.done());
    out.consumed += used;
  }
  out.done = decoder.done();
  if (out.done) {
    out.verdict = decoder.verdict();
    out.content = decoder.take_content();
  }
  return out;
}

// Dot-stuffing (RFC 5321 §4.5.2) plus the end marker: what a client sends.
std::string stuff(std::string_view content) {
  std::string out;
  bool line_start = true;
  for (char c : content) {
    if (line_start && c == '.') out.push_back('.');
    out.push_back(c);
    line_start = c == '\n';
  }
  return out + ".\r\n";
}

void check_accepted(const Decoded& d, const DataLimits& limits) {
  FUZZ_CHECK(d.content.size() <= limits.max_message_size);
  FUZZ_CHECK(d.content.empty() || d.content.ends_with("\r\n"));
  std::size_t line = 0;
  for (std::size_t i = 0; i < d.content.size(); ++i) {
    const char c = d.content[i];
    FUZZ_CHECK(c != '\0');
    if (c == '\r') FUZZ_CHECK(i + 1 < d.content.size() && d.content[i + 1] == '\n');
    if (c == '\n') {
      FUZZ_CHECK(i > 0 && d.content[i - 1] == '\r');
      FUZZ_CHECK(line + 1 <= limits.max_text_line);  // line counted "xxx\r" + "\n"
      line = 0;
    } else {
      ++line;
    }
  }
  const Decoded again = decode(stuff(d.content), limits, 1 << 20);
  FUZZ_CHECK(again.done && again.verdict == DataDecoder::Verdict::ok && again.content == d.content);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  DataLimits limits;
  limits.policy = (data[0] & 1) ? BareLinePolicy::normalize : BareLinePolicy::strict;
  limits.max_text_line = 3 + ((data[0] >> 1) & 15) * 8;
  limits.max_message_size = (data[0] >> 5) * 64;
  const std::size_t chunk = 1 + data[1] % 32;
  const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

  const Decoded whole = decode(input, limits, input.size() + 1);
  FUZZ_CHECK(decode(input, limits, chunk) == whole);
  if (whole.done) {
    const std::string_view used = input.substr(0, whole.consumed);
    FUZZ_CHECK(used == ".\r\n" || used.ends_with("\r\n.\r\n"));
    if (whole.verdict == DataDecoder::Verdict::ok) check_accepted(whole, limits);
  } else {
    FUZZ_CHECK(whole.consumed == input.size());
  }

  // Clean text (no CR, LF as line ends, no NUL), stuffed, must decode to itself.
  std::string clean;
  for (char c : input) {
    if (c == '\n') {
      clean += "\r\n";
    } else if (c != '\r' && c != '\0') {
      clean.push_back(c);
    }
  }
  if (!clean.empty() && !clean.ends_with("\r\n")) clean += "\r\n";
  DataLimits roomy{clean.size() + 3, clean.size(), BareLinePolicy::strict};
  const Decoded round = decode(stuff(clean), roomy, chunk);
  FUZZ_CHECK(round.done && round.verdict == DataDecoder::Verdict::ok && round.content == clean);

  // The encoder against the decoder, on the raw input (NUL is refused by both on purpose).
  if (input.find('\0') == std::string_view::npos) {
    std::string canonical;
    for (std::size_t i = 0; i < input.size(); ++i) {
      const char c = input[i];
      if (c == '\r' && i + 1 < input.size() && input[i + 1] == '\n') continue;  // CRLF: at \n
      canonical += (c == '\r' || c == '\n') ? std::string("\r\n") : std::string(1, c);
    }
    if (!canonical.empty() && !canonical.ends_with("\r\n")) canonical += "\r\n";
    FUZZ_CHECK(postern::smtp::canonical_size(input) == canonical.size());
    std::string encoded;
    postern::smtp::append_data_body(encoded, input);
    DataLimits wide{canonical.size() + 3, canonical.size(), BareLinePolicy::strict};
    const Decoded back = decode(encoded, wide, chunk);
    FUZZ_CHECK(back.done && back.consumed == encoded.size());
    FUZZ_CHECK(back.verdict == DataDecoder::Verdict::ok && back.content == canonical);
  }
  return 0;
}
