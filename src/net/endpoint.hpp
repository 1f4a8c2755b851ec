#pragma once
// Endpoint helpers: "host:port" parsing for configuration and the command line, loopback
// checks for the egress rule (architecture invariant 4), and address literals (RFC 5321
// §4.1.3) for EHLO and Received headers.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/address.hpp>

#include "core/result.hpp"

namespace postern::net {

// A host (DNS name, IPv4 literal or IPv6 literal without brackets) and a port.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;

  bool operator==(const HostPort&) const = default;
};

// Parses "host:port", "1.2.3.4:port" or "[v6-literal]:port" (a zone such as "[fe80::1%eth0]"
// is kept). When `default_port` is given, the ":port" part may be left out ("smtp.example",
// "[::1]"). The host is a DNS name (LDH labels, optional trailing dot) or an IP literal; an
// unbracketed IPv6 literal is refused because "::1:25" is ambiguous. Port 0 is accepted (a
// listener asks the kernel for a port); callers that connect must refuse it themselves.
// Errors: core::Errc::invalid_argument.
[[nodiscard]] core::Result<HostPort> parse_host_port(
    std::string_view text, std::optional<std::uint16_t> default_port = std::nullopt);

// "host:port", with brackets around an IPv6 host: the inverse of parse_host_port.
[[nodiscard]] std::string format_host_port(std::string_view host, std::uint16_t port);

// An IPv4-mapped IPv6 address (::ffff:1.2.3.4, as a dual-stack listener reports IPv4 peers)
// becomes the IPv4 address; anything else is returned as is.
[[nodiscard]] boost::asio::ip::address unmap(const boost::asio::ip::address& address);

// True for 127.0.0.0/8, ::1 and IPv4-mapped 127.0.0.0/8.
[[nodiscard]] bool is_loopback(const boost::asio::ip::address& address);

// True for an IP literal that is_loopback(), and for "localhost" (any case, optional trailing
// dot; RFC 6761 §6.3 reserves it for loopback). This looks at the name only: a driver that
// connects must also check the address it actually connected to.
[[nodiscard]] bool is_loopback_host(std::string_view host);

// The RFC 5321 §4.1.3 address literal: "[192.0.2.1]" or "[IPv6:2001:db8::1]"; mapped
// addresses are shown as IPv4.
[[nodiscard]] std::string address_literal(const boost::asio::ip::address& address);

// True if `host` is a syntactically valid DNS host name: 1-253 octets, labels of 1-63 letters,
// digits and hyphens not starting or ending with a hyphen (RFC 1123 §2.1), optional final dot.
[[nodiscard]] bool is_valid_hostname(std::string_view host);

}  // namespace postern::net
