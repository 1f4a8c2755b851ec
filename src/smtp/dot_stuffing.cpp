#include "smtp/dot_stuffing.hpp"
#include "smtp/text.hpp"

namespace postern::smtp {
namespace {

bool is_crlf_at(std::string_view s, std::size_t i) {
  return s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n';
}

// From `pos`: the end of the longest run that goes out unchanged — CRLF-terminated lines and a
// final unterminated one, none starting with "." — and whether that end is a line start.
std::size_t unchanged_run(std::string_view content, std::size_t pos, bool& line_start) {
  while (pos < content.size()) {
    if (line_start && content[pos] == '.') return pos;
    const std::size_t stop = find_line_break(content, pos);
    if (stop == content.size()) {
      line_start = false;
      return stop;
    }
    if (!is_crlf_at(content, stop)) {
      line_start = stop == pos ? line_start : false;
      return stop;  // a bare CR or LF
    }
    pos = stop + 2;
    line_start = true;
  }
  return pos;
}

}  // namespace

// Runs that need no change are appended whole; only a leading "." (stuffed, RFC 5321 §4.5.2)
// and a bare CR or LF (written as CRLF) are handled octet by octet.
void append_data_body(std::string& out, std::string_view content) {
  out.reserve(out.size() + content.size() + content.size() / 32 + 5);
  bool line_start = true;
  std::size_t pos = 0;
  while (pos < content.size()) {
    const std::size_t end = unchanged_run(content, pos, line_start);
    out.append(content.substr(pos, end - pos));
    pos = end;
    if (pos == content.size()) break;
    if (line_start && content[pos] == '.') {
      out.push_back('.');  // the stuffing dot; the line itself follows in the next run
      out.push_back('.');
      ++pos;
      line_start = false;
    } else {
      out.append("\r\n");  // a bare CR or LF
      ++pos;
      line_start = true;
    }
  }
  if (!line_start) out.append("\r\n");
  out.append(".\r\n");
}

std::size_t canonical_size(std::string_view content) {
  std::size_t size = content.size();
  bool line_start = true;
  std::size_t pos = 0;
  while (pos < content.size()) {
    const std::size_t stop = find_line_break(content, pos);
    if (stop == content.size()) {
      line_start = false;
      break;
    }
    const bool crlf = is_crlf_at(content, stop);
    if (!crlf) ++size;  // a bare CR or LF counts as CRLF
    pos = stop + (crlf ? 2 : 1);
    line_start = true;
  }
  return line_start ? size : size + 2;
}

}  // namespace postern::smtp
