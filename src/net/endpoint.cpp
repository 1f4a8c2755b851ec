#include "net/endpoint.hpp"

#include <algorithm>
#include <charconv>

#include "core/error.hpp"

namespace postern::net {
namespace {

namespace ip = boost::asio::ip;

core::Status invalid() { return core::make_error_code(core::Errc::invalid_argument); }

bool is_ldh(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

bool is_ipv4_literal(std::string_view host) {
  boost::system::error_code ec;
  (void)ip::make_address_v4(std::string(host), ec);
  return !ec;
}

bool is_ipv6_literal(std::string_view host) {
  boost::system::error_code ec;
  (void)ip::make_address_v6(std::string(host), ec);
  return !ec;
}

// Splits "[v6]" or "[v6]:port"; the host is returned without brackets.
core::Result<HostPort> parse_bracketed(std::string_view text,
                                       std::optional<std::uint16_t> default_port) {
  const auto close = text.find(']');
  if (close == std::string_view::npos) return invalid();
  const std::string_view host = text.substr(1, close - 1);
  const std::string_view rest = text.substr(close + 1);
  if (!is_ipv6_literal(host)) return invalid();
  if (rest.empty()) {
    if (!default_port) return invalid();
    return HostPort{std::string(host), *default_port};
  }
  if (rest.front() != ':') return invalid();
  const auto port = parse_port(rest.substr(1));
  if (!port) return invalid();
  return HostPort{std::string(host), *port};
}

}  // namespace

bool is_valid_hostname(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty() || host.size() > 253) return false;
  std::size_t start = 0;
  while (start <= host.size()) {
    std::size_t end = host.find('.', start);
    if (end == std::string_view::npos) end = host.size();
    const std::string_view label = host.substr(start, end - start);
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    if (!std::all_of(label.begin(), label.end(), is_ldh)) return false;
    start = end + 1;
  }
  return true;
}

core::Result<HostPort> parse_host_port(std::string_view text,
                                       std::optional<std::uint16_t> default_port) {
  if (text.empty()) return invalid();
  if (text.front() == '[') return parse_bracketed(text, default_port);
  const auto colon = text.find(':');
  if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
    return invalid();  // an IPv6 literal needs brackets
  }
  const std::string_view host = text.substr(0, colon);
  if (!is_valid_hostname(host) && !is_ipv4_literal(host)) return invalid();
  if (colon == std::string_view::npos) {
    if (!default_port) return invalid();
    return HostPort{std::string(host), *default_port};
  }
  const auto port = parse_port(text.substr(colon + 1));
  if (!port) return invalid();
  return HostPort{std::string(host), *port};
}

std::string format_host_port(std::string_view host, std::uint16_t port) {
  std::string out;
  if (host.find(':') != std::string_view::npos) {
    out.append("[").append(host).append("]");
  } else {
    out.append(host);
  }
  return out.append(":").append(std::to_string(port));
}

ip::address unmap(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

bool is_loopback(const ip::address& address) { return unmap(address).is_loopback(); }

bool is_loopback_host(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  constexpr std::string_view kLocalhost = "localhost";
  if (std::equal(host.begin(), host.end(), kLocalhost.begin(), kLocalhost.end(),
                 [](char a, char b) { return (a | 0x20) == b; })) {
    return true;
  }
  boost::system::error_code ec;
  const auto address = ip::make_address(std::string(host), ec);
  return !ec && is_loopback(address);
}

std::string address_literal(const ip::address& address) {
  const ip::address plain = unmap(address);
  if (plain.is_v4()) return "[" + plain.to_string() + "]";
  return "[IPv6:" + plain.to_string() + "]";
}

}  // namespace postern::net
