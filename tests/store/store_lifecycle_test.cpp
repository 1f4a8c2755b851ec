// Opening, reopening, the data directory lock, the schema, and start-up clean-up.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "core/error.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

namespace postern::store {
namespace {

using testing::binary_content;
using testing::commit;
using testing::make_message;
using testing::must_open;
using testing::options_for;
using testing::TempDir;

std::string query_text(const std::filesystem::path& db_path, const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  std::string out;
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(stmt, 0);
    out = text ? reinterpret_cast<const char*>(text) : "";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

TEST(StoreLifecycle, ReopenedStoreHasEverything) {
  TempDir dir;
  {
    auto store = must_open(options_for(dir));
    for (int i = 0; i < 30; ++i) {
      ASSERT_FALSE(commit(*store, make_message("R" + std::to_string(i), binary_content(3000 + i, i),
                                               {"x@y", "z@y"})));
    }
  }
  auto store = must_open(options_for(dir));
  auto all = store->list_messages(100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 30u);
  for (int i = 0; i < 30; ++i) {
    auto m = store->load_message("R" + std::to_string(i));
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->content, binary_content(3000 + i, i));
    EXPECT_EQ(m->recipients.size(), 2u);
  }
  EXPECT_EQ(store->stats().transactions, 0u);  // counters belong to the Store object
}

TEST(StoreLifecycle, FileIsWalVersionedAndPrivate) {
  TempDir dir;
  auto store = must_open(options_for(dir));
  const auto db_path = dir.data_dir() / "queue.db";
  EXPECT_EQ(query_text(db_path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query_text(db_path, "PRAGMA user_version"), "2");
  struct stat st {};
  ASSERT_EQ(::stat(dir.data_dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(db_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);
}

TEST(StoreLifecycle, SecondOpenOfTheSameDirectoryIsRefused) {
  TempDir dir;
  auto first = must_open(options_for(dir));
  auto second = open_store(options_for(dir));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error(), std::errc::device_or_resource_busy);
  first.reset();
  EXPECT_TRUE(open_store(options_for(dir)).ok());
}

TEST(StoreLifecycle, ForeignOrNewerDatabasesAreRefused) {
  struct Case {
    const char* name;
    const char* sql;
  };
  const Case cases[] = {
      {"newer-schema", "PRAGMA user_version = 3"},
      {"someone-elses-tables", "CREATE TABLE t (x)"},
      {"version-1-without-its-tables", "CREATE TABLE t (x); PRAGMA user_version = 1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    TempDir dir;
    std::filesystem::create_directory(dir.data_dir());
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.data_dir() / "queue.db").c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, c.sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    auto store = open_store(options_for(dir));
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.error(), std::errc::not_supported);
  }
}

TEST(StoreLifecycle, MissingParentDirectoryIsAnError) {
  TempDir dir;
  StoreOptions options;
  options.data_dir = dir.path() / "no" / "such";
  auto store = open_store(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error(), std::errc::no_such_file_or_directory);
}

// A lease taken by a process that then dies is cleared when the store opens again, so the
// recipient is due at once instead of waiting for the lease to expire.
TEST(StoreLifecycle, StartupClearsStaleLeases) {
  constexpr std::uint64_t kNow = 1'800'000'000'000;
  constexpr std::uint64_t kHour = 3'600'000;
  TempDir dir;
  {
    auto store = must_open(options_for(dir));
    ASSERT_FALSE(commit(*store, make_message("M", "x", {"a@x", "b@x"})));
    auto leased = testing::lease(*store, {"dead-node", kNow, kHour, 10});
    ASSERT_TRUE(leased.ok());
    EXPECT_EQ(leased->size(), 2u);
    EXPECT_TRUE(testing::lease(*store, {"other", kNow, kHour, 10})->empty());
  }
  auto store = must_open(options_for(dir));
  // Reported, so start-up can log the at-least-once window.
  const auto& interrupted = store->interrupted_at_open();
  ASSERT_EQ(interrupted.size(), 2u);
  EXPECT_EQ(interrupted[0].queue_id, "M");
  EXPECT_EQ(interrupted[0].address, "a@x");
  EXPECT_EQ(interrupted[1].address, "b@x");
  auto again = testing::lease(*store, {"new-node", kNow, kHour, 10});
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 2u);
  EXPECT_EQ((*again)[0].attempts, 0);  // an unknown outcome is not counted as an attempt
  // Recorded outcomes leave no lease behind: the next open reports nothing.
  std::vector<RecipientOutcome> outcomes;
  for (const auto& r : *again) {
    outcomes.push_back({.queue_id = r.queue_id,
                        .rcpt_index = r.rcpt_index,
                        .state = RecipientState::delivered,
                        .last_reply = "250 ok"});
  }
  ASSERT_FALSE(testing::record(*store, std::move(outcomes)));
  store.reset();
  store = must_open(options_for(dir));
  EXPECT_TRUE(store->interrupted_at_open().empty());
}

// The WAL is copied back into queue.db by the checkpointer thread once it has grown by 1000
// frames; the data stays intact across it and across a reopen.
TEST(StoreLifecycle, CheckpointsRunAndKeepTheData) {
  TempDir dir;
  auto store = must_open(options_for(dir));
  constexpr int kMessages = 600;  // several WAL frames each: well past 1000 frames
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_FALSE(commit(*store, make_message("C" + std::to_string(i), binary_content(4096, i))));
  }
  // The checkpoint runs on its own thread: wait for it (bounded), not for a duration.
  for (int waited = 0; store->stats().checkpoints == 0 && waited < 3000; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(store->stats().checkpoints, 1u);
  store.reset();
  store = must_open(options_for(dir));
  for (int i = 0; i < kMessages; i += 37) {
    EXPECT_EQ(store->load_message("C" + std::to_string(i))->content, binary_content(4096, i));
  }
  EXPECT_EQ(store->list_messages(10'000)->size(), kMessages * 1u);
}

}  // namespace
}  // namespace postern::store
