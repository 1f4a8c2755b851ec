#include "smtp/sasl.hpp"

#include <cstdlib>
#include <utility>

#include "core/base64.hpp"
#include "smtp/replies.hpp"
#include "smtp/text.hpp"

namespace postern::smtp {
namespace {

constexpr std::string_view kUsernameChallenge = "VXNlcm5hbWU6";  // base64("Username:")
constexpr std::string_view kPasswordChallenge = "UGFzc3dvcmQ6";  // base64("Password:")

bool valid_part(std::string_view part, bool may_be_empty) {
  return (may_be_empty || !part.empty()) && part.size() <= kMaxSaslField &&
         part.find('\0') == std::string_view::npos && is_valid_utf8(part);
}

}  // namespace

std::optional<SaslCredentials> decode_plain(std::string_view message) {
  const std::size_t first = message.find('\0');
  if (first == std::string_view::npos) return std::nullopt;
  const std::size_t second = message.find('\0', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const std::string_view authzid = message.substr(0, first);
  const std::string_view authcid = message.substr(first + 1, second - first - 1);
  const std::string_view passwd = message.substr(second + 1);
  if (!valid_part(authzid, true) || !valid_part(authcid, false) || !valid_part(passwd, false)) {
    return std::nullopt;
  }
  return SaslCredentials{"PLAIN", std::string(authzid), std::string(authcid), std::string(passwd)};
}

SaslStep SaslServer::start(std::string_view argument) {
  const std::size_t sp = argument.find(' ');
  const std::string_view mechanism = argument.substr(0, sp);
  std::optional<std::string_view> initial;
  if (sp != std::string_view::npos) initial = argument.substr(sp + 1);
  if (mechanism.empty() ||
      (initial && (initial->empty() || initial->find(' ') != std::string_view::npos))) {
    return replies::auth_syntax();
  }
  if (equals_ignore_case(mechanism, "PLAIN")) {
    stage_ = Stage::plain;
  } else if (equals_ignore_case(mechanism, "LOGIN")) {
    stage_ = Stage::login_username;
  } else {
    return replies::auth_unknown_mechanism();
  }
  if (!initial) {
    return SaslChallenge{stage_ == Stage::plain ? "" : std::string(kUsernameChallenge)};
  }
  // "=" is a zero-length initial response (RFC 4954 §4).
  if (*initial == "=") return stage_ == Stage::plain ? on_plain("") : on_login_username("");
  auto decoded = core::base64_decode(*initial);
  if (!decoded) return replies::auth_bad_base64();
  return stage_ == Stage::plain ? on_plain(*decoded) : on_login_username(*decoded);
}

SaslStep SaslServer::respond(std::string_view line) {
  if (stage_ == Stage::idle) std::abort();  // REQUIRES: a challenge is outstanding
  const Stage stage = stage_;
  stage_ = Stage::idle;
  if (line == "*") return replies::auth_cancelled();
  auto decoded = core::base64_decode(line);
  if (!decoded) return replies::auth_bad_base64();
  switch (stage) {
    case Stage::plain:
      return on_plain(*decoded);
    case Stage::login_username:
      return on_login_username(*decoded);
    case Stage::login_password:
      break;
    case Stage::idle:
      std::abort();
  }
  if (!valid_part(*decoded, false)) return replies::auth_malformed();
  SaslCredentials credentials{"LOGIN", "", std::move(username_), std::move(*decoded)};
  username_.clear();
  return credentials;
}

SaslStep SaslServer::on_plain(std::string_view decoded) {
  stage_ = Stage::idle;
  std::optional<SaslCredentials> credentials = decode_plain(decoded);
  if (!credentials) return replies::auth_malformed();
  return std::move(*credentials);
}

SaslStep SaslServer::on_login_username(std::string_view decoded) {
  if (!valid_part(decoded, false)) {
    stage_ = Stage::idle;
    return replies::auth_malformed();
  }
  username_ = std::string(decoded);
  stage_ = Stage::login_password;
  return SaslChallenge{std::string(kPasswordChallenge)};
}

}  // namespace postern::smtp
