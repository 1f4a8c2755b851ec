#include "config/value_parsers.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <limits>

namespace postern::config {
namespace {

using Ms = std::chrono::milliseconds;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

// Reads leading digits into `value`; returns how many were read (0 on overflow too, with
// `overflow` set).
std::size_t read_digits(std::string_view s, std::uint64_t& value, bool& overflow) {
  value = 0;
  overflow = false;
  std::size_t i = 0;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  for (; i < s.size() && is_digit(s[i]); ++i) {
    const auto digit = static_cast<std::uint64_t>(s[i] - '0');
    if (value > (kMax - digit) / 10) {
      overflow = true;
      return 0;
    }
    value = value * 10 + digit;
  }
  return i;
}

struct Unit {
  std::string_view name;
  std::uint64_t factor;
};

constexpr std::array<Unit, 11> kSizeUnits{{{"", 1},
                                           {"b", 1},
                                           {"k", 1000},
                                           {"kb", 1000},
                                           {"kib", 1024},
                                           {"m", 1000 * 1000},
                                           {"mb", 1000 * 1000},
                                           {"mib", 1024 * 1024},
                                           {"g", 1000 * 1000 * 1000},
                                           {"gb", 1000 * 1000 * 1000},
                                           {"gib", 1024 * 1024 * 1024}}};

// Longer than any sensible timeout, far below overflow of milliseconds::rep.
constexpr std::uint64_t kMaxDurationMs = 1'000'000'000'000;  // about 31 years

constexpr std::array<Unit, 5> kDurationUnits{
    {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}}};

std::optional<std::uint64_t> multiply(std::uint64_t a, std::uint64_t b) {
  if (b != 0 && a > std::numeric_limits<std::uint64_t>::max() / b) return std::nullopt;
  return a * b;
}

}  // namespace

std::optional<std::uint64_t> parse_uint(std::string_view text, std::string& why) {
  std::uint64_t value = 0;
  bool overflow = false;
  const std::size_t n = read_digits(text, value, overflow);
  if (overflow) {
    why = "number too large";
    return std::nullopt;
  }
  if (n == 0 || n != text.size()) {
    why = "must be a non-negative integer";
    return std::nullopt;
  }
  return value;
}

std::optional<std::uint64_t> parse_size(std::string_view text, std::string& why) {
  std::uint64_t value = 0;
  bool overflow = false;
  const std::size_t n = read_digits(text, value, overflow);
  why = overflow ? "size too large" : "must be a size like 25MiB, 512KiB or a byte count";
  if (n == 0) return std::nullopt;
  std::string_view rest = text.substr(n);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  const std::string unit = lowered(rest);
  for (const Unit& u : kSizeUnits) {
    if (u.name != unit) continue;
    if (auto bytes = multiply(value, u.factor)) return bytes;
    why = "size too large";
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, std::string& why) {
  why = "must be a duration like 30s, 5m, 1h or 250ms";
  std::uint64_t total = 0;
  std::uint64_t value = 0;
  bool overflow = false;
  if (text.empty()) return std::nullopt;
  if (std::all_of(text.begin(), text.end(), is_digit)) {  // plain seconds
    if (read_digits(text, value, overflow) == 0) return std::nullopt;
    const auto ms = multiply(value, 1000);
    if (!ms || *ms > kMaxDurationMs) return std::nullopt;
    return Ms(static_cast<Ms::rep>(*ms));
  }
  while (!text.empty()) {
    const std::size_t n = read_digits(text, value, overflow);
    if (n == 0) return std::nullopt;
    text.remove_prefix(n);
    std::size_t unit_len = 0;
    while (unit_len < text.size() && !is_digit(text[unit_len])) ++unit_len;
    const std::string unit = lowered(text.substr(0, unit_len));
    text.remove_prefix(unit_len);
    auto u = std::find_if(kDurationUnits.begin(), kDurationUnits.end(),
                          [&](const Unit& d) { return d.name == unit; });
    if (u == kDurationUnits.end()) return std::nullopt;
    const auto part = multiply(value, u->factor);
    if (!part || *part > kMaxDurationMs - total) return std::nullopt;
    total += *part;
  }
  return Ms(static_cast<Ms::rep>(total));
}

namespace {
// A listener binds an address, not a name: resolving would make the bound address depend on DNS.
bool is_listen_host(std::string_view host) {
  if (host == "localhost") return true;
  const std::string text(host);
  unsigned char buffer[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         ::inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}
}  // namespace

std::optional<ListenAddress> parse_listen(std::string_view text, std::string& why) {
  why = "must be host:port (IPv6 in brackets: [::1]:587)";
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return std::nullopt;
    host = host.substr(1, host.size() - 2);
    if (host.find(':') == std::string_view::npos) return std::nullopt;
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt;  // an unbracketed IPv6 address is ambiguous
  }
  if (std::any_of(host.begin(), host.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || c == '[' || c == ']' || c == '/';
      })) {
    return std::nullopt;
  }
  if (!is_listen_host(host)) {
    why = "host must be an IP address or localhost";
    return std::nullopt;
  }
  std::string ignored;
  const auto port = parse_uint(port_text, ignored);
  // Port 0 asks the kernel for a free port; the bound address is logged ("listening").
  if (!port || *port > 65535) {
    why = "port must be 0-65535";
    return std::nullopt;
  }
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(*port)};
}

std::string check_hostname(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > 253) return "must be at most 253 octets";
  std::size_t label = 0;
  char previous = '.';
  for (char c : name) {
    if (c == '.') {
      if (label == 0 || previous == '-') return "is not a valid host name (empty label or hyphen)";
      label = 0;
    } else if (is_alnum(c) || c == '-') {
      if (label == 0 && c == '-') return "is not a valid host name (label starts with hyphen)";
      if (++label > 63) return "has a label longer than 63 octets";
    } else {
      return "is not a valid host name (only letters, digits, hyphens and dots)";
    }
    previous = c;
  }
  if (previous == '.' || previous == '-') return "is not a valid host name (ends with . or -)";
  return {};
}

std::string format_size(std::uint64_t bytes) {
  constexpr std::array<Unit, 3> kUnits{
      {{"GiB", 1024 * 1024 * 1024}, {"MiB", 1024 * 1024}, {"KiB", 1024}}};
  for (const Unit& u : kUnits) {
    if (bytes != 0 && bytes % u.factor == 0) {
      return std::to_string(bytes / u.factor) + std::string(u.name);
    }
  }
  return std::to_string(bytes);
}

std::string format_duration(std::chrono::milliseconds duration) {
  const auto ms = static_cast<std::uint64_t>(std::max<Ms::rep>(duration.count(), 0));
  constexpr std::array<Unit, 3> kUnits{{{"h", 3'600'000}, {"m", 60'000}, {"s", 1000}}};
  for (const Unit& u : kUnits) {
    if (ms != 0 && ms % u.factor == 0) return std::to_string(ms / u.factor) + std::string(u.name);
  }
  return std::to_string(ms) + "ms";
}

std::string format_listen(const ListenAddress& listen) {
  const bool v6 = listen.host.find(':') != std::string::npos;
  return (v6 ? "[" + listen.host + "]" : listen.host) + ":" + std::to_string(listen.port);
}

}  // namespace postern::config
