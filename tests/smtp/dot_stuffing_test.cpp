// The DATA body encoder: dot-stuffing (RFC 5321 §4.5.2) and canonical CRLF, checked against a
// table and, exhaustively for short inputs, against the server's own decoder.
#include "smtp/dot_stuffing.hpp"

#include <gtest/gtest.h>

#include <string>

#include "smtp/data_decoder.hpp"

namespace postern::smtp {
namespace {

std::string encode(std::string_view content) {
  std::string out = "prefix";
  append_data_body(out, content);
  EXPECT_TRUE(out.starts_with("prefix"));  // appends, never replaces
  return out.substr(6);
}

struct Case {
  const char* content;
  const char* wire;
  std::size_t size;  // RFC 1870 size
};

TEST(DotStuffing, EncodesTable) {
  const Case cases[] = {
      {"", ".\r\n", 0},
      {"a\r\n", "a\r\n.\r\n", 3},
      {"a", "a\r\n.\r\n", 3},  // no final CRLF: one is added
      {".\r\n", "..\r\n.\r\n", 3},
      {"..\r\n", "...\r\n.\r\n", 4},
      {".", "..\r\n.\r\n", 3},
      {".a\r\n.b", "..a\r\n..b\r\n.\r\n", 8},
      {"x.\r\n", "x.\r\n.\r\n", 4},  // a dot inside a line stays single
      {"a\nb", "a\r\nb\r\n.\r\n", 6},
      {"a\rb", "a\r\nb\r\n.\r\n", 6},
      {"a\r\r\nb", "a\r\n\r\nb\r\n.\r\n", 8},
      {"\r", "\r\n.\r\n", 2},
      {"\n\n", "\r\n\r\n.\r\n", 4},
      {"a\r\n\r", "a\r\n\r\n.\r\n", 5},
      {"\n\r", "\r\n\r\n.\r\n", 4},  // LF then CR: two bare endings, not one CRLF
      // SMTP smuggling shapes: each ends up as a stuffed, ordinary line.
      {"a\n.\nMAIL FROM:<x>", "a\r\n..\r\nMAIL FROM:<x>\r\n.\r\n", 21},
      {"a\r\n.\nb", "a\r\n..\r\nb\r\n.\r\n", 9},
      {"a\n.\r\nb", "a\r\n..\r\nb\r\n.\r\n", 9},
      {"a\r.\rb", "a\r\n..\r\nb\r\n.\r\n", 9},
      {"a\r\n.\r\nRSET\r\n", "a\r\n..\r\nRSET\r\n.\r\n", 12},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(encode(c.content), c.wire) << c.content;
    EXPECT_EQ(canonical_size(c.content), c.size) << c.content;
  }
}

// What the provider must end up with: every CR and LF outside a CRLF turned into CRLF.
std::string canonical(std::string_view content) {
  std::string out;
  for (std::size_t i = 0; i < content.size(); ++i) {
    if (content[i] == '\r' || content[i] == '\n') {
      out += "\r\n";
      if (content[i] == '\r' && i + 1 < content.size() && content[i + 1] == '\n') ++i;
    } else {
      out += content[i];
    }
  }
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  return out;
}

// Every string over {a, ., CR, LF} up to 7 octets: the strict server decoder reads the encoded
// body to its end in one piece, finds nothing to refuse, and gets the canonical content back.
TEST(DotStuffing, RoundTripsThroughTheStrictDecoder) {
  const char alphabet[] = {'a', '.', '\r', '\n'};
  std::string content;
  int checked = 0;
  for (std::size_t length = 0; length <= 7; ++length) {
    std::size_t combinations = 1;
    for (std::size_t i = 0; i < length; ++i) combinations *= 4;
    for (std::size_t n = 0; n < combinations; ++n) {
      content.clear();
      for (std::size_t i = 0, v = n; i < length; ++i, v /= 4) content += alphabet[v % 4];
      const std::string wire = encode(content);
      DataDecoder decoder(DataLimits{});
      ASSERT_EQ(decoder.feed(wire), wire.size()) << testing::PrintToString(content);
      ASSERT_TRUE(decoder.done());
      ASSERT_EQ(decoder.verdict(), DataDecoder::Verdict::ok) << testing::PrintToString(content);
      const std::string want = canonical(content);
      ASSERT_EQ(decoder.take_content(), want) << testing::PrintToString(content);
      ASSERT_EQ(canonical_size(content), want.size());
      ++checked;
    }
  }
  EXPECT_EQ(checked, 21845);
}

}  // namespace
}  // namespace postern::smtp
