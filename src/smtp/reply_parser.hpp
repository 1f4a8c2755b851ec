#pragma once
// The incremental reply parser of the upstream client (RFC 5321 §4.2, §4.2.1), strict:
//
//   Reply-line = *( Reply-code "-" [ textstring ] CRLF ) Reply-code [ SP textstring ] CRLF
//   Reply-code = %x32-35 %x30-35 %x30-39
//
// Every line of a reply carries the same code; lines end only in CRLF (a bare CR or LF is an
// error, never a line end); a line is at most `max_line` octets with its CRLF and a reply at
// most `max_lines` lines. Text is HT, printable ASCII or octets >= 0x80 (UTF-8 replies,
// RFC 6531 §3.7.4); other control characters are refused. An enhanced status code
// (RFC 3463) stays in the text; the lines of a multi-line reply are joined with '\n', the
// inverse of format_reply().
//
// The parser keeps the line it is reading (bounded by `max_line`), so the caller can drop
// what was consumed. It stops after each complete reply, so the caller decides what happens to
// the bytes behind it (after STARTTLS's 220 they are discarded, RFC 3207 §4.2).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "smtp/reply.hpp"

namespace postern::smtp {

struct ReplyLimits {
  std::size_t max_line = 2048;  // octets per line incl. CRLF
  std::size_t max_lines = 128;  // lines per reply
};

class ReplyParser {
 public:
  enum class Error {
    none,
    malformed,          // not "ddd", "ddd text" or "ddd-text"; a code out of range; a control
                        // character in the text
    bare_line_ending,   // a CR not followed by LF, or an LF not preceded by CR
    line_too_long,      // over ReplyLimits::max_line
    too_many_lines,     // over ReplyLimits::max_lines
    inconsistent_code,  // the lines of one reply carry different codes
  };
  enum class Status { need_more, reply, error };
  struct Result {
    Status status = Status::need_more;
    std::size_t consumed = 0;  // octets of the input used (all of it for need_more)
  };

  explicit ReplyParser(ReplyLimits limits);

  // Consumes input up to the end of the next complete reply (Status::reply: take_reply()
  // returns it) or all of it (Status::need_more). An error is final: every later call returns
  // Status::error and consumes nothing until reset().
  [[nodiscard]] Result feed(std::string_view input);

  // REQUIRES: the last feed() returned Status::reply.
  [[nodiscard]] Reply take_reply();

  [[nodiscard]] Error error() const { return error_; }

  // Forgets a partial reply and any error (a new TLS layer starts a new stream).
  void reset();

 private:
  [[nodiscard]] Result fail(Error error, std::size_t consumed);
  // Handles a complete line (in line_); false on error (error_ set).
  [[nodiscard]] bool end_line();

  ReplyLimits limits_;
  std::string line_;  // the line being read, without CRLF
  bool cr_ = false;   // line_ was followed by a CR; an LF must come next
  std::size_t lines_ = 0;
  Reply reply_;  // the reply being assembled
  std::optional<Reply> complete_;
  Error error_ = Error::none;
};

}  // namespace postern::smtp
