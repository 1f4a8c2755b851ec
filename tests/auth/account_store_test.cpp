#include "auth/account_store.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <set>
#include <thread>

#include "auth/atomic_file.hpp"
#include "core/error.hpp"
#include "temp_dir.hpp"

namespace postern::auth {
namespace {

using testing_support::TempDir;

policy::SenderRules rules(std::string_view list) { return *policy::SenderRules::parse(list); }

mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

std::set<std::string> entries(const std::filesystem::path& dir) {
  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.insert(e.path().filename().string());
  }
  return names;
}

class AccountStoreTest : public testing::Test {
 protected:
  TempDir tmp_;
  AccountStore store_{AccountStore::default_path(tmp_.path()), kTestHashParams};
};

TEST_F(AccountStoreTest, MissingFileIsEmpty) {
  auto accounts = store_.list();
  ASSERT_TRUE(accounts.ok());
  EXPECT_TRUE(accounts->empty());
  EXPECT_EQ(store_.find("app").error(), core::Errc::not_found);
}

TEST_F(AccountStoreTest, AddFindListRemove) {
  ASSERT_FALSE(store_.add("app", "s3cret", rules("app@example.com")));
  ASSERT_FALSE(store_.add("other", "pw2", rules("*")));
  auto app = store_.find("app");
  ASSERT_TRUE(app.ok());
  EXPECT_TRUE(verify_password(app->password_hash, "s3cret"));
  EXPECT_EQ(app->senders, rules("app@example.com"));
  auto accounts = store_.list();
  ASSERT_TRUE(accounts.ok());
  ASSERT_EQ(accounts->size(), 2u);
  EXPECT_EQ((*accounts)[1].name, "other");

  EXPECT_EQ(store_.add("app", "x", rules("*")), core::Errc::already_exists);
  ASSERT_FALSE(store_.remove("app"));
  EXPECT_EQ(store_.remove("app"), core::Errc::not_found);
  EXPECT_EQ(store_.find("app").error(), core::Errc::not_found);
  EXPECT_TRUE(store_.find("other").ok());
}

TEST_F(AccountStoreTest, PasswordNeverStoredInClear) {
  ASSERT_FALSE(store_.add("app", "very-secret-password", rules("*")));
  auto text = read_file(store_.path());
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->find("very-secret-password"), std::string::npos);
}

TEST_F(AccountStoreTest, SetPasswordAndSenders) {
  ASSERT_FALSE(store_.add("app", "old", rules("a@x.test")));
  ASSERT_FALSE(store_.set_password("app", "new"));
  auto app = store_.find("app");
  ASSERT_TRUE(app.ok());
  EXPECT_TRUE(verify_password(app->password_hash, "new"));
  EXPECT_FALSE(verify_password(app->password_hash, "old"));
  ASSERT_FALSE(store_.set_senders("app", rules("*@y.test")));
  EXPECT_EQ(store_.find("app")->senders, rules("*@y.test"));
  EXPECT_EQ(store_.set_password("ghost", "pw"), core::Errc::not_found);
  EXPECT_EQ(store_.set_senders("ghost", rules("*")), core::Errc::not_found);
}

TEST_F(AccountStoreTest, RefusesBadNamesAndEmptyPasswords) {
  EXPECT_EQ(store_.add("two words", "pw", rules("*")), core::Errc::invalid_argument);
  EXPECT_EQ(store_.add("app", "", rules("*")), core::Errc::invalid_argument);
  ASSERT_FALSE(store_.add("app", "pw", rules("*")));
  EXPECT_EQ(store_.set_password("app", ""), core::Errc::invalid_argument);
}

TEST_F(AccountStoreTest, FileIsMode0600AndNoTemporaryFilesRemain) {
  const mode_t old_umask = ::umask(0);  // even with a permissive umask
  ASSERT_FALSE(store_.add("app", "pw", rules("*")));
  ASSERT_FALSE(store_.set_password("app", "pw2"));
  ::umask(old_umask);
  EXPECT_EQ(mode_of(store_.path()), 0600);
  EXPECT_EQ(entries(tmp_.path()), (std::set<std::string>{"accounts", "accounts.lock"}));
}

TEST_F(AccountStoreTest, CreatesTheDataDirectoryPrivate) {
  AccountStore nested(AccountStore::default_path(tmp_.path() / "var" / "postern"), kTestHashParams);
  ASSERT_FALSE(nested.add("app", "pw", rules("*")));
  EXPECT_EQ(mode_of(tmp_.path() / "var" / "postern"), 0700);
  EXPECT_TRUE(nested.find("app").ok());
}

TEST_F(AccountStoreTest, CorruptFileIsReportedAndNotOverwritten) {
  ASSERT_FALSE(write_file_atomically(store_.path(), "app\tbroken\n"));
  std::string why;
  auto accounts = store_.list(&why);
  ASSERT_FALSE(accounts.ok());
  EXPECT_EQ(accounts.error(), core::Errc::malformed_input);
  EXPECT_NE(why.find("line 1"), std::string::npos) << why;
  EXPECT_EQ(store_.add("new", "pw", rules("*")), core::Errc::malformed_input);
  EXPECT_EQ(*read_file(store_.path()), "app\tbroken\n");
}

// A write that fails half-way (here: the file-size limit, which binds even root) leaves the
// previous file intact and no temporary file behind.
TEST_F(AccountStoreTest, FailedWriteLeavesTheOldFile) {
  ASSERT_FALSE(store_.add("app", "pw", rules("*")));
  const std::string before = *read_file(store_.path());
  struct rlimit saved {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto* old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = saved;
  small.rlim_cur = before.size() + 10;  // the next file is bigger than this
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  const core::Status st = store_.add("second-account-with-a-long-name", "pw", rules("*"));
  ::setrlimit(RLIMIT_FSIZE, &saved);
  ::signal(SIGXFSZ, old_handler);
  EXPECT_TRUE(st) << "the write should have failed";
  EXPECT_EQ(*read_file(store_.path()), before);
  EXPECT_EQ(entries(tmp_.path()), (std::set<std::string>{"accounts", "accounts.lock"}));
}

// The lock serialises read-modify-write: concurrent adds all survive.
TEST_F(AccountStoreTest, ConcurrentAddsAreAllKept) {
  constexpr int kWriters = 8;
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([this, i] {
      AccountStore own(store_.path(), kTestHashParams);
      EXPECT_FALSE(own.add("app" + std::to_string(i), "pw", rules("*")));
    });
  }
  for (auto& t : threads) t.join();
  auto accounts = store_.list();
  ASSERT_TRUE(accounts.ok());
  EXPECT_EQ(accounts->size(), static_cast<std::size_t>(kWriters));
}

TEST_F(AccountStoreTest, DemoAccountOnlyWhenEmpty) {
  auto first = add_demo_account_if_empty(store_);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->has_value());
  auto demo = store_.find("demo");
  ASSERT_TRUE(demo.ok());
  EXPECT_TRUE(verify_password(demo->password_hash, **first));
  EXPECT_TRUE(demo->senders.allows_any());
  auto second = add_demo_account_if_empty(store_);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->has_value());
}

}  // namespace
}  // namespace postern::auth
