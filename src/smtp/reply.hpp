#pragma once
// An SMTP reply (RFC 5321 §4.2): a three-digit code and its text. The text may hold several
// lines separated by '\n'; format_reply() turns it into the multi-line wire form
// "250-a\r\n250 b\r\n" (§4.2.1). Enhanced status codes (RFC 3463, RFC 2034) are part of the
// text: every reply the server sends is spelled once, in smtp/replies.hpp.

#include <string>
#include <string_view>

namespace postern::smtp {

struct Reply {
  int code = 0;
  std::string text;

  friend bool operator==(const Reply&, const Reply&) = default;
};

// REQUIRES: 200 <= code <= 599 and `text` holds no '\r' (each '\n' starts a new line).
[[nodiscard]] std::string format_reply(const Reply& reply);

// Appends format_reply(reply) to `out`.
void append_reply(std::string& out, const Reply& reply);

// True for the codes that close the connection after they are sent (421, RFC 5321 §3.8).
[[nodiscard]] inline bool closes_connection(const Reply& reply) { return reply.code == 421; }

}  // namespace postern::smtp
