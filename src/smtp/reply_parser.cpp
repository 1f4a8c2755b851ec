#include "smtp/reply_parser.hpp"

#include <cstdlib>
#include <utility>

#include "smtp/text.hpp"

namespace postern::smtp {
namespace {

// textstring = 1*(%d09 / %d32-126) (RFC 5321 §4.2), widened to octets >= 0x80 for UTF-8.
bool is_text(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u != '\t' && (u < 0x20 || u == 0x7F)) return false;
  }
  return true;
}

// Reply-code = %x32-35 %x30-35 %x30-39; 0 when `line` does not start with one.
int parse_code(std::string_view line) {
  if (line.size() < 3) return 0;
  if (line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '5' || !is_digit(line[2])) {
    return 0;
  }
  return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

}  // namespace

ReplyParser::ReplyParser(ReplyLimits limits) : limits_(limits) {}

ReplyParser::Result ReplyParser::feed(std::string_view input) {
  if (error_ != Error::none) return {Status::error, 0};
  std::size_t pos = 0;
  while (pos < input.size()) {
    if (cr_) {
      if (input[pos] != '\n') return fail(Error::bare_line_ending, pos);
      ++pos;
      cr_ = false;
      if (!end_line()) return {Status::error, pos};
      if (complete_) return {Status::reply, pos};
      continue;
    }
    const std::size_t stop = input.find_first_of("\r\n", pos);
    const std::size_t end = stop == std::string_view::npos ? input.size() : stop;
    // The limit counts the CRLF, so it is known to be broken before the CRLF arrives.
    if (line_.size() + (end - pos) + 2 > limits_.max_line) return fail(Error::line_too_long, end);
    line_.append(input.substr(pos, end - pos));
    pos = end;
    if (stop == std::string_view::npos) break;
    if (input[stop] == '\n') return fail(Error::bare_line_ending, stop);
    cr_ = true;
    ++pos;
  }
  return {Status::need_more, pos};
}

Reply ReplyParser::take_reply() {
  if (!complete_) std::abort();  // REQUIRES: a complete reply
  Reply reply = std::move(*complete_);
  complete_.reset();
  return reply;
}

void ReplyParser::reset() {
  line_.clear();
  cr_ = false;
  lines_ = 0;
  reply_ = Reply{};
  complete_.reset();
  error_ = Error::none;
}

ReplyParser::Result ReplyParser::fail(Error error, std::size_t consumed) {
  error_ = error;
  return {Status::error, consumed};
}

bool ReplyParser::end_line() {
  const std::string_view line = line_;
  const int code = parse_code(line);
  const bool last = line.size() == 3 || (line.size() > 3 && line[3] == ' ');
  if (code == 0 || (!last && line[3] != '-') || !is_text(line.substr(line.size() > 3 ? 4 : 3))) {
    error_ = Error::malformed;
  } else if (lines_ > 0 && code != reply_.code) {
    error_ = Error::inconsistent_code;
  } else if (++lines_ > limits_.max_lines) {
    error_ = Error::too_many_lines;
  }
  if (error_ != Error::none) return false;
  if (lines_ > 1) reply_.text.push_back('\n');
  reply_.code = code;
  reply_.text.append(line.substr(line.size() > 3 ? 4 : 3));
  line_.clear();
  if (last) {
    complete_ = std::move(reply_);
    reply_ = Reply{};
    lines_ = 0;
  }
  return true;
}

}  // namespace postern::smtp
