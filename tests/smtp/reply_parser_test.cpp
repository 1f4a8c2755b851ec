// The upstream reply parser (RFC 5321 §4.2): every case is fed whole, split at every point,
// and byte by byte; the outcome must not depend on how the bytes arrive.
#include "smtp/reply_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace postern::smtp {
namespace {

using Error = ReplyParser::Error;

struct Outcome {
  std::vector<Reply> replies;
  Error error = Error::none;

  friend bool operator==(const Outcome&, const Outcome&) = default;
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  for (const Reply& r : o.replies) os << "[" << r.code << " '" << r.text << "'] ";
  return os << "error=" << static_cast<int>(o.error);
}

Outcome parse_chunks(const std::vector<std::string_view>& chunks, ReplyLimits limits) {
  ReplyParser parser(limits);
  Outcome out;
  for (std::string_view chunk : chunks) {
    while (true) {
      const ReplyParser::Result result = parser.feed(chunk);
      EXPECT_LE(result.consumed, chunk.size());
      chunk.remove_prefix(result.consumed);
      if (result.status == ReplyParser::Status::error) {
        out.error = parser.error();
        EXPECT_EQ(parser.feed("250 ok\r\n").status, ReplyParser::Status::error);  // sticky
        return out;
      }
      if (result.status == ReplyParser::Status::need_more) {
        EXPECT_TRUE(chunk.empty()) << "need_more must consume everything";
        break;
      }
      out.replies.push_back(parser.take_reply());
    }
  }
  return out;
}

// Whole, every two-way split, byte by byte: all must give `want`.
void expect_every_split(std::string_view input, const Outcome& want, ReplyLimits limits = {}) {
  EXPECT_EQ(parse_chunks({input}, limits), want) << "whole: " << input;
  for (std::size_t i = 0; i <= input.size(); ++i) {
    Outcome got = parse_chunks({input.substr(0, i), input.substr(i)}, limits);
    EXPECT_EQ(got, want) << "split at " << i << ": " << input;
  }
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < input.size(); ++i) bytes.push_back(input.substr(i, 1));
  EXPECT_EQ(parse_chunks(bytes, limits), want) << "byte by byte: " << input;
}

struct Case {
  const char* name;
  std::string input;
  std::vector<Reply> replies;
  Error error = Error::none;
};

TEST(ReplyParser, ValidReplies) {
  const Case cases[] = {
      {"single", "220 mx.test ESMTP\r\n", {{220, "mx.test ESMTP"}}},
      {"multi-line",
       "250-mx.test\r\n250-PIPELINING\r\n250 SIZE 1000\r\n",
       {{250, "mx.test\nPIPELINING\nSIZE 1000"}}},
      {"code alone", "250\r\n", {{250, ""}}},
      {"empty text after SP", "334 \r\n", {{334, ""}}},
      {"empty continuation", "250-\r\n250 x\r\n", {{250, "\nx"}}},
      {"code alone ends a multi-line", "250-a\r\n250\r\n", {{250, "a\n"}}},
      {"enhanced code kept",
       "550 5.1.1 <b@example.net> User unknown\r\n",
       {{550, "5.1.1 <b@example.net> User unknown"}}},
      {"two replies", "250 a\r\n354 b\r\n", {{250, "a"}, {354, "b"}}},
      {"tab and UTF-8", "250 a\tb \xC3\xA9\r\n", {{250, "a\tb \xC3\xA9"}}},
      {"boundary codes", "200 a\r\n559 b\r\n", {{200, "a"}, {559, "b"}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    expect_every_split(c.input, {c.replies, Error::none});
  }
}

TEST(ReplyParser, RefusesMalformedReplies) {
  const Case cases[] = {
      {"bare LF", "250 ok\n", {}, Error::bare_line_ending},
      {"bare LF in continuation", "250-a\n250 b\r\n", {}, Error::bare_line_ending},
      {"bare CR", "250 ok\rx\r\n", {}, Error::bare_line_ending},
      {"CR CR LF", "250 ok\r\r\n", {}, Error::bare_line_ending},
      {"codes differ", "250-a\r\n251 b\r\n", {}, Error::inconsistent_code},
      {"no separator", "250x\r\n", {}, Error::malformed},
      {"short code", "25\r\n", {}, Error::malformed},
      {"empty line", "\r\n", {}, Error::malformed},
      {"leading space", " 250 a\r\n", {}, Error::malformed},
      {"first digit 1", "199 a\r\n", {}, Error::malformed},
      {"first digit 6", "600 a\r\n", {}, Error::malformed},
      {"second digit 6", "260 a\r\n", {}, Error::malformed},
      {"letters", "2x0 a\r\n", {}, Error::malformed},
      {"control character",
       "250 a\x01"
       "b\r\n",
       {},
       Error::malformed},
      {"NUL", std::string("250 a\0b\r\n", 9), {}, Error::malformed},
      {"DEL", "250 a\x7F\r\n", {}, Error::malformed},
      {"error after a good reply", "250 a\r\n250 b\n", {{250, "a"}}, Error::bare_line_ending},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    expect_every_split(c.input, {c.replies, c.error});
  }
}

TEST(ReplyParser, BoundsLineLength) {
  const ReplyLimits limits{16, 128};
  // "250 abcdefghij" + CRLF = 16 octets: the largest line allowed.
  expect_every_split("250 abcdefghij\r\n", {{{250, "abcdefghij"}}, Error::none}, limits);
  expect_every_split("250 abcdefghijk\r\n", {{}, Error::line_too_long}, limits);
  // Refused before the CRLF arrives: a server cannot make the client buffer without end.
  expect_every_split("250 abcdefghijklmnopqrstuvwxyz", {{}, Error::line_too_long}, limits);
  expect_every_split("250-abcdefghij\r\n250-abcdefghijk\r\n", {{}, Error::line_too_long}, limits);
}

TEST(ReplyParser, BoundsLineCount) {
  const ReplyLimits limits{2048, 3};
  expect_every_split("250-a\r\n250-b\r\n250 c\r\n", {{{250, "a\nb\nc"}}, Error::none}, limits);
  expect_every_split("250-a\r\n250-b\r\n250-c\r\n250 d\r\n", {{}, Error::too_many_lines}, limits);
  // The count is per reply.
  expect_every_split("250-a\r\n250 b\r\n250-c\r\n250 d\r\n",
                     {{{250, "a\nb"}, {250, "c\nd"}}, Error::none}, limits);
}

TEST(ReplyParser, StopsAfterEachReply) {
  ReplyParser parser(ReplyLimits{});
  const std::string input = "220 go ahead\r\n250-injected\r\n";
  const ReplyParser::Result first = parser.feed(input);
  ASSERT_EQ(first.status, ReplyParser::Status::reply);
  EXPECT_EQ(first.consumed, 14U);  // the rest is the caller's to keep or drop
  EXPECT_EQ(parser.take_reply(), (Reply{220, "go ahead"}));
}

TEST(ReplyParser, PartialInputWaits) {
  ReplyParser parser(ReplyLimits{});
  EXPECT_EQ(parser.feed("250-a\r\n250 b").status, ReplyParser::Status::need_more);
  EXPECT_EQ(parser.feed("\r").status, ReplyParser::Status::need_more);
  const ReplyParser::Result done = parser.feed("\n");
  EXPECT_EQ(done.status, ReplyParser::Status::reply);
  EXPECT_EQ(done.consumed, 1U);
  EXPECT_EQ(parser.take_reply(), (Reply{250, "a\nb"}));
}

TEST(ReplyParser, ResetForgetsPartialReplyAndError) {
  ReplyParser parser(ReplyLimits{});
  EXPECT_EQ(parser.feed("250-half\r\n250 par").status, ReplyParser::Status::need_more);
  parser.reset();
  ASSERT_EQ(parser.feed("220 fresh\r\n").status, ReplyParser::Status::reply);
  EXPECT_EQ(parser.take_reply(), (Reply{220, "fresh"}));
  EXPECT_EQ(parser.feed("bad\r\n").status, ReplyParser::Status::error);
  EXPECT_EQ(parser.error(), Error::malformed);
  parser.reset();
  EXPECT_EQ(parser.error(), Error::none);
  ASSERT_EQ(parser.feed("250 ok\r\n").status, ReplyParser::Status::reply);
  EXPECT_EQ(parser.take_reply(), (Reply{250, "ok"}));
}

}  // namespace
}  // namespace postern::smtp
