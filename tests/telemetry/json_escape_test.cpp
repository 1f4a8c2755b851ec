#include "telemetry/json_escape.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <random>

namespace postern::telemetry {
namespace {

using namespace std::string_literals;

struct EscapeCase {
  std::string in;
  std::string want;  // the escaped text, without quotes
};

TEST(JsonEscape, Table) {
  const EscapeCase cases[] = {
      {"", ""},
      {"plain text 123", "plain text 123"},
      {"quote \" backslash \\ slash /", "quote \\\" backslash \\\\ slash /"},
      {"\b\f\n\r\t", "\\b\\f\\n\\r\\t"},
      {"\x00\x01\x1f\x7f"s, "\\u0000\\u0001\\u001f\\u007f"},
      {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7"},
      {"\xef\xbf\xbf \xf4\x8f\xbf\xbf", "\xef\xbf\xbf \xf4\x8f\xbf\xbf"},  // U+FFFF, U+10FFFF
      // Ill-formed: one U+FFFD per maximal ill-formed subsequence.
      {"\x80", "\\ufffd"},                          // stray continuation byte
      {"\xc3", "\\ufffd"},                          // truncated at the end
      {"\xc3(", "\\ufffd("},                        // truncated in the middle
      {"\xc0\xaf", "\\ufffd\\ufffd"},               // overlong '/'
      {"\xe0\x80\xaf", "\\ufffd\\ufffd\\ufffd"},    // overlong, 3 bytes
      {"\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd"},    // UTF-16 surrogate D800
      {"\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd"},  // above U+10FFFF
      {"\xf5\xff\xfe", "\\ufffd\\ufffd\\ufffd"},
      {"\xe2\x82", "\\ufffd"},                      // one maximal subpart
      {"\xf0\x9f\x93", "\\ufffd"},
      {"\xf0\x9f\x93\"", "\\ufffd\\\""},
      {"a\xe2\x82\xac" "b\xe2\x82z", "a\xe2\x82\xac" "b\\ufffdz"},
  };
  for (const auto& c : cases) {
    std::string out;
    append_json_escaped(out, c.in);
    EXPECT_EQ(out, c.want) << c.in;
  }
  EXPECT_EQ(json_quote("a\"b"), "\"a\\\"b\"");
}

// Whatever the bytes, the quoted result is a JSON string that a strict parser (Boost.JSON
// validates UTF-8) accepts, and valid input round-trips exactly.
void expect_parses(const std::string& in) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(json_quote(in), ec);
  ASSERT_FALSE(ec) << ec.message() << " for " << json_quote(in);
  ASSERT_TRUE(v.is_string());
}

TEST(JsonEscape, EveryTwoByteInputParses) {
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      expect_parses(std::string{static_cast<char>(a), static_cast<char>(b)});
    }
  }
}

TEST(JsonEscape, RandomBytesParseAndValidTextRoundTrips) {
  std::mt19937 random(20261129);  // fixed seed: reproducible
  for (int i = 0; i < 20000; ++i) {
    std::string in(random() % 12, '\0');
    for (char& c : in) c = static_cast<char>(random() % 256);
    expect_parses(in);
  }
  const std::string valid = "tab\there \"quoted\" \\ caf\xc3\xa9 \xf0\x9f\x93\xa7 \x01";
  EXPECT_EQ(boost::json::parse(json_quote(valid)).as_string(), valid);
}

}  // namespace
}  // namespace postern::telemetry
