#include "mime/dsn_fields.hpp"

#include <cstdio>
#include <vector>

#include "mime/header_block.hpp"

namespace postern::mime::dsn_detail {
namespace {

constexpr std::size_t kFoldAt = 78;    // RFC 5322 §2.1.1 SHOULD
constexpr std::size_t kMaxLine = 998;  // RFC 5322 §2.1.1 MUST, without CRLF
constexpr std::size_t kMaxWord = 900;  // longer words are cut so a line stays under kMaxLine

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Decodes one UTF-8 sequence at `i`; invalid input yields U+FFFD and consumes one octet.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  int extra = -1;
  if (b0 >= 0xC2 && b0 <= 0xDF) extra = 1;
  if (b0 >= 0xE0 && b0 <= 0xEF) extra = 2;
  if (b0 >= 0xF0 && b0 <= 0xF4) extra = 3;
  if (extra < 0 || i + static_cast<std::size_t>(extra) >= s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = b0 & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  // Overlong forms and surrogates are invalid.
  const bool overlong = (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000);
  if (overlong || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
    ++i;
    return 0xFFFD;
  }
  i += static_cast<std::size_t>(extra) + 1;
  return cp;
}

std::vector<std::string_view> words_of(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(start, end - start);
    while (word.size() > kMaxWord) {
      words.push_back(word.substr(0, kMaxWord));
      word.remove_prefix(kMaxWord);
    }
    if (!word.empty()) words.push_back(word);
    start = end + 1;
  }
  return words;
}

}  // namespace

bool is_ascii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::string address_field_value(std::string_view address) {
  bool plain = true;
  for (char c : address) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) plain = false;
  }
  if (plain) return "rfc822; " + std::string(address);
  std::string out = "utf-8; ";
  for (std::size_t i = 0; i < address.size();) {
    const char c = address[i];
    const auto u = static_cast<unsigned char>(c);
    // QCHAR (RFC 6533 §3): %x21-2a / %x2c-3c / %x3e-5b / %x5d-7e.
    if (u >= 0x21 && u <= 0x7E && c != '+' && c != '=' && c != '\\') {
      out += c;
      ++i;
      continue;
    }
    const char32_t cp = u < 0x80 ? (++i, static_cast<char32_t>(u)) : next_code_point(address, i);
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\x{%X}", static_cast<unsigned>(cp));
    out += buf;
  }
  return out;
}

std::string printable_ascii(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n' || c == '\t') {
      out += ' ';
    } else if (c == '\r') {
      continue;
    } else {
      out += (u >= 0x20 && u < 0x7F) ? c : '?';
    }
  }
  return out;
}

std::string folded_field(std::string_view name, std::string_view value) {
  std::string out(name);
  out += ':';
  std::size_t line = out.size();
  bool first = true;
  for (std::string_view word : words_of(value)) {
    if (!first && line + 1 + word.size() > kFoldAt) {
      out += "\r\n";
      line = 0;
    }
    out += ' ';
    out += word;
    line += 1 + word.size();
    first = false;
  }
  return out + "\r\n";
}

std::string header_section(std::string_view message) {
  const HeaderBlock block = scan_header_block(message);
  if (block.fields.empty()) return {};
  const std::string_view raw = message.substr(0, block.insert_at);
  std::string out;
  std::size_t start = 0;
  while (start < raw.size()) {
    std::size_t end = raw.find('\n', start);
    if (end == std::string_view::npos) end = raw.size();
    std::string_view line = raw.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.append(line.substr(0, kMaxLine));
    out += "\r\n";
    start = end + 1;
  }
  return out;
}

std::string_view leading_enhanced_code(std::string_view text) {
  // RFC 3463 §2: class "." subject "." detail; class 2, 4 or 5; subject and detail 1-3 digits.
  if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') {
    return {};
  }
  std::size_t i = 2;
  for (int part = 0; part < 2; ++part) {
    const std::size_t begin = i;
    while (i < text.size() && is_digit(text[i]) && i - begin < 4) ++i;
    if (i == begin || i - begin > 3) return {};
    if (part == 0) {
      if (i >= text.size() || text[i] != '.') return {};
      ++i;
    }
  }
  if (i < text.size() && text[i] != ' ' && text[i] != '\n' && text[i] != '\t') return {};
  return text.substr(0, i);
}

}  // namespace postern::mime::dsn_detail
