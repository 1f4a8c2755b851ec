#include "smtp/reply.hpp"

#include <cstdlib>

namespace postern::smtp {

void append_reply(std::string& out, const Reply& reply) {
  // A malformed reply is a bug in this program, never input from a peer: abort.
  if (reply.code < 200 || reply.code > 599 || reply.text.find('\r') != std::string::npos) {
    std::abort();
  }
  const std::string code = std::to_string(reply.code);
  std::string_view rest = reply.text;
  while (true) {
    const std::size_t nl = rest.find('\n');
    const bool last = nl == std::string_view::npos;
    out += code;
    out.push_back(last ? ' ' : '-');
    out += rest.substr(0, nl);
    out += "\r\n";
    if (last) return;
    rest.remove_prefix(nl + 1);
  }
}

std::string format_reply(const Reply& reply) {
  std::string out;
  append_reply(out, reply);
  return out;
}

}  // namespace postern::smtp
