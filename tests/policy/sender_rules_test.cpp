#include "policy/sender_rules.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"

namespace postern::policy {
namespace {

SenderRules parse_ok(std::string_view list) {
  std::string why;
  auto rules = SenderRules::parse(list, &why);
  EXPECT_TRUE(rules.ok()) << list << ": " << why;
  return rules.ok() ? *rules : SenderRules{};
}

struct AllowCase {
  const char* rules;
  const char* address;
  bool allowed;
};

class SenderRulesAllows : public testing::TestWithParam<AllowCase> {};

TEST_P(SenderRulesAllows, Table) {
  const AllowCase& c = GetParam();
  EXPECT_EQ(parse_ok(c.rules).allows(c.address), c.allowed)
      << "rules '" << c.rules << "' address '" << c.address << "'";
}

constexpr const char* kMixed = "alice@example.com, *@example.org";

INSTANTIATE_TEST_SUITE_P(
    Table, SenderRulesAllows,
    testing::Values(
        // The null sender (bounces) is always allowed, even with no rules.
        AllowCase{"", "", true}, AllowCase{kMixed, "", true},
        AllowCase{"", "alice@example.com", false},
        // Exact address: domain case-insensitive, local part case-sensitive (RFC 5321 §2.4).
        AllowCase{kMixed, "alice@example.com", true}, AllowCase{kMixed, "alice@EXAMPLE.COM", true},
        AllowCase{kMixed, "Alice@example.com", false},
        AllowCase{kMixed, "alicex@example.com", false},
        AllowCase{kMixed, "alic@example.com", false}, AllowCase{kMixed, "bob@example.com", false},
        AllowCase{kMixed, "alice@example.com.evil.net", false},
        AllowCase{kMixed, "alice@example.comx", false},
        AllowCase{kMixed, "alice@sub.example.com", false},
        AllowCase{kMixed, "alice@example.com@evil.net", false},
        AllowCase{kMixed, "\"alice\"@example.com", false},
        // Sub-addressing on an allowed base.
        AllowCase{kMixed, "alice+news@example.com", true},
        AllowCase{kMixed, "alice+news+x@EXAMPLE.com", true},
        AllowCase{kMixed, "alice+@example.com", true},
        AllowCase{kMixed, "+alice@example.com", false},
        AllowCase{kMixed, "alicex+news@example.com", false},
        AllowCase{kMixed, "Alice+news@example.com", false},
        AllowCase{"alice+billing@example.com", "alice+billing+2024@example.com", true},
        AllowCase{"alice+billing@example.com", "alice@example.com", false},
        AllowCase{"alice+billing@example.com", "alice+other@example.com", false},
        // *@domain: any local part, domain case-insensitive, no sub-domains.
        AllowCase{kMixed, "bob@example.org", true}, AllowCase{kMixed, "BOB@Example.Org", true},
        AllowCase{kMixed, "bob+x@example.org", true},
        AllowCase{kMixed, "bob@eu.example.org", false},
        AllowCase{kMixed, "bob@example.org.evil.net", false},
        AllowCase{kMixed, "bob@xexample.org", false},
        // Malformed addresses are never allowed by address rules.
        AllowCase{kMixed, "alice", false}, AllowCase{kMixed, "@example.org", false},
        AllowCase{kMixed, "bob@", false},
        // "*" allows everything.
        AllowCase{"*", "anyone@anywhere.test", true}, AllowCase{"*", "no-domain", true},
        AllowCase{"alice@example.com, *", "bob@other.test", true}));

TEST(SenderRules, ParseErrorsNameTheItem) {
  const char* bad[] = {
      "alice",               // no @
      "@example.com",        // no local part
      "alice@",              // no domain
      "a*@example.com",      // partial glob
      "*@",                  // wildcard without domain
      "*@*",                 // wildcard domain
      "alice@exa mple.com",  // space inside
      "alice@example.com,,bob@example.com",
      "alice@example.com,",
      ",alice@example.com",
      "alice@.example.com",
      "alice@example.com.",
      "<alice@example.com>",
      "ali\x01"
      "ce@example.com",
  };
  for (const char* list : bad) {
    std::string why;
    auto rules = SenderRules::parse(list, &why);
    ASSERT_FALSE(rules.ok()) << list;
    EXPECT_EQ(rules.error(), core::Errc::invalid_argument);
    EXPECT_FALSE(why.empty()) << list;
  }
  std::string why;
  ASSERT_FALSE(SenderRules::parse("alice@example.com, bob", &why).ok());
  EXPECT_EQ(why.rfind("'bob'", 0), 0u) << why;
}

TEST(SenderRules, LengthLimits) {
  const std::string local64(64, 'a');
  const std::string domain255 = std::string(251, 'd') + ".com";
  EXPECT_TRUE(SenderRules::parse(local64 + "@example.com").ok());
  EXPECT_FALSE(SenderRules::parse(local64 + "a@example.com").ok());
  EXPECT_TRUE(SenderRules::parse("a@" + domain255.substr(0, 255)).ok());
  EXPECT_FALSE(SenderRules::parse("a@d" + domain255).ok());
}

TEST(SenderRules, WhitespaceAroundItemsIsIgnored) {
  EXPECT_EQ(parse_ok(" \talice@example.com ,\t*@example.org  "), parse_ok(kMixed));
}

TEST(SenderRules, ToStringRoundTrips) {
  for (const char* list : {"", "*", "alice@example.com", kMixed, "a+b@x.test,*@Y.test"}) {
    const SenderRules rules = parse_ok(list);
    EXPECT_EQ(parse_ok(rules.to_string()), rules) << list;
  }
  EXPECT_EQ(parse_ok(kMixed).to_string(), "alice@example.com,*@example.org");
  EXPECT_EQ(parse_ok("alice@example.com, *").to_string(), "*");
}

TEST(SenderRules, EmptyAndAllowAll) {
  EXPECT_TRUE(SenderRules{}.empty());
  EXPECT_TRUE(parse_ok("  ").empty());
  EXPECT_FALSE(parse_ok("*").empty());
  EXPECT_TRUE(parse_ok("*").allows_any());
  EXPECT_EQ(SenderRules::allow_all(), parse_ok("*"));
  EXPECT_FALSE(parse_ok(kMixed).allows_any());
}

TEST(SenderRules, DuplicatesCollapse) {
  EXPECT_EQ(parse_ok("a@x.test, a@x.test").to_string(), "a@x.test");
}

}  // namespace
}  // namespace postern::policy
