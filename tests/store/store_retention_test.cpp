// Retention: finished messages leave the store keep_done after their last outcome; nothing
// unfinished, recent or captured ever does.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "store/done_sweeper.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

namespace postern::store {
namespace {

using namespace std::chrono_literals;
using testing::capture;
using testing::commit;
using testing::make_message;
using testing::must_open;
using testing::operate;
using testing::options_for;
using testing::prune;
using testing::record;
using testing::TempDir;

constexpr std::uint64_t kReceived = 1'700'000'000'000;  // make_message's received_at_ms

RecipientOutcome outcome(const std::string& id, RecipientState state, std::uint64_t at_ms) {
  return {id, 0, state, 0, state == RecipientState::delivered ? "250 ok" : "550 no", at_ms};
}

bool present(Store& store, const std::string& id) { return store.load_message(id).ok(); }

TEST(StoreRetention, OnlyFinishedQuietUncapturedMessagesArePruned) {
  TempDir dir;
  auto store = must_open(options_for(dir));
  for (const char* id : {"DELIVERED", "FAILED", "QUEUED", "HELD", "RECENT", "CAPTURED", "MIXED"}) {
    ASSERT_FALSE(commit(
        *store, make_message(id, "Subject: t\r\n\r\nx\r\n", {"a@example.org", "b@example.org"})));
  }
  const auto done_at = kReceived + 1000;
  for (const char* id : {"DELIVERED", "FAILED", "RECENT"}) {
    const auto state =
        std::string(id) == "FAILED" ? RecipientState::failed : RecipientState::delivered;
    const auto at = std::string(id) == "RECENT" ? kReceived + 5000 : done_at;
    RecipientOutcome second = outcome(id, state, done_at);
    second.rcpt_index = 1;
    ASSERT_FALSE(record(*store, {outcome(id, state, at), second}));
  }
  ASSERT_FALSE(record(*store, {outcome("MIXED", RecipientState::delivered, done_at)}));  // b queued
  ASSERT_TRUE(operate(*store, {OperatorVerb::hold, "HELD", done_at}).ok());
  ASSERT_FALSE(capture(*store, {"CAPTURED", {0, 1}, done_at, 1000}));

  auto result = prune(*store, {.before_ms = kReceived + 2000});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->deleted, 2u);
  EXPECT_EQ(result->cursor, 0);  // one call walked everything
  EXPECT_FALSE(present(*store, "DELIVERED"));
  EXPECT_FALSE(present(*store, "FAILED"));
  for (const char* kept : {"QUEUED", "HELD", "RECENT", "CAPTURED", "MIXED"}) {
    EXPECT_TRUE(present(*store, kept)) << kept;
  }
  EXPECT_EQ(store->stats().pruned, 2u);
  store.reset();
  EXPECT_EQ(testing::count_rows(dir.data_dir() / "queue.db", "recipients"), 10);  // 5 × 2
}

// A pass goes in steps of scan_limit messages and ends at the first message received at or
// after before_ms (nothing newer can be finished long enough).
TEST(StoreRetention, APassWalksInStepsAndEndsAtNewerMessages) {
  TempDir dir;
  auto store = must_open(options_for(dir));
  for (int i = 0; i < 10; ++i) {
    const std::string id = "OLD-" + std::to_string(i);
    ASSERT_FALSE(commit(*store, make_message(id)));
    ASSERT_FALSE(record(*store, {outcome(id, RecipientState::delivered, kReceived + 10)}));
  }
  NewMessage newer = make_message("NEWER");
  newer.received_at_ms = kReceived + 100'000;
  ASSERT_FALSE(commit(*store, newer));
  ASSERT_FALSE(record(*store, {outcome("NEWER", RecipientState::delivered, kReceived + 100'000)}));

  PruneRequest request{.before_ms = kReceived + 50'000, .scan_limit = 3};
  std::size_t deleted = 0;
  int calls = 0;
  do {
    auto step = prune(*store, request);
    ASSERT_TRUE(step.ok());
    deleted += step->deleted;
    request.cursor = step->cursor;
    ++calls;
  } while (request.cursor != 0 && calls < 100);
  EXPECT_EQ(deleted, 10u);
  EXPECT_EQ(calls, 4);  // 3 + 3 + 3 + (1 old, then NEWER ends the pass)
  EXPECT_TRUE(present(*store, "NEWER"));
}

TEST(StoreRetention, KeepDoneSweepsByItself) {
  TempDir dir;
  StoreOptions options = options_for(dir);
  options.keep_done = 0ms;  // finished messages go at the next sweep (every second)
  auto store = must_open(options);
  const auto now = core::to_unix_ms(std::chrono::system_clock::now());
  for (const char* id : {"DONE", "PENDING"}) {
    NewMessage m = make_message(id);
    m.received_at_ms = now - 10'000;
    ASSERT_FALSE(commit(*store, m));
  }
  ASSERT_FALSE(record(*store, {outcome("DONE", RecipientState::delivered, now - 5'000)}));
  for (int i = 0; i < 50 && present(*store, "DONE"); ++i) std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(present(*store, "DONE"));
  EXPECT_TRUE(present(*store, "PENDING"));
}

TEST(StoreRetention, SweepIntervalIsATenthOfKeepDoneWithinBounds) {
  EXPECT_EQ(DoneSweeper::interval_for(0ms), 1s);
  EXPECT_EQ(DoneSweeper::interval_for(30s), 3s);
  EXPECT_EQ(DoneSweeper::interval_for(std::chrono::hours(24 * 7)), 60s);
}

}  // namespace
}  // namespace postern::store
