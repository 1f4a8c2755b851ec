#pragma once
// Parsers for the value syntaxes of docs/config.md. Each returns std::nullopt and sets `why`
// (a reason without the value, fit for "config error: KEY: why") on bad input.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace postern::config {

// Decimal digits only, no sign, no spaces; fails on overflow.
[[nodiscard]] std::optional<std::uint64_t> parse_uint(std::string_view text, std::string& why);

// A byte count: digits, optional spaces, optional unit (case-insensitive):
// B; K KB (1000); KiB (1024); M MB; MiB; G GB; GiB. "25MiB", "1000000", "512 KiB".
[[nodiscard]] std::optional<std::uint64_t> parse_size(std::string_view text, std::string& why);

// A duration: one or more NUMBER UNIT with UNIT ms, s, m, h or d ("30s", "5m", "1m30s",
// "250ms", "5d"); plain digits are seconds.
[[nodiscard]] std::optional<std::chrono::milliseconds> parse_duration(std::string_view text,
                                                                      std::string& why);

// "host:port" or "[ipv6]:port"; port 1-65535. The host is kept without brackets.
[[nodiscard]] std::optional<ListenAddress> parse_listen(std::string_view text, std::string& why);

// Empty if `name` is a valid DNS host name (RFC 1123 §2.1 letters, digits, hyphens; labels of
// 1-63 octets; at most 253 octets), else the reason.
[[nodiscard]] std::string check_hostname(std::string_view name);

// Shortest exact rendering: "25MiB", "1000" (bytes); "5m", "90s", "250ms".
[[nodiscard]] std::string format_size(std::uint64_t bytes);
[[nodiscard]] std::string format_duration(std::chrono::milliseconds duration);
// "0.0.0.0:587", "[::1]:587".
[[nodiscard]] std::string format_listen(const ListenAddress& listen);

}  // namespace postern::config
