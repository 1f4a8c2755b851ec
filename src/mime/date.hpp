#pragma once
// RFC 5322 §3.3 date-time, as the server writes it in Date and Received fields.

#include <chrono>
#include <string>

namespace postern::mime {

// "Sun, 29 Nov 2026 12:00:00 +0000": UTC, English names (never the locale's), day of month
// without a leading zero, seconds truncated. Years before 1000 are zero-padded to four digits.
[[nodiscard]] std::string format_rfc5322_date(std::chrono::system_clock::time_point t);

}  // namespace postern::mime
