#pragma once
// ASCII and UTF-8 helpers for the SMTP grammars (locale-independent, unlike <cctype>).

#include <cstddef>
#include <cstdint>
#include <cstring>
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

namespace detail {
inline constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
inline constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
// Non-zero if some octet of `word` is zero. It may also flag octets above a zero one, never
// when there is none: a hit is confirmed octet by octet.
[[nodiscard]] constexpr std::uint64_t zero_octets(std::uint64_t word) {
  return (word - kOnes) & ~word & kHighs;
}
}  // namespace detail

// The position of the first CR or LF (or, with `stop_at_nul`, NUL) at or after `pos`, or
// s.size() if there is none. Eight octets per step (a word compared with CR, LF and NUL at
// once); DATA handling spends most of its time here. (std::string_view::find_first_of calls
// memchr once per scanned octet in libstdc++, which dominated profiles.)
[[nodiscard]] inline std::size_t find_line_break(std::string_view s, std::size_t pos,
                                                 bool stop_at_nul = false) {
  const char* data = s.data();
  const std::size_t size = s.size();
  std::size_t i = pos;
  for (; i + sizeof(std::uint64_t) <= size; i += sizeof(std::uint64_t)) {
    std::uint64_t word;
    std::memcpy(&word, data + i, sizeof word);
    const std::uint64_t hits = detail::zero_octets(word ^ (detail::kOnes * '\r')) |
                               detail::zero_octets(word ^ (detail::kOnes * '\n')) |
                               (stop_at_nul ? detail::zero_octets(word) : 0);
    if (hits != 0) break;
  }
  for (; i < size; ++i) {
    const char c = data[i];
    if (c == '\r' || c == '\n' || (stop_at_nul && c == '\0')) return i;
  }
  return size;
}

// True if `s` is well-formed UTF-8 (RFC 3629 §4: no overlongs, no surrogates, <= U+10FFFF).
[[nodiscard]] bool is_valid_utf8(std::string_view s);

}  // namespace postern::smtp
