#include "smtp/dot_stuffing.hpp"
#include "smtp/text.hpp"

namespace postern::smtp {
namespace {

// Calls on_text(run) for each run of octets without CR or LF and on_break() for each line
// ending (CRLF, bare CR or bare LF) of `content`, in order.
template <typename OnText, typename OnBreak>
void for_each_piece(std::string_view content, OnText on_text, OnBreak on_break) {
  std::size_t pos = 0;
  while (pos < content.size()) {
    const std::size_t stop = find_line_break(content, pos);
    if (stop == content.size()) {
      on_text(content.substr(pos));
      return;
    }
    if (stop > pos) on_text(content.substr(pos, stop - pos));
    const bool crlf =
        content[stop] == '\r' && stop + 1 < content.size() && content[stop + 1] == '\n';
    on_break();
    pos = stop + (crlf ? 2 : 1);
  }
}

}  // namespace

void append_data_body(std::string& out, std::string_view content) {
  out.reserve(out.size() + content.size() + content.size() / 32 + 5);
  bool line_start = true;
  for_each_piece(
      content,
      [&](std::string_view text) {
        if (line_start && text.front() == '.') out.push_back('.');  // §4.5.2
        out.append(text);
        line_start = false;
      },
      [&] {
        out.append("\r\n");
        line_start = true;
      });
  if (!line_start) out.append("\r\n");
  out.append(".\r\n");
}

std::size_t canonical_size(std::string_view content) {
  std::size_t size = 0;
  bool line_start = true;
  for_each_piece(
      content,
      [&](std::string_view text) {
        size += text.size();
        line_start = false;
      },
      [&] {
        size += 2;
        line_start = true;
      });
  return line_start ? size : size + 2;
}

}  // namespace postern::smtp
