#include "smtp/command_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace postern::smtp {
namespace {

// What the splitter produced, as text: "L:<line>", "LONG", "BARE".
using Events = std::vector<std::string>;

// Feeds `chunks` the way ServerSession does: append, then call next() until need_more.
// Also checks that the buffer never holds more than max_line octets (memory bound).
Events split(const std::vector<std::string>& chunks, std::size_t max_line) {
  LineSplitter splitter;
  std::string buffer;
  Events events;
  for (const std::string& chunk : chunks) {
    buffer += chunk;
    while (true) {
      const LineSplitter::Result r = splitter.next(buffer, max_line);
      std::string event;
      if (r.kind == LineSplitter::Kind::line) event = "L:" + std::string(r.line);
      if (r.kind == LineSplitter::Kind::too_long) event = "LONG";
      if (r.kind == LineSplitter::Kind::bare_ending) event = "BARE";
      buffer.erase(0, r.consumed);
      if (r.kind == LineSplitter::Kind::need_more) break;
      events.push_back(event);
    }
    EXPECT_LT(buffer.size(), max_line);
  }
  return events;
}

struct SplitCase {
  const char* name;
  std::string input;
  Events want;
};

const std::size_t kMax = 16;  // small limit so the cases stay readable

std::vector<SplitCase> split_cases() {
  return {
      {"one line", "NOOP\r\n", {"L:NOOP"}},
      {"two lines", "NOOP\r\nQUIT\r\n", {"L:NOOP", "L:QUIT"}},
      {"incomplete", "NOOP\r", {}},
      {"empty line", "\r\n", {"L:"}},
      {"bare LF inside refuses the whole line", "RSET\nQUIT\r\nNOOP\r\n", {"BARE", "L:NOOP"}},
      {"bare CR inside refuses the whole line", "RSET\rQUIT\r\nNOOP\r\n", {"BARE", "L:NOOP"}},
      {"LF only never ends a line", "RSET\nNOOP\n", {}},
      {"CR CR LF", "NOOP\r\r\n", {"BARE"}},
      {"exactly at the limit", std::string(14, 'a') + "\r\n", {"L:" + std::string(14, 'a')}},
      {"one over the limit", std::string(15, 'a') + "\r\nNOOP\r\n", {"LONG", "L:NOOP"}},
      {"far over the limit", std::string(100, 'a') + "\r\nNOOP\r\n", {"LONG", "L:NOOP"}},
      {"long line with CR at the edge",
       std::string(15, 'a') + "\r" + std::string(20, 'b') + "\r\nX\r\n",
       {"LONG", "L:X"}},
      {"long line ends at once", std::string(30, 'a') + "\r\n", {"LONG"}},
      {"NUL is left to the parser", std::string("NO\0OP\r\n", 7), {std::string("L:NO\0OP", 7)}},
  };
}

// Every split point (parsegrind), and byte by byte.
TEST(LineSplitter, EverySplitPoint) {
  for (const SplitCase& c : split_cases()) {
    for (std::size_t i = 0; i <= c.input.size(); ++i) {
      EXPECT_EQ(split({c.input.substr(0, i), c.input.substr(i)}, kMax), c.want)
          << c.name << " split at " << i;
    }
    std::vector<std::string> bytes;
    for (char ch : c.input) bytes.emplace_back(1, ch);
    EXPECT_EQ(split(bytes, kMax), c.want) << c.name << " byte by byte";
  }
}

TEST(LineSplitter, ResetForgetsADiscardedLine) {
  LineSplitter splitter;
  std::string buffer(40, 'a');
  const auto r = splitter.next(buffer, kMax);
  EXPECT_EQ(r.kind, LineSplitter::Kind::need_more);
  EXPECT_EQ(r.consumed, 40U);
  splitter.reset();
  const auto after = splitter.next("NOOP\r\n", kMax);
  EXPECT_EQ(after.kind, LineSplitter::Kind::line);
  EXPECT_EQ(after.line, "NOOP");
}

// The limit is the caller's, line by line: the same 600-octet line is taken under an AUTH
// line's limit and refused whole under a command's.
TEST(LineSplitter, TheLimitIsChosenPerLine) {
  LineSplitter splitter;
  const std::string line = std::string(598, 'a') + "\r\n";
  EXPECT_EQ(splitter.next(line, 12288).kind, LineSplitter::Kind::line);
  EXPECT_EQ(splitter.next(line, 512).kind, LineSplitter::Kind::too_long);
}

struct ParseCase {
  std::string line;
  Verb verb;
  std::string argument;
};

TEST(ParseCommand, Table) {
  const ParseCase cases[] = {
      {"EHLO client.example", Verb::ehlo, "client.example"},
      {"ehlo client.example", Verb::ehlo, "client.example"},
      {"HeLo x", Verb::helo, "x"},
      {"MAIL FROM:<a@b>", Verb::mail, "FROM:<a@b>"},
      {"rcpt TO:<a@b> X=1", Verb::rcpt, "TO:<a@b> X=1"},
      {"DATA", Verb::data, ""},
      {"RSET", Verb::rset, ""},
      {"RSET  ", Verb::rset, ""},
      {"NOOP hello", Verb::noop, "hello"},
      {"QUIT", Verb::quit, ""},
      {"HELP", Verb::help, ""},
      {"VRFY alice", Verb::vrfy, "alice"},
      {"EXPN list", Verb::expn, "list"},
      {"STARTTLS", Verb::starttls, ""},
      {"starttls", Verb::starttls, ""},
      {"AUTH PLAIN AGEAYg==", Verb::auth, "PLAIN AGEAYg=="},
      {"NOOP\t", Verb::noop, ""},
      {"GET / HTTP/1.1", Verb::http, "/ HTTP/1.1"},
      {"POST /x HTTP/1.0", Verb::http, "/x HTTP/1.0"},
      {"HEAD / HTTP/1.1", Verb::http, "/ HTTP/1.1"},
      {"PUT /a", Verb::http, "/a"},
      {"DELETE /a", Verb::http, "/a"},
      {"OPTIONS *", Verb::http, "*"},
      {"CONNECT host:443 HTTP/1.1", Verb::http, "host:443 HTTP/1.1"},
      {"PATCH /a", Verb::http, "/a"},
      {"TRACE /", Verb::http, "/"},
      {"GET", Verb::unknown, ""},  // no SP: not a request line
      {"GETS x", Verb::unknown, "x"},
      {"BDAT 10", Verb::unknown, "10"},  // CHUNKING is not offered
      {"", Verb::unknown, ""},
      {" NOOP", Verb::unknown, "NOOP"},
      {"NOOPX", Verb::unknown, ""},
      {"MAIL", Verb::mail, ""},
  };
  for (const ParseCase& c : cases) {
    const Command command = parse_command(c.line);
    EXPECT_EQ(command.verb, c.verb) << c.line;
    EXPECT_EQ(command.argument, c.argument) << c.line;
  }
}

}  // namespace
}  // namespace postern::smtp
