// Line splitter + command, address and domain parsers.
// Input: [max_line byte][chunking byte] then client bytes.
// Invariants: lines hold no CR/LF and respect the limit; the splitter's buffer stays under the
// limit; chunked and whole feeding give the same events; accepted paths respect the grammar's
// limits and contain no control characters; ASCII-only unless SMTPUTF8.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "smtp/address.hpp"
#include "smtp/command_parser.hpp"

namespace {

using namespace postern::smtp;

void check_path(const std::string& path, const AddressLimits& limits, bool utf8) {
  if (path.empty()) return;
  const std::size_t at = path.rfind('@');
  FUZZ_CHECK(at != std::string::npos);
  FUZZ_CHECK(at <= limits.max_local_part);
  FUZZ_CHECK(path.size() - at - 1 <= limits.max_domain);
  for (char c : path) {
    FUZZ_CHECK(c != '\r' && c != '\n' && c != '\0');
    if (!utf8) FUZZ_CHECK(static_cast<unsigned char>(c) < 0x80);
  }
}

void parse_line(std::string_view line) {
  const Command command = parse_command(line);
  const AddressLimits limits{64, 255, 1000};
  if (command.verb == Verb::mail) {
    for (bool esmtp : {true, false}) {
      auto r = parse_mail_from(command.argument, limits, esmtp);
      if (auto* m = std::get_if<MailFrom>(&r)) {
        check_path(m->reverse_path, limits, m->smtputf8);
        FUZZ_CHECK(!m->size || *m->size <= limits.max_message_size);
      }
    }
  } else if (command.verb == Verb::rcpt) {
    for (bool utf8 : {true, false}) {
      auto r = parse_rcpt_to(command.argument, limits, utf8);
      if (auto* t = std::get_if<RcptTo>(&r)) {
        FUZZ_CHECK(!t->forward_path.empty());
        check_path(t->forward_path, limits, utf8);
      }
    }
  } else {
    (void)is_valid_domain(command.argument);
    (void)is_valid_address_literal(command.argument);
  }
}

std::vector<std::string> split(std::string_view input, std::size_t max_line, std::size_t chunk) {
  LineSplitter splitter;
  std::string buffer;
  std::vector<std::string> events;
  for (std::size_t pos = 0; pos < input.size(); pos += chunk) {
    buffer.append(input.substr(pos, chunk));
    while (true) {
      const LineSplitter::Result r = splitter.next(buffer, max_line);
      FUZZ_CHECK(r.consumed <= buffer.size());
      if (r.kind == LineSplitter::Kind::line) {
        FUZZ_CHECK(r.line.find_first_of("\r\n") == std::string_view::npos);
        FUZZ_CHECK(r.line.size() + 2 <= max_line);
        parse_line(r.line);
        events.push_back("L" + std::string(r.line));
      } else if (r.kind != LineSplitter::Kind::need_more) {
        events.push_back(r.kind == LineSplitter::Kind::too_long ? "T" : "B");
      }
      buffer.erase(0, r.consumed);
      if (r.kind == LineSplitter::Kind::need_more) break;
    }
    FUZZ_CHECK(buffer.size() < max_line);
  }
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t max_line = 3 + data[0] * 2;
  const std::size_t chunk = 1 + data[1] % 16;
  const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);
  const auto whole = split(input, max_line, input.size() + 1);
  FUZZ_CHECK(split(input, max_line, chunk) == whole);
  return 0;
}
