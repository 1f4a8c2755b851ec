// Domain and address-literal syntax (RFC 5321 §4.1.2, §4.1.3).
#include <cstddef>
#include <string_view>

#include "smtp/address.hpp"
#include "smtp/path_parser.hpp"
#include "smtp/text.hpp"

namespace postern::smtp {
namespace {

bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Snum = 1*3DIGIT representing a decimal integer value in the range 0 through 255.
bool is_snum(std::string_view s) {
  if (s.empty() || s.size() > 3) return false;
  int value = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    value = value * 10 + (c - '0');
  }
  return value <= 255;
}

// IPv4-address-literal = Snum 3("." Snum)
bool is_ipv4(std::string_view s) {
  for (int i = 0; i < 3; ++i) {
    const std::size_t dot = s.find('.');
    if (dot == std::string_view::npos || !is_snum(s.substr(0, dot))) return false;
    s.remove_prefix(dot + 1);
  }
  return is_snum(s);
}

// Counts the IPv6-hex groups of a ":"-separated list; -1 if malformed. "" has 0 groups.
int hex_groups(std::string_view s) {
  if (s.empty()) return 0;
  int count = 0;
  while (true) {
    const std::size_t colon = s.find(':');
    const std::string_view group = s.substr(0, colon);
    if (group.empty() || group.size() > 4) return -1;
    for (char c : group) {
      if (!is_hex(c)) return -1;
    }
    ++count;
    if (colon == std::string_view::npos) return count;
    s.remove_prefix(colon + 1);
  }
}

// IPv6-addr = IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp (§4.1.3).
bool is_ipv6(std::string_view s) {
  int v4 = 0;  // the IPv4 tail counts as two groups
  const std::size_t dot = s.find('.');
  if (dot != std::string_view::npos) {
    const std::size_t colon = s.rfind(':');
    if (colon == std::string_view::npos || colon > dot || !is_ipv4(s.substr(colon + 1)))
      return false;
    s = s.substr(0, colon + 1);
    if (!s.ends_with("::")) s.remove_suffix(1);  // "a:b:1.2.3.4" -> "a:b"; "a::1.2.3.4" stays
    v4 = 2;
  }
  const std::size_t gap = s.find("::");
  if (gap == std::string_view::npos) {
    const int groups = hex_groups(s);
    return groups > 0 && groups + v4 == 8;
  }
  if (s.find("::", gap + 1) != std::string_view::npos) return false;
  const int left = hex_groups(s.substr(0, gap));
  const int right = hex_groups(s.substr(gap + 2));
  // IPv6-comp holds at most 6 groups, IPv6v4-comp at most 4 (plus the IPv4 tail).
  return left >= 0 && right >= 0 && left + right + v4 <= 6;
}

}  // namespace

bool is_valid_domain(std::string_view domain) {
  for (char c : domain) {
    if (is_non_ascii(c)) return false;
  }
  return detail::is_valid_domain_utf8(domain);
}

bool is_valid_address_literal(std::string_view literal) {
  if (literal.size() < 2 || literal.front() != '[' || literal.back() != ']') return false;
  const std::string_view inner = literal.substr(1, literal.size() - 2);
  constexpr std::string_view kIpv6Tag = "IPv6:";
  if (inner.size() > kIpv6Tag.size() &&
      equals_ignore_case(inner.substr(0, kIpv6Tag.size()), kIpv6Tag)) {
    return is_ipv6(inner.substr(kIpv6Tag.size()));
  }
  return is_ipv4(inner);  // General-address-literal: no Standardized-tag is registered
}

}  // namespace postern::smtp
