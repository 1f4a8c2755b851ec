#pragma once
// Client side of AUTH (RFC 4954): choosing a mechanism and spelling its responses. Every
// string these functions return is a credential: it goes to the wire and nowhere else.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace postern::smtp {

enum class ClientMechanism {
  plain,    // RFC 4616, sent as the initial response
  login,    // draft-murchison-sasl-login: username and password after two 334 challenges
  xoauth2,  // Google / Microsoft: a bearer token, sent as the initial response
};

// The first name in `wanted` (case-insensitive) that this client implements and `offered`
// (upper-cased, as ServerCapabilities holds them) lists; nullopt if none.
[[nodiscard]] std::optional<ClientMechanism> choose_mechanism(std::span<const std::string> wanted,
                                                              std::span<const std::string> offered);

[[nodiscard]] std::string_view mechanism_name(ClientMechanism mechanism);

// base64(NUL username NUL password): no authorization identity (RFC 4616 §2).
[[nodiscard]] std::string plain_response(std::string_view username, std::string_view password);

// base64("user=" username "\x01auth=Bearer " token "\x01\x01").
[[nodiscard]] std::string xoauth2_response(std::string_view username, std::string_view token);

}  // namespace postern::smtp
