#include "smtp/client_capabilities.hpp"

#include <algorithm>
#include <limits>
#include <string_view>

#include "smtp/text.hpp"

namespace postern::smtp {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_upper(c);
  return out;
}

// Digits only, no overflow; nullopt otherwise.
std::optional<std::size_t> parse_size(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  std::size_t value = 0;
  for (const char c : s) {
    if (!is_digit(c)) return std::nullopt;
    const auto digit = static_cast<std::size_t>(c - '0');
    if (value > (std::numeric_limits<std::size_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

void add_mechanisms(ServerCapabilities& caps, std::string_view list) {
  while (!list.empty()) {
    const std::size_t sp = list.find(' ');
    const std::string_view word = list.substr(0, sp);
    if (!word.empty()) {
      std::string name = upper(word);
      if (std::find(caps.auth_mechanisms.begin(), caps.auth_mechanisms.end(), name) ==
          caps.auth_mechanisms.end()) {
        caps.auth_mechanisms.push_back(std::move(name));
      }
    }
    if (sp == std::string_view::npos) break;
    list.remove_prefix(sp + 1);
  }
}

// One extension line: ehlo-line = ehlo-keyword *( SP ehlo-param ) (RFC 5321 §4.1.1.1).
void add_extension(ServerCapabilities& caps, std::string_view line) {
  const std::size_t sp = line.find(' ');
  const std::string keyword = upper(line.substr(0, sp));
  const std::string_view params =
      sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  if (keyword == "STARTTLS") {
    caps.starttls = true;
  } else if (keyword == "PIPELINING") {
    caps.pipelining = true;
  } else if (keyword == "8BITMIME") {
    caps.eight_bit_mime = true;
  } else if (keyword == "SMTPUTF8") {
    caps.smtputf8 = true;
  } else if (keyword == "ENHANCEDSTATUSCODES") {
    caps.enhanced_status_codes = true;
  } else if (keyword == "SIZE") {
    caps.size = true;
    const std::optional<std::size_t> max = parse_size(params);
    if (max && *max > 0) caps.max_size = max;
  } else if (keyword == "AUTH") {
    add_mechanisms(caps, params);
  } else if (keyword.starts_with("AUTH=")) {
    add_mechanisms(caps, line.substr(5));
  }
}

}  // namespace

ServerCapabilities parse_ehlo_reply(const Reply& reply) {
  ServerCapabilities caps;
  std::string_view rest = reply.text;
  const std::size_t first = rest.find('\n');
  if (first == std::string_view::npos) return caps;  // the greeting line alone
  rest.remove_prefix(first + 1);
  while (true) {
    const std::size_t nl = rest.find('\n');
    add_extension(caps, rest.substr(0, nl));
    if (nl == std::string_view::npos) return caps;
    rest.remove_prefix(nl + 1);
  }
}

}  // namespace postern::smtp
