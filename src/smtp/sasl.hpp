#pragma once
// Server side of the SASL exchange of AUTH (RFC 4954 §4) for PLAIN (RFC 4616) and LOGIN
// (draft-murchison-sasl-login). It turns the AUTH argument and the client's response lines
// into either a challenge to send (334), the credentials to check, or a refusal.
//
// The credentials are secrets: this file never logs, and Credentials has no printer. The
// caller must not log AUTH lines either (smtp-checklist "Secrets and logs").

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "smtp/reply.hpp"

namespace postern::smtp {

// Longest AUTH line taken, CRLF included: a response line after 334, or an AUTH command with
// its initial response (RFC 4954 §4: "12288 octets is considered to be a sufficient line
// length limit for handling of deployed authentication mechanisms").
inline constexpr std::size_t kMaxSaslLine = 12288;

// Longest PLAIN or LOGIN field (authzid, username, password). RFC 4616 §2 asks for at least
// 255 octets; 4096 is the longest password the configuration takes, so every configured
// password can log in.
inline constexpr std::size_t kMaxSaslField = 4096;

struct SaslChallenge {
  std::string text;  // base64 challenge for "334 <text>" ("" for PLAIN's empty challenge)
};

struct SaslCredentials {
  std::string mechanism;  // "PLAIN" or "LOGIN"
  std::string authzid;    // PLAIN authorization identity; empty if none
  std::string username;
  std::string password;
};

// Next step of an exchange: a challenge to send, credentials to check, or a refusal reply.
using SaslStep = std::variant<SaslChallenge, SaslCredentials, Reply>;

class SaslServer {
 public:
  // Starts an exchange from the argument of AUTH ("PLAIN", "PLAIN <base64>", "PLAIN =",
  // "LOGIN", "LOGIN <base64 username>"). The mechanism name is case-insensitive.
  [[nodiscard]] SaslStep start(std::string_view auth_argument);

  // One client response line (without CRLF) after a challenge. "*" cancels (501 5.0.0).
  // REQUIRES: the previous step was a SaslChallenge.
  [[nodiscard]] SaslStep respond(std::string_view line);

 private:
  enum class Stage { idle, plain, login_username, login_password };

  SaslStep on_plain(std::string_view decoded);
  SaslStep on_login_username(std::string_view decoded);

  Stage stage_ = Stage::idle;
  std::string username_;  // LOGIN: kept between the two challenges
};

// Decodes a PLAIN message ([authzid] NUL authcid NUL passwd, RFC 4616 §2): each part UTF-8
// without NUL, authcid and passwd non-empty, each at most 255 octets.
[[nodiscard]] std::optional<SaslCredentials> decode_plain(std::string_view message);

}  // namespace postern::smtp
