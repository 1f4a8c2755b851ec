#pragma once
// Strict base64 (RFC 4648 §4): the standard alphabet, padding required, no whitespace, no
// characters outside the alphabet, and non-zero pad bits refused (§3.5), so every encoded
// value has exactly one accepted spelling. SASL (RFC 4954 §4) needs exactly this.

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace postern::core {

[[nodiscard]] std::string base64_encode(std::string_view bytes);

// Errc::malformed_input unless `text` is canonical base64. "" decodes to "".
[[nodiscard]] Result<std::string> base64_decode(std::string_view text);

}  // namespace postern::core
