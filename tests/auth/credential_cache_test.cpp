#include "auth/credential_cache.hpp"

#include <gtest/gtest.h>

namespace postern::auth {
namespace {

TEST(CredentialCache, HitsOnlyTheRememberedPasswordAndHash) {
  CredentialCache cache(8);
  const auto mac = cache.mac("app", "pw");
  EXPECT_FALSE(cache.hit("app", mac, "H1"));
  cache.remember("app", mac, "H1");
  EXPECT_TRUE(cache.hit("app", mac, "H1"));
  EXPECT_FALSE(cache.hit("app", cache.mac("app", "wrong"), "H1"));
  EXPECT_FALSE(cache.hit("other", mac, "H1"));
  EXPECT_EQ(cache.size(), 1u);
}

TEST(CredentialCache, ChangedHashInvalidatesTheEntry) {
  CredentialCache cache(8);
  const auto mac = cache.mac("app", "pw");
  cache.remember("app", mac, "H1");
  EXPECT_FALSE(cache.hit("app", mac, "H2"));  // the password was changed
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.hit("app", mac, "H1"));  // and the entry is gone for good
}

TEST(CredentialCache, MacSeparatesUserFromPassword) {
  CredentialCache cache(8);
  EXPECT_NE(cache.mac("ab", "c"), cache.mac("a", "bc"));
  EXPECT_EQ(cache.mac("a", "bc"), cache.mac("a", "bc"));
  CredentialCache other(8);  // another process key
  EXPECT_NE(cache.mac("a", "bc"), other.mac("a", "bc"));
}

TEST(CredentialCache, EvictsLeastRecentlyUsed) {
  CredentialCache cache(2);
  const auto a = cache.mac("a", "pw"), b = cache.mac("b", "pw"), c = cache.mac("c", "pw");
  cache.remember("a", a, "H");
  cache.remember("b", b, "H");
  EXPECT_TRUE(cache.hit("a", a, "H"));  // a is now more recent than b
  cache.remember("c", c, "H");
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.hit("a", a, "H"));
  EXPECT_FALSE(cache.hit("b", b, "H"));
  EXPECT_TRUE(cache.hit("c", c, "H"));
}

TEST(CredentialCache, RememberReplacesTheUsersEntry) {
  CredentialCache cache(2);
  cache.remember("a", cache.mac("a", "old"), "H1");
  cache.remember("a", cache.mac("a", "new"), "H2");
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_TRUE(cache.hit("a", cache.mac("a", "new"), "H2"));
  EXPECT_FALSE(cache.hit("a", cache.mac("a", "old"), "H2"));
}

TEST(CredentialCache, CapacityZeroDisables) {
  CredentialCache cache(0);
  const auto mac = cache.mac("a", "pw");
  cache.remember("a", mac, "H");
  EXPECT_FALSE(cache.hit("a", mac, "H"));
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace postern::auth
