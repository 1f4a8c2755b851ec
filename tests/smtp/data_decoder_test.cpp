#include "smtp/data_decoder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace postern::smtp {
namespace {

using Verdict = DataDecoder::Verdict;

struct Outcome {
  bool done = false;
  Verdict verdict = Verdict::ok;
  std::string content;
  std::string rest;  // bytes left after the end of data

  friend bool operator==(const Outcome&, const Outcome&) = default;
};

void PrintTo(const Outcome& o, std::ostream* os) {
  *os << "{done=" << o.done << " verdict=" << static_cast<int>(o.verdict)
      << " content=" << testing::PrintToString(o.content)
      << " rest=" << testing::PrintToString(o.rest) << "}";
}

// Feeds the chunks as ServerSession does; what the decoder does not consume stays buffered.
Outcome decode(const std::vector<std::string>& chunks, DataLimits limits) {
  DataDecoder decoder(limits);
  std::string buffer;
  for (const std::string& chunk : chunks) {
    buffer += chunk;
    if (decoder.done()) continue;
    const std::size_t used = decoder.feed(buffer);
    buffer.erase(0, used);
    if (!decoder.done()) {
      EXPECT_TRUE(buffer.empty()) << "an unfinished decoder consumes everything";
    }
  }
  Outcome out;
  out.done = decoder.done();
  if (out.done) {
    out.verdict = decoder.verdict();
    out.content = decoder.take_content();
  }
  out.rest = buffer;
  return out;
}

struct Case {
  const char* name;
  std::string input;
  Outcome want;
  BareLinePolicy policy = BareLinePolicy::strict;
};

const DataLimits kLimits{20, 60, BareLinePolicy::strict};
const Outcome kNotDone{false, Verdict::ok, "", ""};

std::vector<Case> cases() {
  const Outcome bare{true, Verdict::bare_line_ending, "", ""};
  const auto normalize = BareLinePolicy::normalize;
  std::string lines60;  // four lines of 13 octets + CRLF: exactly the 60-octet limit
  for (int i = 0; i < 4; ++i) lines60 += std::string(13, 'x') + "\r\n";
  return {
      {"empty message", ".\r\n", {true, Verdict::ok, "", ""}},
      {"one line", "Hi\r\n.\r\n", {true, Verdict::ok, "Hi\r\n", ""}},
      {"empty lines", "\r\n\r\n.\r\n", {true, Verdict::ok, "\r\n\r\n", ""}},
      {"pipelined after the end", "Hi\r\n.\r\nQUIT\r\n", {true, Verdict::ok, "Hi\r\n", "QUIT\r\n"}},
      {"dot-unstuffing", "..x\r\n..\r\n...\r\n.\r\n", {true, Verdict::ok, ".x\r\n.\r\n..\r\n", ""}},
      {"dot line then more", "a\r\n..\r\n.\r\n", {true, Verdict::ok, "a\r\n.\r\n", ""}},
      {"dot inside a line", "a.b\r\n .\r\n.\r\n", {true, Verdict::ok, "a.b\r\n .\r\n", ""}},
      {"unstuffed dot is not an end", "..\r\n\r\n.\r\n", {true, Verdict::ok, ".\r\n\r\n", ""}},
      {"not done yet", "Hi\r\n.\r", kNotDone},
      {"8-bit text passes",
       "\xC3\xA9t\xC3\xA9\r\n.\r\n",
       {true, Verdict::ok, "\xC3\xA9t\xC3\xA9\r\n", ""}},
      // SMTP smuggling: none of these ends the data; the real end comes later.
      {"<LF>.<LF>",
       "a\n.\nMAIL FROM:<x@y>\r\n.\r\nNOOP\r\n",
       {true, Verdict::bare_line_ending, "", "NOOP\r\n"}},
      {"<LF>.<CRLF>",
       "a\n.\r\nRSET\r\n.\r\nNOOP\r\n",
       {true, Verdict::bare_line_ending, "", "NOOP\r\n"}},
      {"<CR>.<CR>",
       "a\r.\rRSET\r\n.\r\nNOOP\r\n",
       {true, Verdict::bare_line_ending, "", "NOOP\r\n"}},
      {"<CRLF>.<LF>",
       "a\r\n.\nRSET\r\n.\r\nNOOP\r\n",
       {true, Verdict::bare_line_ending, "", "NOOP\r\n"}},
      {"<CRLF>.<CR>",
       "a\r\n.\rRSET\r\n.\r\nNOOP\r\n",
       {true, Verdict::bare_line_ending, "", "NOOP\r\n"}},
      {"<CR>.<CRLF>",
       "a\r.\r\nRSET\r\n.\r\nNOOP\r\n",
       {true, Verdict::bare_line_ending, "", "NOOP\r\n"}},
      {"<LF>.<CR>",
       "a\n.\rRSET\r\n.\r\nNOOP\r\n",
       {true, Verdict::bare_line_ending, "", "NOOP\r\n"}},
      {"<CR><CR><LF>.<CR><CR><LF>", "a\r\r\n.\r\r\n.\r\n", bare},
      {"<LF><LF>.<LF><LF>", "a\n\n.\n\n.\r\n", {false, Verdict::ok, "", ""}},
      {"<CRLF>.<LF>.<CRLF>", "a\r\n.\n.\r\n.\r\n", bare},
      {"bare LF at the start", "\n.\r\n.\r\n", bare},
      {"bare CR at the start", "\r.\r\n.\r\n", bare},
      {"bare CR at the end of a line", "a\r\r\n.\r\n", bare},
      {"NUL", std::string("a\0b\r\n.\r\n", 8), bare},
      {"NUL after the dot", std::string(".\0\r\n.\r\n", 7), bare},
      // Normalize: bare LF becomes CRLF (and never ends the data); bare CR and NUL still fail.
      {"normalize: bare LF", "a\nb\r\n.\r\n", {true, Verdict::ok, "a\r\nb\r\n", ""}, normalize},
      {"normalize: <LF>.<LF>",
       "a\n.\nb\r\n.\r\n",
       {true, Verdict::ok, "a\r\n.\r\nb\r\n", ""},
       normalize},
      {"normalize: <LF>.<CRLF>",
       "a\n.\r\nb\r\n.\r\n",
       {true, Verdict::ok, "a\r\n.\r\nb\r\n", ""},
       normalize},
      {"normalize: <CRLF>.<LF>",
       "a\r\n.\nb\r\n.\r\n",
       {true, Verdict::ok, "a\r\n.\r\nb\r\n", ""},
       normalize},
      {"normalize: unstuff after bare LF",
       "a\n..b\r\n.\r\n",
       {true, Verdict::ok, "a\r\n.b\r\n", ""},
       normalize},
      {"normalize: bare CR fails", "a\rb\r\n.\r\n", bare, normalize},
      {"normalize: NUL fails", std::string("a\0\r\n.\r\n", 7), bare, normalize},
      // Limits (line 20 octets with CRLF, message 60 octets).
      {"line at the limit",
       std::string(18, 'x') + "\r\n.\r\n",
       {true, Verdict::ok, std::string(18, 'x') + "\r\n", ""}},
      {"stuffing dot not counted",
       "." + std::string(18, 'x') + "\r\n.\r\n",
       {true, Verdict::ok, std::string(18, 'x') + "\r\n", ""}},
      {"line over the limit",
       std::string(19, 'x') + "\r\n.\r\nNOOP\r\n",
       {true, Verdict::line_too_long, "", "NOOP\r\n"}},
      {"size at the limit", lines60 + ".\r\n", {true, Verdict::ok, lines60, ""}},
      {"size over the limit",
       "x" + lines60 + ".\r\nNOOP\r\n",
       {true, Verdict::too_big, "", "NOOP\r\n"}},
      {"bare LF wins over size", std::string(70, '\n') + "\r\n.\r\n", bare},
      {"size wins over line length",
       std::string(70, 'x') + "\r\n.\r\n",
       {true, Verdict::too_big, "", ""}},
  };
}

TEST(DataDecoder, EverySplitPoint) {
  for (const Case& c : cases()) {
    DataLimits limits = kLimits;
    limits.policy = c.policy;
    EXPECT_EQ(decode({c.input}, limits), c.want) << c.name;
    for (std::size_t i = 0; i <= c.input.size(); ++i) {
      EXPECT_EQ(decode({c.input.substr(0, i), c.input.substr(i)}, limits), c.want)
          << c.name << " split at " << i;
    }
    std::vector<std::string> bytes;
    for (char ch : c.input) bytes.emplace_back(1, ch);
    EXPECT_EQ(decode(bytes, limits), c.want) << c.name << " byte by byte";
  }
}

TEST(DataDecoder, StopsConsumingAtTheEnd) {
  DataDecoder decoder(kLimits);
  EXPECT_EQ(decoder.feed("a\r\n.\r\nb"), 6U);
  EXPECT_TRUE(decoder.done());
  EXPECT_EQ(decoder.feed("more"), 0U);
}

TEST(DataDecoder, LargeMessageUnderDefaultLimits) {
  DataDecoder decoder(DataLimits{});
  std::string line(998, 'y');
  line += "\r\n";
  std::string body;
  for (int i = 0; i < 1000; ++i) body += line;
  EXPECT_EQ(decoder.feed(body + ".\r\n"), body.size() + 3);
  ASSERT_TRUE(decoder.done());
  EXPECT_EQ(decoder.verdict(), Verdict::ok);
  EXPECT_EQ(decoder.take_content(), body);
}

TEST(DataDecoderDeathTest, VerdictBeforeDoneAborts) {
  DataDecoder decoder(kLimits);
  EXPECT_DEATH((void)decoder.verdict(), "");
}

}  // namespace
}  // namespace postern::smtp
