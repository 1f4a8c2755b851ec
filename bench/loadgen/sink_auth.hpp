#pragma once
// Credential checks of the sink when it plays the provider (--sink-auth): SASL PLAIN
// (RFC 4616) and LOGIN responses, base64 as in RFC 4954 §4.

#include <optional>
#include <string>
#include <string_view>

namespace postern::loadgen {

// Standard base64 (RFC 4648 §4) with padding; nullopt for anything malformed.
[[nodiscard]] std::optional<std::string> decode_base64(std::string_view text);

// True when `response` (base64 of "authzid NUL authcid NUL passwd", RFC 4616 §2) names `user`
// with `password` and an empty or identical authzid.
[[nodiscard]] bool plain_matches(std::string_view response, std::string_view user,
                                 std::string_view password);

}  // namespace postern::loadgen
