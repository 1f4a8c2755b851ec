#pragma once
// The DATA body decoder (RFC 5321 §4.1.1.4, §4.5.2), incremental and hardened against SMTP
// smuggling (CVE-2023-51764/51765/51766).
//
// End of data is only <CRLF>.<CRLF>, where the start of the body counts as following a CRLF.
// <LF>.<LF>, <LF>.<CRLF>, <CR>.<CR>, <CRLF>.<LF> and every other variant are ordinary content
// (and, being bare line endings, make the message fail under the strict policy). Dot-stuffing
// is removed: a line starting with "." loses that dot when more characters follow (§4.5.2).
//
// Failures never stop the reading: the decoder keeps consuming to the real end of data, so the
// rest of a refused message is never parsed as commands. Content is capped at the size limit
// and dropped as soon as the message is known to fail, so memory stays bounded.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace postern::smtp {

// What to do with a bare CR, bare LF or NUL in a message (smtp-checklist "Line endings").
enum class BareLinePolicy {
  strict,     // any of them fails the message: 554 5.5.2 bare CR or LF in message
  normalize,  // a bare LF is stored as CRLF (and ends the line, for dot-unstuffing, but never
              // ends the data); a bare CR or NUL still fails the message
};

struct DataLimits {
  std::size_t max_text_line = 1000;                 // octets incl. CRLF, stuffing dot excluded
  std::size_t max_message_size = 25 * 1024 * 1024;  // content octets (RFC 1870 §3 counting)
  BareLinePolicy policy = BareLinePolicy::strict;
};

class DataDecoder {
 public:
  // The outcome, known once done(). When several failures occur, the first in this order wins.
  enum class Verdict {
    ok,
    bare_line_ending,  // bare CR / LF (strict), bare CR (normalize), or NUL
    too_big,           // content over max_message_size
    line_too_long,     // a text line over max_text_line
  };

  explicit DataDecoder(DataLimits limits) : limits_(limits) {}

  // Consumes body bytes up to and including the terminating <CRLF>.<CRLF>; returns how many
  // were consumed. Bytes after the end are left to the caller (pipelined commands, RFC 2920).
  [[nodiscard]] std::size_t feed(std::string_view input);

  [[nodiscard]] bool done() const { return state_ == State::done; }
  // REQUIRES: done()
  [[nodiscard]] Verdict verdict() const;
  // The decoded message: dot-unstuffed, CRLF line endings. Empty unless verdict() == ok.
  [[nodiscard]] std::string take_content() { return std::move(content_); }

 private:
  enum class State {
    line_start,       // after a CRLF (or at the start): "." here may begin the end marker
    soft_line_start,  // after a bare LF: "." is unstuffed but never ends the data
    dot,              // "." at line_start
    soft_dot,         // "." at soft_line_start
    dot_cr,           // ".\r" at line_start: "\n" ends the data
    in_line,
    cr,  // "\r" inside a line: "\n" ends the line, anything else makes it bare
    done,
  };

  [[nodiscard]] std::size_t copy_plain_lines(std::string_view input, std::size_t pos);
  void step(char c);
  void in_line(char c);
  void bare_lf();
  void text(std::string_view run);  // content octets in the middle of a line
  void end_line();                  // a line ends in CRLF (or a normalized bare LF)
  void fail_bare();                 // records a bare CR / LF or a NUL
  void emit(std::string_view bytes);
  [[nodiscard]] bool failed() const { return bare_ || too_big_ || line_too_long_; }

  DataLimits limits_;
  State state_ = State::line_start;
  std::string content_;
  std::size_t size_ = 0;         // content octets seen, even those not kept
  std::size_t line_length_ = 0;  // content octets of the current line
  bool bare_ = false;
  bool too_big_ = false;
  bool line_too_long_ = false;
};

}  // namespace postern::smtp
