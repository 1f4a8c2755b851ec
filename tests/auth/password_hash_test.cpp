#include "auth/password_hash.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace postern::auth {
namespace {

TEST(PasswordHash, VerifiesOnlyTheRightPassword) {
  auto hash = hash_password("correct horse", kTestHashParams);
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(hash->starts_with("$argon2id$")) << *hash;
  EXPECT_TRUE(verify_password(*hash, "correct horse"));
  EXPECT_FALSE(verify_password(*hash, "correct horse "));
  EXPECT_FALSE(verify_password(*hash, "Correct horse"));
  EXPECT_FALSE(verify_password(*hash, ""));
}

TEST(PasswordHash, SaltMakesEveryHashDifferent) {
  auto a = hash_password("same", kTestHashParams);
  auto b = hash_password("same", kTestHashParams);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(verify_password(*b, "same"));
}

TEST(PasswordHash, PasswordsWithNulAndUtf8) {
  const std::string password("p\0w\xc3\xa9", 5);
  auto hash = hash_password(password, kTestHashParams);
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(verify_password(*hash, password));
  EXPECT_FALSE(verify_password(*hash, "p"));
}

TEST(PasswordHash, MalformedHashesNeverMatch) {
  const std::string too_long(200, 'a');
  for (std::string_view bad :
       {std::string_view(""), std::string_view("garbage"),
        std::string_view("$argon2id$v=19$m=8,t=1,p=1$$"), std::string_view(too_long)}) {
    EXPECT_FALSE(verify_password(bad, "")) << bad;
    EXPECT_FALSE(is_argon2id_hash(bad)) << bad;
  }
}

TEST(PasswordHash, ServerParametersAreEncodedInTheHash) {
  auto hash = hash_password("pw");  // kServerHashParams: t=2, m=19 MiB
  ASSERT_TRUE(hash.ok());
  EXPECT_NE(hash->find("m=19456,t=2,p=1"), std::string::npos) << *hash;
  EXPECT_TRUE(is_argon2id_hash(*hash));
  EXPECT_FALSE(needs_rehash(*hash, kServerHashParams));
  EXPECT_TRUE(needs_rehash(*hash, kTestHashParams));
}

TEST(PasswordHash, GeneratedPasswordsAreBase64UrlAndFresh) {
  const std::string a = generate_password();
  const std::string b = generate_password();
  EXPECT_EQ(a.size(), 20u);
  EXPECT_NE(a, b);
  EXPECT_TRUE(std::all_of(a.begin(), a.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
  })) << a;
}

}  // namespace
}  // namespace postern::auth
