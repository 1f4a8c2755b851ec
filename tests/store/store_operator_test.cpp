// Operator verbs (hold, release, retry, delete, flush) and the pending listing of `queue ls`.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

namespace postern::store {
namespace {

using testing::commit;
using testing::lease;
using testing::make_message;
using testing::must_open;
using testing::operate;
using testing::options_for;
using testing::record;
using testing::TempDir;

constexpr std::uint64_t kT0 = 1'700'000'000'000;
constexpr std::uint64_t kNow = kT0 + 5'000;
constexpr std::uint64_t kFar = kT0 + 3'600'000;

class StoreOperator : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = must_open(options_for(dir_));
    ASSERT_FALSE(commit(*store_, make_message("M1", "one", {"a@x", "b@x", "c@x"})));
    ASSERT_FALSE(commit(*store_, make_message("M2", "two", {"d@x"})));
    // M1: a delivered, b deferred until kFar, c queued (due). M2: deferred until kFar.
    ASSERT_FALSE(record(*store_, {{"M1", 0, RecipientState::delivered, 0, "250", kT0},
                                  {"M1", 1, RecipientState::queued, kFar, "451", kT0},
                                  {"M2", 0, RecipientState::queued, kFar, "451", kT0}}));
  }
  RecipientRecord rcpt(const std::string& id, std::size_t i) {
    return store_->load_message(id)->recipients.at(i);
  }
  std::size_t due_now() { return lease(*store_, {"probe", kNow, 1, 100})->size(); }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreOperator, UnknownIdsAreNotFoundForEveryVerbButFlush) {
  for (OperatorVerb verb :
       {OperatorVerb::hold, OperatorVerb::release, OperatorVerb::retry, OperatorVerb::remove}) {
    SCOPED_TRACE(static_cast<int>(verb));
    EXPECT_EQ(operate(*store_, {verb, "NOPE", kNow}).error(), core::Errc::not_found);
  }
  EXPECT_TRUE(operate(*store_, {OperatorVerb::flush, "", kNow}).ok());
}

TEST_F(StoreOperator, HoldStopsLeasingAndReleaseMakesDueNow) {
  EXPECT_EQ(operate(*store_, {OperatorVerb::hold, "M1", kNow}).value(), 2u);  // b and c
  EXPECT_EQ(rcpt("M1", 0).state, RecipientState::delivered);  // final states are untouched
  EXPECT_EQ(rcpt("M1", 1).state, RecipientState::held);
  EXPECT_EQ(rcpt("M1", 2).state, RecipientState::held);
  EXPECT_EQ(lease(*store_, {"n", kFar, 1, 100})->size(), 1u);  // only M2
  EXPECT_EQ(operate(*store_, {OperatorVerb::hold, "M1", kNow}).value(), 0u);

  EXPECT_EQ(operate(*store_, {OperatorVerb::release, "M1", kNow}).value(), 2u);
  EXPECT_EQ(rcpt("M1", 1).state, RecipientState::queued);
  EXPECT_EQ(rcpt("M1", 1).next_attempt_at_ms, kNow);  // the deferral is forgotten
  EXPECT_EQ(rcpt("M1", 1).updated_at_ms, kNow);
  EXPECT_EQ(due_now(), 2u);
  EXPECT_EQ(operate(*store_, {OperatorVerb::release, "M1", kNow}).value(), 0u);
}

TEST_F(StoreOperator, RetryMakesOneMessageDueNow) {
  EXPECT_EQ(due_now(), 1u);                                                    // c
  EXPECT_EQ(operate(*store_, {OperatorVerb::retry, "M1", kNow}).value(), 1u);  // b moved
  EXPECT_EQ(rcpt("M1", 1).next_attempt_at_ms, kNow);
  EXPECT_EQ(rcpt("M1", 1).attempts, 1);  // a retry is not an attempt
  EXPECT_EQ(rcpt("M2", 0).next_attempt_at_ms, kFar);
}

TEST_F(StoreOperator, FlushMakesEveryQueuedRecipientDueNow) {
  ASSERT_TRUE(operate(*store_, {OperatorVerb::hold, "M2", kNow}).ok());
  EXPECT_EQ(operate(*store_, {OperatorVerb::flush, "", kNow}).value(), 1u);  // b; M2 held
  EXPECT_EQ(rcpt("M1", 1).next_attempt_at_ms, kNow);
  EXPECT_EQ(rcpt("M2", 0).state, RecipientState::held);
  EXPECT_EQ(rcpt("M2", 0).next_attempt_at_ms, kFar);
}

TEST_F(StoreOperator, DeleteRemovesTheMessageAndItsRecipients) {
  auto leased = lease(*store_, {"n", kNow, 60'000, 100});
  ASSERT_EQ(leased->size(), 1u);  // c of M1, in flight
  EXPECT_EQ(operate(*store_, {OperatorVerb::remove, "M1", kNow}).value(), 3u);
  EXPECT_EQ(store_->load_message("M1").error(), core::Errc::not_found);
  EXPECT_EQ(operate(*store_, {OperatorVerb::remove, "M1", kNow}).error(), core::Errc::not_found);
  // The in-flight attempt ends; its outcome finds nothing.
  EXPECT_EQ(record(*store_, {{"M1", 2, RecipientState::delivered, 0, "250", kNow}}),
            core::Errc::not_found);
  EXPECT_TRUE(store_->load_message("M2").ok());
  EXPECT_EQ(store_->list_messages(10)->size(), 1u);
}

TEST_F(StoreOperator, PendingListingSkipsFinishedMessagesAndSummarizes) {
  ASSERT_FALSE(commit(*store_, make_message("M3", "three", {"e@x"})));
  ASSERT_FALSE(record(*store_, {{"M2", 0, RecipientState::failed, 0, "550", kNow}}));
  ASSERT_TRUE(operate(*store_, {OperatorVerb::hold, "M3", kNow}).ok());
  const auto pending = store_->list_pending(10);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].queue_id, "M1");
  EXPECT_EQ((*pending)[1].queue_id, "M3");
  EXPECT_EQ(store_->list_messages(10)->size(), 3u);
  EXPECT_EQ(store_->list_pending(1)->size(), 1u);

  const StateSummary m1 = summarize((*pending)[0]);
  EXPECT_EQ(m1.queued, 2u);
  EXPECT_EQ(m1.delivered, 1u);
  EXPECT_EQ(m1.failed, 0u);
  EXPECT_EQ(m1.held, 0u);
  EXPECT_EQ(m1.next_attempt_at_ms, kT0);  // c, due since it arrived
  EXPECT_EQ(m1.attempts, 1);
  EXPECT_FALSE(m1.done());
  const StateSummary m3 = summarize((*pending)[1]);
  EXPECT_EQ(m3.held, 1u);
  EXPECT_FALSE(m3.next_attempt_at_ms.has_value());
  EXPECT_TRUE(summarize(store_->load_message("M2").value()).done());
}

// Many finished messages between two pending ones: the sparse listing still finds all of
// their recipients and only theirs.
TEST_F(StoreOperator, PendingListingAcrossManyFinishedMessages) {
  for (int i = 0; i < 50; ++i) {
    const std::string id = "F" + std::to_string(i);
    ASSERT_FALSE(commit(*store_, make_message(id, "f", {"x@x", "y@x"})));
    ASSERT_FALSE(record(*store_, {{id, 0, RecipientState::delivered, 0, "250", kNow},
                                  {id, 1, RecipientState::failed, 0, "550", kNow}}));
  }
  ASSERT_FALSE(commit(*store_, make_message("LAST", "l", {"z@x"})));
  const auto pending = store_->list_pending(10).value();
  ASSERT_EQ(pending.size(), 3u);
  EXPECT_EQ(pending[2].queue_id, "LAST");
  ASSERT_EQ(pending[2].recipients.size(), 1u);
  EXPECT_EQ(pending[2].recipients[0].address, "z@x");
  EXPECT_EQ(pending[0].recipients.size(), 3u);
}

}  // namespace
}  // namespace postern::store
