#pragma once
// What an upstream server's EHLO reply offers (RFC 5321 §4.1.1.1: the first line greets, each
// further line is an extension keyword with optional parameters). Keywords are matched
// case-insensitively; unknown ones are ignored.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "smtp/reply.hpp"

namespace postern::smtp {

struct ServerCapabilities {
  bool starttls = false;                     // RFC 3207
  bool pipelining = false;                   // RFC 2920
  bool size = false;                         // RFC 1870: SIZE= may be sent
  std::optional<std::size_t> max_size;       // "SIZE n" with n > 0 (0 or none: no fixed limit)
  bool eight_bit_mime = false;               // RFC 6152
  bool smtputf8 = false;                     // RFC 6531
  bool enhanced_status_codes = false;        // RFC 2034
  std::vector<std::string> auth_mechanisms;  // RFC 4954, upper-cased, in the server's order
};

// Reads a 2xx EHLO reply. "AUTH=LOGIN PLAIN" (the pre-RFC 4954 spelling some servers still
// send next to "AUTH") counts as AUTH. A malformed SIZE value counts as SIZE without a limit.
[[nodiscard]] ServerCapabilities parse_ehlo_reply(const Reply& reply);

}  // namespace postern::smtp
