#include "smtp/data_decoder.hpp"
#include "smtp/text.hpp"

#include <algorithm>
#include <cstdlib>

namespace postern::smtp {

std::size_t DataDecoder::feed(std::string_view input) {
  std::size_t i = 0;
  while (i < input.size() && state_ != State::done) {
    if (state_ == State::in_line || state_ == State::line_start) {
      i = copy_plain_lines(input, i);
      if (i == input.size()) break;
    }
    step(input[i++]);
  }
  return i;
}

// The fast path: from `pos`, every octet that needs no decision — ordinary octets and CRLF
// line ends followed by anything but "." — is taken as one run and appended once. Stops at
// the end of the input, a "." at the start of a line, a CR not followed by LF within the
// input, a bare LF or a NUL; step() decides those. Same bookkeeping as text()/end_line().
std::size_t DataDecoder::copy_plain_lines(std::string_view input, std::size_t pos) {
  const std::size_t start = pos;
  std::size_t line = line_length_;
  bool at_line_start = state_ == State::line_start;
  while (pos < input.size()) {
    if (at_line_start && input[pos] == '.') break;
    const std::size_t stop = find_line_break(input, pos, /*stop_at_nul=*/true);
    line += stop - pos;
    pos = stop;
    at_line_start = false;
    if (line + 2 > limits_.max_text_line && !line_too_long_) {
      line_too_long_ = true;
      content_ = std::string();
    }
    if (stop + 1 >= input.size() || input[stop] != '\r' || input[stop + 1] != '\n') break;
    pos = stop + 2;  // a CRLF line end
    line = 0;
    at_line_start = true;
  }
  line_length_ = line;
  state_ = at_line_start ? State::line_start : State::in_line;
  if (pos > start) emit(input.substr(start, pos - start));
  return pos;
}

DataDecoder::Verdict DataDecoder::verdict() const {
  if (state_ != State::done) std::abort();  // REQUIRES: done()
  if (bare_) return Verdict::bare_line_ending;
  if (too_big_) return Verdict::too_big;
  if (line_too_long_) return Verdict::line_too_long;
  return Verdict::ok;
}

void DataDecoder::step(char c) {
  switch (state_) {
    case State::line_start:
    case State::soft_line_start:
      if (c == '.') {
        state_ = state_ == State::line_start ? State::dot : State::soft_dot;
        return;
      }
      break;
    case State::dot:
      if (c == '\r') {
        state_ = State::dot_cr;
        return;
      }
      [[fallthrough]];
    case State::soft_dot:
      // A lone "." before the line ends is content; before other octets it is stuffing.
      if (c == '\r' || c == '\n') text(".");
      break;
    case State::dot_cr:
      if (c == '\n') {
        state_ = State::done;  // <CRLF>.<CRLF>
        return;
      }
      text(".");
      text("\r");
      fail_bare();  // ".\r" not followed by LF: a bare CR
      break;
    case State::cr:
      if (c == '\n') {
        end_line();
        state_ = State::line_start;
        return;
      }
      text("\r");
      fail_bare();
      break;
    case State::in_line:
      break;
    case State::done:
      std::abort();  // feed() stops at done
  }
  state_ = State::in_line;
  in_line(c);
}

void DataDecoder::in_line(char c) {
  if (c == '\r') {
    state_ = State::cr;
  } else if (c == '\n') {
    bare_lf();
  } else {
    if (c == '\0') fail_bare();
    text(std::string_view(&c, 1));
  }
}

void DataDecoder::bare_lf() {
  // Never a line end that can start the end marker; under normalize it is stored as CRLF.
  if (limits_.policy == BareLinePolicy::strict) fail_bare();
  end_line();
  state_ = State::soft_line_start;
}

void DataDecoder::text(std::string_view run) {
  line_length_ += run.size();
  if (line_length_ + 2 > limits_.max_text_line) {
    line_too_long_ = true;
    content_ = std::string();
  }
  emit(run);
}

void DataDecoder::end_line() {
  line_length_ = 0;
  emit("\r\n");
}

void DataDecoder::fail_bare() {
  bare_ = true;
  content_ = std::string();  // discard and release: nothing of it will be stored
}

void DataDecoder::emit(std::string_view bytes) {
  size_ += bytes.size();
  if (size_ > limits_.max_message_size && !too_big_) {
    too_big_ = true;
    content_ = std::string();
  }
  if (!failed()) content_.append(bytes);
}

}  // namespace postern::smtp
