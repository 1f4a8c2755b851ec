// Bounces: the DSN is committed in the same transaction that marks the recipients failed
// (smtp-checklist, "Durability": a bounce is queued durably before the recipient is marked
// failed). Each failure injected into that transaction must leave neither.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

namespace postern::store {
namespace {

using testing::binary_content;
using testing::commit;
using testing::count_rows;
using testing::FileSizeLimit;
using testing::lease;
using testing::make_message;
using testing::must_open;
using testing::options_for;
using testing::record;
using testing::TempDir;

constexpr std::uint64_t kT0 = 1'700'000'000'000;
constexpr std::uint64_t kLater = kT0 + 1000;

NewMessage make_dsn(std::string id, std::string content = "Subject: Undelivered\r\n\r\nx\r\n") {
  NewMessage dsn = make_message(std::move(id), std::move(content), {"sender@example.com"});
  dsn.mail_from = "";  // RFC 3464 §2: a DSN has the null reverse-path
  dsn.account = "postern";
  dsn.received_at_ms = kLater;
  return dsn;
}

RecipientOutcome failed(std::string id, std::uint32_t index) {
  return {std::move(id), index, RecipientState::failed, 0, "550 5.1.1 no such user", kLater};
}

class StoreBounce : public ::testing::Test {
 protected:
  void SetUp() override { open(options_for(dir_)); }
  void open(const StoreOptions& options) {
    store_.reset();
    store_ = must_open(options);
    ASSERT_FALSE(commit(*store_, make_message("M1", "one", {"a@x", "b@x"})));
  }
  // Neither the DSN nor the failure is there.
  void expect_untouched(const std::string& dsn_id) {
    EXPECT_EQ(store_->load_message(dsn_id).error(), core::Errc::not_found) << dsn_id;
    const auto m = store_->load_message("M1");
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->recipients[0].state, RecipientState::queued);
    EXPECT_EQ(m->recipients[0].attempts, 0);
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreBounce, DsnAndFailureCommitTogetherInOneTransaction) {
  const auto before = store_->stats().transactions;
  ASSERT_FALSE(record(*store_, {failed("M1", 0)}, make_dsn("D1")));
  EXPECT_EQ(store_->stats().transactions, before + 1);
  EXPECT_EQ(store_->load_message("M1")->recipients[0].state, RecipientState::failed);
  const auto dsn = store_->load_message("D1");
  ASSERT_TRUE(dsn.ok());
  EXPECT_EQ(dsn->kind, MessageKind::dsn);
  EXPECT_EQ(dsn->mail_from, "");
  EXPECT_EQ(dsn->recipients.at(0).state, RecipientState::queued);
  EXPECT_EQ(store_->load_message("M1")->kind, MessageKind::message);

  // The DSN is due at once, and the scheduler sees that it is one (so it never bounces it).
  auto leased = lease(*store_, {"n1", kLater, 60'000, 10});
  ASSERT_TRUE(leased.ok());
  const auto it = std::find_if(leased->begin(), leased->end(),
                               [](const LeasedRecipient& r) { return r.queue_id == "D1"; });
  ASSERT_NE(it, leased->end());
  EXPECT_EQ(it->kind, MessageKind::dsn);
  EXPECT_EQ(it->mail_from, "");
}

TEST_F(StoreBounce, DsnKindIsForcedWhateverTheCallerSaid) {
  NewMessage dsn = make_dsn("D1");
  dsn.kind = MessageKind::message;
  ASSERT_FALSE(record(*store_, {failed("M1", 0)}, dsn));
  EXPECT_EQ(store_->load_message("D1")->kind, MessageKind::dsn);
}

// Injected failure 1: the DSN cannot be inserted (its queue id is taken) after the failure was
// recorded in the same job: the job is rolled back whole.
TEST_F(StoreBounce, DsnInsertFailureLeavesRecipientUnfailed) {
  EXPECT_EQ(record(*store_, {failed("M1", 0)}, make_dsn("M1")), core::Errc::already_exists);
  EXPECT_EQ(store_->load_message("M1")->content, "one");
  expect_untouched("M1-none");
}

// Injected failure 2: no room for the DSN (SQLITE_FULL).
TEST_F(StoreBounce, DiskFullForTheDsnLeavesNeither) {
  StoreOptions small = options_for(dir_);
  small.max_page_count = 64;
  store_.reset();
  store_ = must_open(small);
  EXPECT_EQ(record(*store_, {failed("M1", 0)}, make_dsn("D1", binary_content(1 << 20, 7))),
            core::Errc::disk_full);
  expect_untouched("D1");
}

// Injected failure 3: an I/O error at COMMIT (the WAL cannot grow). After a restart, the file
// holds neither the DSN nor the failed state.
TEST_F(StoreBounce, IoErrorAtCommitLeavesNeitherAfterRestart) {
  {
    FileSizeLimit limit(std::filesystem::file_size(dir_.data_dir() / "queue.db-wal"));
    EXPECT_EQ(record(*store_, {failed("M1", 0)}, make_dsn("D1")), core::Errc::storage_failure);
  }
  store_.reset();
  store_ = must_open(options_for(dir_));
  expect_untouched("D1");
  EXPECT_EQ(count_rows(dir_.data_dir() / "queue.db", "messages"), 1);
}

TEST_F(StoreBounce, RefusedDsnsRecordNothing) {
  ASSERT_FALSE(commit(*store_, [] {
    NewMessage m = make_message("NULL", "n", {"z@x"});
    m.mail_from = "";
    return m;
  }()));
  ASSERT_FALSE(record(*store_, {failed("M1", 1)}, make_dsn("D0")));  // D0 is a DSN
  struct Case {
    const char* name;
    std::vector<RecipientOutcome> outcomes;
    NewMessage dsn;
    core::Errc want;
  };
  const Case cases[] = {
      {"no failed outcome",
       {{"M1", 0, RecipientState::delivered, 0, "250", kLater}},
       make_dsn("D1"),
       core::Errc::invalid_argument},
      {"bounce of a DSN", {failed("D0", 0)}, make_dsn("D2"), core::Errc::invalid_argument},
      {"bounce to <>", {failed("NULL", 0)}, make_dsn("D3"), core::Errc::invalid_argument},
      {"DSN without recipient",
       {failed("M1", 0)},
       [] {
         NewMessage d = make_dsn("D4");
         d.rcpt_to.clear();
         return d;
       }(),
       core::Errc::invalid_argument},
      {"unknown message", {failed("NOPE", 0)}, make_dsn("D5"), core::Errc::not_found},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(record(*store_, c.outcomes, c.dsn), c.want);
    EXPECT_EQ(store_->load_message(c.dsn.queue_id).error(), core::Errc::not_found);
  }
  expect_untouched("D1");
  EXPECT_EQ(store_->load_message("D0")->recipients[0].state, RecipientState::queued);
  // Without a DSN, a DSN's recipient may fail (it is simply not bounced).
  EXPECT_FALSE(record(*store_, {failed("D0", 0)}, std::nullopt));
  EXPECT_EQ(store_->load_message("D0")->recipients[0].state, RecipientState::failed);
}

// A repeated call (the caller retried after a lost reply) does not queue a second DSN.
TEST_F(StoreBounce, RepeatedFailureDropsTheSecondDsn) {
  ASSERT_FALSE(record(*store_, {failed("M1", 0)}, make_dsn("D1")));
  EXPECT_FALSE(record(*store_, {failed("M1", 0)}, make_dsn("D2")));
  EXPECT_TRUE(store_->load_message("D1").ok());
  EXPECT_EQ(store_->load_message("D2").error(), core::Errc::not_found);
  // A later failure of another recipient gets its own DSN.
  EXPECT_FALSE(record(*store_, {failed("M1", 0), failed("M1", 1)}, make_dsn("D3")));
  EXPECT_TRUE(store_->load_message("D3").ok());
}

}  // namespace
}  // namespace postern::store
