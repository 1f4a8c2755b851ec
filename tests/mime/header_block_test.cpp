#include "mime/header_block.hpp"

#include <gtest/gtest.h>

namespace postern::mime {
namespace {

using Ending = HeaderBlock::Ending;

TEST(HeaderBlock, FieldsSeparatorAndBody) {
  const std::string_view msg = "From: a@b\r\nSubject: hi\r\n there\r\n\r\nbody\r\n";
  const HeaderBlock block = scan_header_block(msg);
  ASSERT_EQ(block.fields.size(), 2u);
  EXPECT_EQ(block.fields[0].name, "From");
  EXPECT_EQ(block.fields[0].value, " a@b");
  EXPECT_EQ(block.fields[1].name, "Subject");
  EXPECT_EQ(block.fields[1].value, " hi\r\n there");
  EXPECT_EQ(block.ending, Ending::separator);
  EXPECT_EQ(msg.substr(block.insert_at), "\r\nbody\r\n");
}

struct BlockCase {
  const char* message;
  std::size_t fields;
  Ending ending;
  std::size_t insert_at;
  bool unterminated;
};

TEST(HeaderBlock, Endings) {
  const BlockCase cases[] = {
      {"", 0, Ending::end_of_input, 0, false},
      {"\r\n", 0, Ending::separator, 0, false},
      {"\r\nbody", 0, Ending::separator, 0, false},
      {"A: 1\r\n", 1, Ending::end_of_input, 6, false},
      {"A: 1", 1, Ending::end_of_input, 4, true},
      {"A: 1\r\nB: 2\r\n\r\n", 2, Ending::separator, 12, false},
      {"A: 1\nB: 2\n\nbody", 2, Ending::separator, 10, false},          // bare LF tolerated
      {"Hello world\r\n", 0, Ending::no_separator, 0, false},
      {"A: 1\r\nnot a field\r\n", 1, Ending::no_separator, 6, false},
      {" starts folded: x\r\n", 0, Ending::no_separator, 0, false},
      {"Bad Name: x\r\n", 0, Ending::no_separator, 0, false},
      {": empty name\r\n", 0, Ending::no_separator, 0, false},
      {"Subject : obs WSP before colon\r\n", 1, Ending::end_of_input, 32, false},
      {"From foo@bar Mon Jan 1\r\nA: 1\r\n", 0, Ending::no_separator, 0, false},  // mbox line
      {"A: 1\r\n\tcontinued\r\n  more\r\n\r\n", 1, Ending::separator, 26, false},
  };
  for (const auto& c : cases) {
    const HeaderBlock block = scan_header_block(c.message);
    EXPECT_EQ(block.fields.size(), c.fields) << c.message;
    EXPECT_EQ(block.ending, c.ending) << c.message;
    EXPECT_EQ(block.insert_at, c.insert_at) << c.message;
    EXPECT_EQ(block.unterminated, c.unterminated) << c.message;
  }
}

TEST(HeaderBlock, Unfold) {
  const std::pair<const char*, const char*> cases[] = {
      {" plain ", "plain"},
      {" a\r\n b", "a b"},
      {" a\r\n\tb\r\n  c", "a\tb  c"},
      {" a\n b", "a b"},
      {" a\r\nb", "a\r\nb"},  // not a fold: kept
      {"", ""},
      {"  \r\n ", ""},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(unfold(in), want) << in;
}

TEST(HeaderBlock, NamesCompareCaseInsensitively) {
  EXPECT_TRUE(name_equals("message-id", "Message-ID"));
  EXPECT_TRUE(name_equals("DATE", "Date"));
  EXPECT_FALSE(name_equals("Dates", "Date"));
  EXPECT_FALSE(name_equals("Dat", "Date"));
}

}  // namespace
}  // namespace postern::mime
