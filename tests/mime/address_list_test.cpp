#include "mime/address_list.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace postern::mime {
namespace {

using ::testing::ElementsAreArray;

struct ListCase {
  const char* value;
  std::vector<std::string> want;
  bool malformed;
};

// RFC 5322 §3.4 and Appendix A.1 examples, the obsolete forms of §4.4, and garbage.
TEST(AddressList, Table) {
  const ListCase cases[] = {
      {"a@b.example", {"a@b.example"}, false},
      {"<a@b.example>", {"a@b.example"}, false},
      {"John Doe <jdoe@machine.example>", {"jdoe@machine.example"}, false},
      {"\"Joe Q. Public\" <john.q.public@example.com>", {"john.q.public@example.com"}, false},
      {"Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
       {"mary@x.test", "jdoe@example.org", "one@y.test"}, false},
      {"\"Giant; \\\"Big\\\" Box\" <sysservices@example.net>", {"sysservices@example.net"}, false},
      {"Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
       {"pete@silly.test"}, false},
      {"A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
       {"c@a.test", "joe@where.test", "jdoe@one.test"}, false},
      {"Undisclosed recipients:;", {}, false},
      {"(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;", {}, false},
      {"Joe Q. Public <john.q.public@example.com>", {"john.q.public@example.com"}, false},
      {"<@node.test:mary@example.net>", {"mary@example.net"}, false},               // obs-route
      {"<@a.test,@b.test:mary@example.net>", {"mary@example.net"}, false},
      {"john . doe @ example . com", {"john.doe@example.com"}, false},              // obs CFWS
      {"a@b.test, , c@d.test,", {"a@b.test", "c@d.test"}, false},                   // obs-addr-list
      {"\"a.b\"@x.test", {"a.b@x.test"}, false},
      {"\"john doe\"@x.test", {"\"john doe\"@x.test"}, false},
      {"\"a\\\"b\"@x.test", {"\"a\\\"b\"@x.test"}, false},
      {"user@[192.0.2.1]", {"user@[192.0.2.1]"}, false},
      {"Jörg <jörg@bücher.example>", {"jörg@bücher.example"}, false},             // RFC 6532
      {"=?UTF-8?B?SsO2cmc=?= <j@x.test>", {"j@x.test"}, false},
      {"Doe, John <j@x.test>", {"j@x.test"}, true},  // unquoted comma in a display name
      {"", {}, false},
      {"no address here", {}, true},
      {"a@", {}, true},
      {"@b", {}, true},
      {"<a@b", {}, true},
      {"a@b>", {"a@b"}, true},
      {"a@b c@d", {"a@b"}, true},
      {"\"unterminated@x", {}, true},
      {"(unterminated comment a@b", {}, true},
      {"x <a@[1.2.3.4>", {}, true},
      {"Group: a@b.test", {"a@b.test"}, true},  // group without ';'
      {"<>", {}, true},
      {"a..b@x.test", {}, true},
      {"a@b..c", {}, true},
      {"\x01\x02\xff@@,,<<>>::;;", {}, true},
      {"good@x.test, \x7f, also@y.test", {"good@x.test", "also@y.test"}, true},
  };
  for (const auto& c : cases) {
    const AddressList got = parse_address_list(c.value);
    EXPECT_THAT(got.addresses, ElementsAreArray(c.want)) << c.value;
    EXPECT_EQ(got.malformed, c.malformed) << c.value;
  }
}

TEST(AddressList, KeepsAtMostTheLimit) {
  std::string value;
  for (std::size_t i = 0; i < kMaxAddresses + 5; ++i) value += "u" + std::to_string(i) + "@x.test,";
  const AddressList got = parse_address_list(value);
  EXPECT_EQ(got.addresses.size(), kMaxAddresses);
  EXPECT_TRUE(got.malformed);
}

TEST(AddressList, DeepNestingAndLongGarbageStayBounded) {
  // A megabyte of nested comments or open brackets must not recurse or blow up.
  EXPECT_TRUE(parse_address_list(std::string(1 << 20, '(')).malformed);
  EXPECT_TRUE(parse_address_list(std::string(1 << 20, '[')).malformed);
  EXPECT_TRUE(parse_address_list(std::string(1 << 20, '<')).malformed);
  const AddressList words = parse_address_list(std::string(1 << 20, 'a') + "@x");
  ASSERT_EQ(words.addresses.size(), 1u);
}

}  // namespace
}  // namespace postern::mime
