#include "auth/authenticator.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "core/error.hpp"

namespace postern::auth {
namespace {

Account make(std::string name, std::string_view password, std::string_view senders) {
  auto account = make_account(std::move(name), password, *policy::SenderRules::parse(senders),
                              kTestHashParams);
  EXPECT_TRUE(account.ok());
  return *account;
}

// Records every argon2 verification (hash checked), then really verifies.
struct VerifyLog {
  std::mutex mutex;
  std::vector<std::string> hashes;
  Authenticator::VerifyFn fn() {
    return [this](std::string_view hash, std::string_view password) {
      {
        std::lock_guard lock(mutex);
        hashes.emplace_back(hash);
      }
      return verify_password(hash, password);
    };
  }
};

Authenticator::Options options(VerifyLog& log, std::size_t cache = 16) {
  return Authenticator::Options{cache, kTestHashParams, log.fn()};
}

class AuthenticatorTest : public testing::Test {
 protected:
  VerifyLog log_;
  Account app_ = make("app", "app-pw", "app@example.com");
  Authenticator auth_{{app_}, std::nullopt, options(log_)};
};

TEST_F(AuthenticatorTest, AcceptsTheRightPasswordWithItsSenders) {
  const CheckResult r = auth_.check("app", "app-pw");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.account, "app");
  EXPECT_TRUE(r.senders.allows("app@example.com"));
  EXPECT_FALSE(r.senders.allows("other@example.com"));
}

TEST_F(AuthenticatorTest, RefusesWrongPasswordsAndUnknownNames) {
  for (auto [user, password] :
       {std::pair{"app", "wrong"}, std::pair{"app", ""}, std::pair{"App", "app-pw"},
        std::pair{"ghost", "app-pw"}, std::pair{"", ""}}) {
    const CheckResult r = auth_.check(user, password);
    EXPECT_FALSE(r.ok) << user;
    EXPECT_TRUE(r.account.empty());
    EXPECT_TRUE(r.senders.empty());
  }
}

// Timing equalisation is structural: an unknown name runs exactly one argon2 verification,
// against the dummy hash, like a known name with a wrong password runs one against its own.
TEST_F(AuthenticatorTest, UnknownNameVerifiesAgainstTheDummyHash) {
  EXPECT_FALSE(auth_.check("ghost", "pw").ok);
  ASSERT_EQ(log_.hashes.size(), 1u);
  EXPECT_EQ(log_.hashes[0], auth_.dummy_hash());
  EXPECT_TRUE(is_argon2id_hash(auth_.dummy_hash()));
  EXPECT_EQ(auth_.stats().dummy_verifications, 1u);

  EXPECT_FALSE(auth_.check("app", "wrong").ok);
  ASSERT_EQ(log_.hashes.size(), 2u);
  EXPECT_EQ(log_.hashes[1], app_.password_hash);
  EXPECT_EQ(auth_.stats().verifications, 1u);
}

TEST_F(AuthenticatorTest, DummyHashUsesTheConfiguredParameters) {
  Authenticator server_params({}, std::nullopt);
  EXPECT_FALSE(needs_rehash(server_params.dummy_hash(), kServerHashParams));
}

TEST_F(AuthenticatorTest, RepeatedLoginHitsTheCache) {
  ASSERT_TRUE(auth_.check("app", "app-pw").ok);
  ASSERT_TRUE(auth_.check("app", "app-pw").ok);
  ASSERT_TRUE(auth_.check("app", "app-pw").ok);
  EXPECT_EQ(log_.hashes.size(), 1u);  // argon2 ran once
  EXPECT_EQ(auth_.stats().cache_hits, 2u);
  // A wrong password is never answered from the cache.
  EXPECT_FALSE(auth_.check("app", "app-pw2").ok);
  EXPECT_EQ(log_.hashes.size(), 2u);
}

TEST_F(AuthenticatorTest, ChangedPasswordInvalidatesTheCache) {
  ASSERT_TRUE(auth_.check("app", "app-pw").ok);
  auth_.replace_stored({make("app", "new-pw", "app@example.com")});
  EXPECT_FALSE(auth_.check("app", "app-pw").ok);
  EXPECT_EQ(log_.hashes.size(), 2u);  // verified afresh, not answered from the cache
  EXPECT_TRUE(auth_.check("app", "new-pw").ok);
}

TEST_F(AuthenticatorTest, RemovedAccountNoLongerLogsIn) {
  ASSERT_TRUE(auth_.check("app", "app-pw").ok);
  auth_.replace_stored({});
  EXPECT_FALSE(auth_.check("app", "app-pw").ok);
  EXPECT_EQ(auth_.stats().dummy_verifications, 1u);
}

TEST_F(AuthenticatorTest, ChangedSendersApplyToCachedLogins) {
  ASSERT_TRUE(auth_.check("app", "app-pw").ok);
  Account widened = app_;
  widened.senders = policy::SenderRules::allow_all();
  auth_.replace_stored({widened});
  const CheckResult r = auth_.check("app", "app-pw");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(auth_.stats().cache_hits, 1u);
  EXPECT_TRUE(r.senders.allows_any());
}

TEST(Authenticator, ExtraAccountWinsAndSurvivesReload) {
  VerifyLog log;
  Authenticator auth({make("app", "file-pw", "a@x.test")}, make("app", "env-pw", "*"),
                     options(log));
  EXPECT_FALSE(auth.check("app", "file-pw").ok);
  EXPECT_TRUE(auth.check("app", "env-pw").ok);
  EXPECT_EQ(auth.account_count(), 1u);
  auth.replace_stored({make("other", "pw", "*")});
  EXPECT_TRUE(auth.check("app", "env-pw").ok);
  EXPECT_TRUE(auth.check("other", "pw").ok);
  EXPECT_EQ(auth.account_count(), 2u);
}

TEST(Authenticator, CacheCanBeDisabled) {
  VerifyLog log;
  Authenticator auth({make("app", "pw", "*")}, std::nullopt, options(log, 0));
  EXPECT_TRUE(auth.check("app", "pw").ok);
  EXPECT_TRUE(auth.check("app", "pw").ok);
  EXPECT_EQ(log.hashes.size(), 2u);
}

TEST(Authenticator, ConcurrentChecksAreConsistent) {
  VerifyLog log;
  Authenticator auth({make("a", "pa", "*"), make("b", "pb", "*")}, std::nullopt, options(log, 1));
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const bool use_a = (i + t) % 2 == 0;
        const bool good = i % 3 != 0;
        const char* user = use_a ? "a" : "b";
        const char* pw = good ? (use_a ? "pa" : "pb") : "bad";
        const CheckResult r = auth.check(user, pw);
        if (r.ok != good || (good && r.account != user)) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(auth.stats().checks, 100u);
}

// Many connections logging in with the same credentials at once (a client pool starting): one
// argon2 run, the others wait for its verdict; wrong passwords are each verified (and fail).
TEST(Authenticator, SameCredentialsAtOnceAreVerifiedOnce) {
  for (const char* password : {"pw", "wrong"}) {
    std::promise<void> open_gate;
    std::shared_future<void> gate = open_gate.get_future().share();
    std::atomic<int> calls{0};
    Authenticator::Options opts{16, kTestHashParams,
                                [&](std::string_view hash, std::string_view pw) {
                                  ++calls;
                                  gate.wait();  // in flight until every check has started
                                  return verify_password(hash, pw);
                                }};
    Authenticator auth({make("app", "pw", "*")}, std::nullopt, opts);
    constexpr int kThreads = 8;
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] { ok += auth.check("app", password).ok ? 1 : 0; });
    }
    for (int waited = 0; (auth.stats().checks < kThreads || calls.load() == 0) && waited < 5000;
         ++waited) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_EQ(calls.load(), 1) << password;  // the others wait instead of verifying
    open_gate.set_value();
    for (auto& t : threads) t.join();
    const bool right = std::string_view(password) == "pw";
    EXPECT_EQ(ok.load(), right ? kThreads : 0) << password;
    EXPECT_EQ(calls.load(), right ? 1 : kThreads) << password;
    EXPECT_EQ(auth.stats().cache_hits, right ? kThreads - 1u : 0u) << password;
  }
}

TEST(MakeAccount, RefusesEmptyPasswordAndBadName) {
  EXPECT_EQ(make_account("app", "", policy::SenderRules{}, kTestHashParams).error(),
            core::Errc::invalid_argument);
  EXPECT_EQ(make_account("a b", "pw", policy::SenderRules{}, kTestHashParams).error(),
            core::Errc::invalid_argument);
}

}  // namespace
}  // namespace postern::auth
