// Commit, load and list: the happy paths, grouping, and per-message failures in a batch.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "core/error.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

namespace postern::store {
namespace {

using testing::binary_content;
using testing::commit;
using testing::commit_async;
using testing::make_message;
using testing::must_open;
using testing::options_for;
using testing::TempDir;

std::string all_byte_values() {
  std::string s;
  for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
  return s;
}

TEST(StoreCommit, ContentRoundTripsByteExact) {
  struct Case {
    const char* name;
    std::string content;
  };
  const std::vector<Case> cases = {
      {"empty", ""},
      {"text", "Subject: hi\r\n\r\nbody\r\n.\r\n"},
      {"nul-and-8bit", std::string("a\0b\xff\x80\r\n\0", 8)},
      {"all-bytes", all_byte_values()},
      {"one-mib-binary", binary_content(1 << 20, 42)},
  };
  TempDir dir;
  auto store = must_open(options_for(dir));
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    NewMessage m = make_message(std::string("ID-") + c.name, c.content,
                                {"a@example.org", "b@\xc3\xa9xample.org"});
    m.mail_from = c.content.empty() ? "" : "s\xc3\xa9nder@example.com";
    m.body_8bitmime = true;
    m.smtputf8 = !c.content.empty();
    m.received_at_ms = 1'700'000'000'123;
    ASSERT_FALSE(commit(*store, m));
    auto loaded = store->load_message(m.queue_id);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message();
    EXPECT_EQ(loaded->content, c.content);
    EXPECT_EQ(loaded->size, c.content.size());
    EXPECT_EQ(loaded->queue_id, m.queue_id);
    EXPECT_EQ(loaded->account, m.account);
    EXPECT_EQ(loaded->client_address, m.client_address);
    EXPECT_EQ(loaded->mail_from, m.mail_from);
    EXPECT_EQ(loaded->body_8bitmime, m.body_8bitmime);
    EXPECT_EQ(loaded->smtputf8, m.smtputf8);
    EXPECT_EQ(loaded->received_at_ms, m.received_at_ms);
    ASSERT_EQ(loaded->recipients.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
      const RecipientRecord& r = loaded->recipients[i];
      EXPECT_EQ(r.address, m.rcpt_to[i]);
      EXPECT_EQ(r.state, RecipientState::queued);
      EXPECT_EQ(r.attempts, 0);
      EXPECT_EQ(r.next_attempt_at_ms, m.received_at_ms);  // due at once
      EXPECT_EQ(r.last_reply, "");
      EXPECT_EQ(r.updated_at_ms, m.received_at_ms);
    }
  }
}

TEST(StoreCommit, LoadOfUnknownIdIsNotFound) {
  TempDir dir;
  auto store = must_open(options_for(dir));
  ASSERT_FALSE(commit(*store, make_message("PRESENT")));
  auto missing = store->load_message("ABSENT");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), core::Errc::not_found);
}

TEST(StoreCommit, ListIsInCommitOrderWithoutContent) {
  TempDir dir;
  auto store = must_open(options_for(dir));
  const std::vector<std::string> ids = {"C", "A", "E", "B", "D"};  // not sorted on purpose
  for (std::size_t i = 0; i < ids.size(); ++i) {
    std::vector<std::string> rcpts;
    for (std::size_t r = 0; r <= i % 3; ++r) rcpts.push_back(ids[i] + std::to_string(r) + "@x");
    ASSERT_FALSE(commit(*store, make_message(ids[i], "body-" + ids[i], rcpts)));
  }
  auto all = store->list_messages(100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const MessageRecord& m = (*all)[i];
    EXPECT_EQ(m.queue_id, ids[i]);
    EXPECT_EQ(m.content, "");  // list never carries content
    EXPECT_EQ(m.size, ("body-" + ids[i]).size());
    ASSERT_EQ(m.recipients.size(), i % 3 + 1);
    for (std::size_t r = 0; r < m.recipients.size(); ++r) {
      EXPECT_EQ(m.recipients[r].address, ids[i] + std::to_string(r) + "@x");
    }
  }
  auto first_two = store->list_messages(2);
  ASSERT_TRUE(first_two.ok());
  ASSERT_EQ(first_two->size(), 2u);
  EXPECT_EQ((*first_two)[1].queue_id, "A");
  EXPECT_EQ((*first_two)[1].recipients.size(), 2u);
  auto none = store->list_messages(0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(StoreCommit, InvalidMessagesAreRefusedAndLeaveNothing) {
  struct Case {
    const char* name;
    NewMessage message;
    core::Errc want;
  };
  const std::vector<Case> cases = {
      {"no-recipient", make_message("NORCPT", "x", {}), core::Errc::invalid_argument},
      {"no-queue-id", make_message("", "x"), core::Errc::invalid_argument},
      {"duplicate-id", make_message("TAKEN", "second"), core::Errc::already_exists},
  };
  TempDir dir;
  auto store = must_open(options_for(dir));
  ASSERT_FALSE(commit(*store, make_message("TAKEN", "first")));
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(commit(*store, c.message), c.want);
  }
  auto all = store->list_messages(100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(store->load_message("TAKEN")->content, "first");
  EXPECT_FALSE(store->health());
}

// The writer is held inside the first batch (its `done` blocks), so every commit queued
// meanwhile must come out as one transaction; the bad ones fail alone inside it.
TEST(StoreCommit, CommitsQueuedDuringACommitFormOneBatch) {
  TempDir dir;
  auto store = must_open(options_for(dir));
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  store->async_commit(make_message("FIRST"), [&](core::Status st) {
    EXPECT_FALSE(st);
    entered.set_value();
    released.wait();
  });
  entered.get_future().wait();
  ASSERT_EQ(store->stats().transactions, 1u);

  constexpr int kQueued = 20;
  std::vector<std::future<core::Status>> results;
  for (int i = 0; i < kQueued; ++i) {
    std::string id = i == 7 ? "FIRST" : "Q" + std::to_string(i);  // #7 duplicates FIRST
    results.push_back(commit_async(*store, make_message(id, binary_content(2048, i))));
  }
  release.set_value();
  for (int i = 0; i < kQueued; ++i) {
    EXPECT_EQ(results[i].get(), i == 7 ? core::Status(core::Errc::already_exists)
                                       : core::Status{})
        << i;
  }
  const StoreStats stats = store->stats();
  EXPECT_EQ(stats.transactions, 2u);
  EXPECT_EQ(stats.largest_batch, kQueued - 1u);
  EXPECT_EQ(stats.messages_committed, kQueued * 1u);  // FIRST + 19
  for (int i = 0; i < kQueued; ++i) {
    if (i == 7) continue;
    auto m = store->load_message("Q" + std::to_string(i));
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->content, binary_content(2048, i));
  }
}

TEST(StoreCommit, ConcurrentWritersAllSucceed) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  TempDir dir;
  auto store = must_open(options_for(dir));
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = "T" + std::to_string(t) + "-" + std::to_string(i);
        if (commit(*store, make_message(id, binary_content(2048, t * 1000 + i)))) ++failures;
        if (!store->load_message(id).ok()) ++failures;  // reads run beside the writer
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto all = store->list_messages(10'000);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), kThreads * kPerThread * 1u);
  const StoreStats stats = store->stats();
  EXPECT_EQ(stats.messages_committed, kThreads * kPerThread * 1u);
  EXPECT_LE(stats.transactions, stats.messages_committed);
  EXPECT_LE(stats.largest_batch, kThreads * 1u);  // each writer has one commit in flight
}

TEST(StoreCommit, DestructorDrainsQueuedCommits) {
  TempDir dir;
  std::vector<std::future<core::Status>> results;
  {
    auto store = must_open(options_for(dir));
    for (int i = 0; i < 50; ++i) {
      results.push_back(commit_async(*store, make_message("D" + std::to_string(i))));
    }
  }  // destroyed with commits still queued
  for (auto& r : results) EXPECT_FALSE(r.get());
  auto store = must_open(options_for(dir));
  EXPECT_EQ(store->list_messages(100)->size(), 50u);
}

}  // namespace
}  // namespace postern::store
