#pragma once
// Command lines (RFC 5321 §2.3.8, §4.1.1): the incremental line splitter and the verb parser.
//
// Lines end only in CRLF. A bare CR or LF inside a line does not end it: the line runs to the
// next CRLF and is refused whole, so `RSET\nQUIT\r\n` is one bad line and QUIT is never
// executed (the command-side counterpart of SMTP smuggling). A line longer than the limit is
// refused once its CRLF arrives; its bytes are consumed as they come, never buffered.

#include <cstddef>
#include <string_view>

namespace postern::smtp {

class LineSplitter {
 public:
  enum class Kind {
    need_more,    // no complete line yet; `consumed` bytes may still be dropped
    line,         // `line` is a command line without its CRLF
    too_long,     // a line over the limit ended: answer 500 5.5.6, execute nothing
    bare_ending,  // a line holding a bare CR or LF ended: answer 500 5.5.2
  };
  struct Result {
    Kind kind = Kind::need_more;
    std::string_view line;     // only for Kind::line; points into the input
    std::size_t consumed = 0;  // bytes of the input the caller must drop
  };

  // Looks at the unconsumed input (the caller drops `consumed` bytes after each call and
  // passes the rest, plus new bytes, next time). `max_line` counts the CRLF (RFC 5321
  // §4.5.3.1.4: 512 octets); the caller chooses it per line (AUTH lines may be longer,
  // RFC 4954 §4).
  [[nodiscard]] Result next(std::string_view input, std::size_t max_line);

  // Forgets a partial over-long line (after STARTTLS the input is thrown away).
  void reset() { discarding_ = false; }

 private:
  bool discarding_ = false;  // inside an over-long line, dropping bytes up to its CRLF
};

enum class Verb {
  unknown,
  ehlo,
  helo,
  mail,
  rcpt,
  data,
  rset,
  noop,
  quit,
  help,
  vrfy,
  expn,
  starttls,
  auth,
  http,  // "GET ", "POST ", ...: a browser or a cross-protocol attack; close at once
};

struct Command {
  Verb verb = Verb::unknown;
  std::string_view argument;  // after the first SP; trailing SP/HTAB of the line removed
};

// Splits a command line (without CRLF). Verbs are case-insensitive (§2.4).
[[nodiscard]] Command parse_command(std::string_view line);

}  // namespace postern::smtp
