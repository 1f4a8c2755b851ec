// Disk full, I/O errors and the refusing state.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <future>

#include "core/error.hpp"
#include "store/store.hpp"
#include "store/write_error.hpp"
#include "store_test_support.hpp"

namespace postern::store {
namespace {

using testing::binary_content;
using testing::commit;
using testing::commit_async;
using testing::count_rows;
using testing::FileSizeLimit;
using testing::make_message;
using testing::must_open;
using testing::options_for;
using testing::TempDir;

// 64 pages of 4 KiB: room for the schema and small messages, not for a 1 MiB one.
StoreOptions small_disk(const TempDir& dir) {
  StoreOptions options = options_for(dir);
  options.max_page_count = 64;
  return options;
}

TEST(StoreFailure, DiskFullFailsThatMessageOnlyAndLeavesNothing) {
  TempDir dir;
  auto store = must_open(small_disk(dir));
  ASSERT_FALSE(commit(*store, make_message("SMALL-1")));
  EXPECT_EQ(commit(*store, make_message("BIG", binary_content(1 << 20, 1), {"a@x", "b@x"})),
            core::Errc::disk_full);
  EXPECT_FALSE(commit(*store, make_message("SMALL-2")));
  EXPECT_FALSE(store->health());  // disk full is not a storage failure

  EXPECT_EQ(store->load_message("BIG").error(), core::Errc::not_found);
  ASSERT_TRUE(store->load_message("SMALL-2").ok());
  store.reset();
  const auto db_path = dir.data_dir() / "queue.db";
  EXPECT_EQ(count_rows(db_path, "messages"), 2);
  EXPECT_EQ(count_rows(db_path, "recipients"), 2);  // none of BIG's two
}

// The big message fails inside a batch with good neighbours; they commit in the same
// transaction (its savepoint alone is rolled back).
TEST(StoreFailure, DiskFullInsideABatchFailsAlone) {
  TempDir dir;
  auto store = must_open(small_disk(dir));
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  store->async_commit(make_message("HOLD"), [&](core::Status) {
    entered.set_value();
    released.wait();
  });
  entered.get_future().wait();
  auto before = commit_async(*store, make_message("BEFORE"));
  auto big = commit_async(*store, make_message("BIG", binary_content(1 << 20, 2)));
  auto after = commit_async(*store, make_message("AFTER"));
  release.set_value();
  EXPECT_FALSE(before.get());
  EXPECT_EQ(big.get(), core::Errc::disk_full);
  EXPECT_FALSE(after.get());
  EXPECT_EQ(store->stats().transactions, 2u);
  EXPECT_TRUE(store->load_message("BEFORE").ok());
  EXPECT_TRUE(store->load_message("AFTER").ok());
  EXPECT_EQ(store->load_message("BIG").error(), core::Errc::not_found);
}

// A real I/O error at COMMIT: the WAL cannot grow, so writing the batch's frames fails.
// Every message of the batch gets storage_failure and the store refuses until reopened.
TEST(StoreFailure, IoErrorAtCommitStopsTheStoreUntilRestart) {
  TempDir dir;
  auto store = must_open(options_for(dir));
  ASSERT_FALSE(commit(*store, make_message("BEFORE", "kept")));
  const auto wal = dir.data_dir() / "queue.db-wal";
  {
    FileSizeLimit limit(std::filesystem::file_size(wal));  // no new WAL frame fits
    EXPECT_EQ(commit(*store, make_message("VICTIM")), core::Errc::storage_failure);
    EXPECT_EQ(store->health(), core::Errc::store_unavailable);
  }
  // The limit is gone, but the store does not trust the file any more.
  EXPECT_EQ(commit(*store, make_message("LATER")), core::Errc::store_unavailable);
  auto leased = testing::lease(*store, {"node", 1'800'000'000'000, 1000, 10});
  EXPECT_EQ(leased.error(), core::Errc::store_unavailable);
  EXPECT_TRUE(store->load_message("BEFORE").ok());  // reads still work for the operator
  store.reset();

  store = must_open(options_for(dir));
  EXPECT_FALSE(store->health());
  EXPECT_EQ(store->load_message("BEFORE")->content, "kept");
  EXPECT_EQ(store->load_message("VICTIM").error(), core::Errc::not_found);
  EXPECT_EQ(store->load_message("LATER").error(), core::Errc::not_found);
  EXPECT_FALSE(commit(*store, make_message("AFTER-RESTART")));
}

// The fsync failure itself (SQLITE_IOERR_FSYNC) cannot be provoked on a healthy disk; it takes
// the same path as the write error above, which is decided by this table.
TEST(StoreFailure, SqliteCodesMapToErrorsAndFatality) {
  struct Case {
    int rc;
    core::Errc errc;
    bool fatal;
  };
  const Case cases[] = {
      {SQLITE_IOERR_FSYNC, core::Errc::storage_failure, true},
      {SQLITE_IOERR_WRITE, core::Errc::storage_failure, true},
      {SQLITE_IOERR_DIR_FSYNC, core::Errc::storage_failure, true},
      {SQLITE_IOERR, core::Errc::storage_failure, true},
      {SQLITE_CORRUPT, core::Errc::storage_failure, true},
      {SQLITE_READONLY, core::Errc::storage_failure, true},
      {SQLITE_NOMEM, core::Errc::storage_failure, true},
      {SQLITE_FULL, core::Errc::disk_full, false},
      {SQLITE_CONSTRAINT_UNIQUE, core::Errc::already_exists, false},
      {SQLITE_CONSTRAINT_PRIMARYKEY, core::Errc::already_exists, false},
      {SQLITE_CONSTRAINT_CHECK, core::Errc::invalid_argument, false},
      {SQLITE_CONSTRAINT_FOREIGNKEY, core::Errc::invalid_argument, false},
      {SQLITE_TOOBIG, core::Errc::invalid_argument, false},
      {SQLITE_BUSY, core::Errc::timed_out, false},
      {SQLITE_BUSY_SNAPSHOT, core::Errc::timed_out, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(sqlite3_errstr(c.rc));
    const WriteError e = classify_write_error(c.rc);
    EXPECT_EQ(e.errc, c.errc);
    EXPECT_EQ(e.fatal, c.fatal);
  }
}

}  // namespace
}  // namespace postern::store
