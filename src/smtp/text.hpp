#pragma once
// ASCII and UTF-8 helpers for the SMTP grammars (locale-independent, unlike <cctype>).

#include <string_view>

namespace postern::smtp {

[[nodiscard]] constexpr bool is_alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
[[nodiscard]] constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
[[nodiscard]] constexpr bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
[[nodiscard]] constexpr bool is_non_ascii(char c) { return static_cast<unsigned char>(c) >= 0x80; }
[[nodiscard]] constexpr char to_upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
}

[[nodiscard]] bool equals_ignore_case(std::string_view a, std::string_view b);

// True if `s` is well-formed UTF-8 (RFC 3629 §4: no overlongs, no surrogates, <= U+10FFFF).
[[nodiscard]] bool is_valid_utf8(std::string_view s);

}  // namespace postern::smtp
