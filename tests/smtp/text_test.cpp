#include "smtp/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace postern::smtp {
namespace {

// The definition find_line_break must agree with, one octet at a time.
std::size_t reference(std::string_view s, std::size_t pos, bool stop_at_nul) {
  for (std::size_t i = pos; i < s.size(); ++i) {
    if (s[i] == '\r' || s[i] == '\n' || (stop_at_nul && s[i] == '\0')) return i;
  }
  return s.size();
}

// Every length up to three words, every position of the break, every start, for each break
// octet and for octets next to them in value (0x0c, 0x0b, 0x0e, 0x01, 0x8d, 0xff) that a word
// trick could confuse with them.
TEST(FindLineBreak, AgreesWithTheOctetLoopEverywhere) {
  const std::string breaks("\r\n\0", 3);
  const std::string near("\x0c\x0b\x0e\x01\x8d\xff\x80", 7);
  for (std::size_t length = 0; length <= 24; ++length) {
    for (char filler : {'a', '\x8d', '\x0c', '\xff'}) {
      for (char special : breaks + near) {
        for (std::size_t at = 0; at <= length; ++at) {
          std::string s(length, filler);
          if (at < length) s[at] = special;
          for (std::size_t pos = 0; pos <= length; ++pos) {
            for (bool nul : {false, true}) {
              ASSERT_EQ(find_line_break(s, pos, nul), reference(s, pos, nul))
                  << "length " << length << " at " << at << " pos " << pos << " octet "
                  << int(static_cast<unsigned char>(special)) << " nul " << nul;
            }
          }
        }
      }
    }
  }
}

TEST(FindLineBreak, FindsTheFirstOfSeveral) {
  const std::string s = std::string(13, 'x') + "\n" + std::string(3, 'y') + "\r\n";
  EXPECT_EQ(find_line_break(s, 0), 13u);
  EXPECT_EQ(find_line_break(s, 14), 17u);
  EXPECT_EQ(find_line_break(std::string("ab\0cd\r", 6), 0, true), 2u);
  EXPECT_EQ(find_line_break(std::string("ab\0cd\r", 6), 0, false), 5u);
}

}  // namespace
}  // namespace postern::smtp
