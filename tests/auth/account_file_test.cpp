#include "auth/account_file.hpp"

#include <gtest/gtest.h>

#include "auth/password_hash.hpp"
#include "core/error.hpp"

namespace postern::auth {
namespace {

std::string test_hash() {
  static const std::string hash = *hash_password("pw", kTestHashParams);
  return hash;
}

Account account(std::string name, std::string_view senders) {
  return Account{std::move(name), test_hash(), *policy::SenderRules::parse(senders)};
}

TEST(AccountFile, RoundTrips) {
  const std::vector<Account> accounts{account("app", "app@example.com,*@example.org"),
                                      account("bounce-only", ""), account("any", "*")};
  const std::string text = format_accounts(accounts);
  EXPECT_EQ(text.front(), '#');
  auto parsed = parse_accounts(text);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, accounts);
}

TEST(AccountFile, ExactLineFormat) {
  const std::string text = format_accounts({account("app", "a@x.test, *@y.test")});
  EXPECT_NE(text.find("\napp\t" + test_hash() + "\ta@x.test,*@y.test\n"), std::string::npos)
      << text;
}

TEST(AccountFile, SkipsCommentsAndBlankLines) {
  const std::string text = "# header\n\n# another\napp\t" + test_hash() + "\t*\n\n";
  auto parsed = parse_accounts(text);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].name, "app");
}

TEST(AccountFile, ErrorsGiveTheLineAndNeverTheHash) {
  const std::string h = test_hash();
  struct Case {
    std::string text;
    std::string reason_prefix;
  } cases[] = {
      {"app\t" + h + "\n", "line 1: expected"},
      {"app\t" + h + "\t*\textra\n", "line 1: expected"},
      {"# c\napp " + h + "\t*\n", "line 2: expected"},
      {"app\t$argon2i$v=19$m=8,t=1,p=1$xx$yy\t*\n", "line 1: password hash"},
      {"app\tnot-a-hash\t*\n", "line 1: password hash"},
      {"app\t" + h + "\tbob\n", "line 1: senders"},
      {"\t" + h + "\t*\n", "line 1: account name"},
      {"app\t" + h + "\t*\napp\t" + h + "\t*\n", "line 2: duplicate"},
      {"app\t" + h + "\t*\r\n", "line 1: senders"},
  };
  for (const Case& c : cases) {
    std::string why;
    auto parsed = parse_accounts(c.text, &why);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.error(), core::Errc::malformed_input);
    EXPECT_EQ(why.rfind(c.reason_prefix, 0), 0u) << why;
    EXPECT_EQ(why.find(h), std::string::npos) << why;
  }
}

TEST(AccountFile, AccountNames) {
  for (std::string_view good : {"app", "app@example.com", "a.b-c_d+e", "\xc3\xa9t\xc3\xa9"}) {
    EXPECT_EQ(check_account_name(good), "") << good;
  }
  for (std::string_view bad : {"", "two words", "tab\there", "#comment", "nl\n", "del\x7f"}) {
    EXPECT_NE(check_account_name(bad), "") << bad;
  }
  EXPECT_NE(check_account_name(std::string(256, 'a')), "");
  EXPECT_EQ(check_account_name(std::string(255, 'a')), "");
}

}  // namespace
}  // namespace postern::auth
