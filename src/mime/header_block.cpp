#include "mime/header_block.hpp"

#include <algorithm>
#include <string>

namespace postern::mime {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

bool is_field_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return c >= 33 && c <= 126 && c != ':';
  });
}

// One line of `message` starting at `pos`: its content (no line ending) and where the next
// line starts.
struct Line {
  std::string_view content;
  std::size_t next;
  bool terminated;
};

Line line_at(std::string_view message, std::size_t pos) {
  const std::size_t lf = message.find('\n', pos);
  if (lf == std::string_view::npos) return {message.substr(pos), message.size(), false};
  std::size_t end = lf;
  if (end > pos && message[end - 1] == '\r') --end;
  return {message.substr(pos, end - pos), lf + 1, true};
}

}  // namespace

bool name_equals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return lower(x) == lower(y);
  });
}

HeaderBlock scan_header_block(std::string_view message) {
  HeaderBlock block;
  std::size_t pos = 0;
  std::size_t field_start = 0;
  while (pos < message.size()) {
    const Line line = line_at(message, pos);
    if (line.content.empty() && line.terminated) {
      block.ending = HeaderBlock::Ending::separator;
      block.insert_at = pos;
      return block;
    }
    if (is_wsp(line.content.front()) && !block.fields.empty()) {
      RawField& last = block.fields.back();
      last.value = message.substr(field_start, pos + line.content.size() - field_start);
    } else {
      const std::size_t colon = line.content.find(':');
      std::string_view name = line.content.substr(0, colon);
      while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
      if (colon == std::string_view::npos || !is_field_name(name)) {
        block.ending = HeaderBlock::Ending::no_separator;
        block.insert_at = pos;
        return block;
      }
      field_start = pos + colon + 1;
      block.fields.push_back({name, line.content.substr(colon + 1)});
    }
    block.unterminated = !line.terminated;
    pos = line.next;
  }
  block.ending = HeaderBlock::Ending::end_of_input;
  block.insert_at = message.size();
  return block;
}

std::string unfold(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '\r' && i + 2 < value.size() && value[i + 1] == '\n' && is_wsp(value[i + 2])) {
      ++i;  // drop CR LF, keep the WSP
      continue;
    }
    if (c == '\n' && i + 1 < value.size() && is_wsp(value[i + 1])) continue;
    out += c;
  }
  const auto first = out.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  const auto last = out.find_last_not_of(" \t");
  return out.substr(first, last - first + 1);
}

}  // namespace postern::mime
