#include "mime/prepare.hpp"

#include "mime/date.hpp"
#include "mime/header_block.hpp"

namespace postern::mime {
namespace {

// RFC 5322 §3.2.3 atext or '.', ASCII only.
bool is_dot_atom_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) != std::string_view::npos;
}

std::string dot_atom(std::string_view text) {
  std::string out;
  for (const char c : text) out += is_dot_atom_char(c) ? c : '-';
  while (!out.empty() && out.front() == '.') out.erase(0, 1);
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out.empty() ? "localhost" : out;
}

bool has_field(const HeaderBlock& block, std::string_view name) {
  for (const RawField& field : block.fields) {
    if (name_equals(field.name, name)) return true;
  }
  return false;
}

}  // namespace

std::string make_message_id(std::string_view queue_id, std::string_view hostname) {
  return "<" + dot_atom(queue_id) + "@" + dot_atom(hostname) + ">";
}

std::string prepare_for_queue(std::string_view content, const PrepareInput& input) {
  const HeaderBlock block = scan_header_block(content);
  std::string added;
  if (input.add_message_id && !has_field(block, "Message-ID")) {
    added += "Message-ID: " + make_message_id(input.received.queue_id, input.received.by_host) +
             "\r\n";
  }
  if (input.add_date && !has_field(block, "Date")) {
    added += "Date: " + format_rfc5322_date(input.received.time) + "\r\n";
  }
  std::string out = make_received_header(input.received);
  out.reserve(out.size() + content.size() + added.size() + 4);
  out.append(content.substr(0, block.insert_at));
  if (block.unterminated && !added.empty()) out += "\r\n";
  out += added;
  if (block.ending == HeaderBlock::Ending::no_separator) out += "\r\n";
  out.append(content.substr(block.insert_at));
  return out;
}

}  // namespace postern::mime
