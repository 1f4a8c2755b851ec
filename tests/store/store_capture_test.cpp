// The capture mailbox: captured recipients are delivered; the newest keep_limit messages stay
// readable; older ones leave it and are deleted once done.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

namespace postern::store {
namespace {

using testing::capture;
using testing::commit;
using testing::lease;
using testing::make_message;
using testing::must_open;
using testing::options_for;
using testing::TempDir;

constexpr std::uint64_t kT0 = 1'700'000'000'000;

class StoreCapture : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = must_open(options_for(dir_));
    for (const char* id : {"C1", "C2", "C3"}) {
      ASSERT_FALSE(commit(*store_, make_message(id, std::string("body of ") + id, {"a@x"})));
    }
    ASSERT_FALSE(commit(*store_, make_message("TWO", "two", {"a@x", "b@x"})));
  }
  std::vector<std::string> listed() {
    std::vector<std::string> ids;
    const auto list = store_->list_captures(100);
    for (const auto& c : list.value()) ids.push_back(c.queue_id);
    return ids;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreCapture, CapturedRecipientsAreDeliveredAndReadable) {
  ASSERT_EQ(lease(*store_, {"n1", kT0, 60'000, 10})->size(), 5u);  // in flight, like delivery
  ASSERT_FALSE(capture(*store_, {"C1", {0}, kT0 + 5, 10}));
  const auto m = store_->load_message("C1");
  EXPECT_EQ(m->recipients[0].state, RecipientState::delivered);
  EXPECT_EQ(m->recipients[0].last_reply, "250 2.0.0 captured");
  EXPECT_EQ(m->recipients[0].attempts, 1);
  EXPECT_EQ(m->recipients[0].updated_at_ms, kT0 + 5);

  const auto list = store_->list_captures(10);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].queue_id, "C1");
  EXPECT_EQ((*list)[0].mail_from, "sender@example.com");
  EXPECT_EQ((*list)[0].rcpt_to, std::vector<std::string>{"a@x"});
  EXPECT_EQ((*list)[0].captured_at_ms, kT0 + 5);
  EXPECT_EQ((*list)[0].received_at_ms, kT0);
  EXPECT_EQ((*list)[0].size, 10u);
  EXPECT_EQ(store_->load_capture("C1")->content, "body of C1");
  EXPECT_EQ(store_->load_capture("C2").error(), core::Errc::not_found);  // queued, not captured
  EXPECT_EQ(store_->load_capture("NOPE").error(), core::Errc::not_found);
}

TEST_F(StoreCapture, UnknownIdOrIndexRecordsNothing) {
  EXPECT_EQ(capture(*store_, {"NOPE", {0}, kT0, 10}), core::Errc::not_found);
  EXPECT_EQ(capture(*store_, {"TWO", {0, 7}, kT0, 10}), core::Errc::not_found);
  EXPECT_EQ(store_->load_message("TWO")->recipients[0].state, RecipientState::queued);
  EXPECT_TRUE(store_->list_captures(10)->empty());
}

TEST_F(StoreCapture, OldestBeyondTheLimitArePrunedAndDeleted) {
  ASSERT_FALSE(capture(*store_, {"C1", {0}, kT0 + 1, 2}));
  ASSERT_FALSE(capture(*store_, {"C2", {0}, kT0 + 2, 2}));
  EXPECT_EQ(listed(), (std::vector<std::string>{"C2", "C1"}));  // newest first
  ASSERT_FALSE(capture(*store_, {"C3", {0}, kT0 + 3, 2}));
  EXPECT_EQ(listed(), (std::vector<std::string>{"C3", "C2"}));
  EXPECT_EQ(store_->load_message("C1").error(), core::Errc::not_found);  // delivered: gone
  EXPECT_EQ(store_->load_capture("C1").error(), core::Errc::not_found);
  EXPECT_TRUE(store_->load_message("C2").ok());
}

// A message with a recipient still queued leaves the mailbox but stays in the queue.
TEST_F(StoreCapture, PruningKeepsMessagesThatAreNotDone) {
  ASSERT_FALSE(capture(*store_, {"TWO", {0}, kT0 + 1, 1}));
  ASSERT_FALSE(capture(*store_, {"C1", {0}, kT0 + 2, 1}));
  EXPECT_EQ(listed(), std::vector<std::string>{"C1"});
  const auto two = store_->load_message("TWO");
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->recipients[0].state, RecipientState::delivered);
  EXPECT_EQ(two->recipients[1].state, RecipientState::queued);
}

// Capturing the rest of a message later keeps its first capture time; a final recipient stays.
TEST_F(StoreCapture, SecondCaptureOfAMessageKeepsItsPlace) {
  ASSERT_FALSE(capture(*store_, {"TWO", {0}, kT0 + 1, 10}));
  ASSERT_FALSE(capture(*store_, {"C1", {0}, kT0 + 2, 10}));
  ASSERT_FALSE(capture(*store_, {"TWO", {0, 1}, kT0 + 3, 10}));
  EXPECT_EQ(listed(), (std::vector<std::string>{"C1", "TWO"}));
  const auto two = store_->load_message("TWO");
  EXPECT_EQ(two->recipients[0].attempts, 1);  // final: not recorded twice
  EXPECT_EQ(two->recipients[1].state, RecipientState::delivered);
}

}  // namespace
}  // namespace postern::store
