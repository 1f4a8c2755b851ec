// The commit's WAL sync: deferred by the write connection's VFS shim, run by the syncer, and
// only then the reply (docs/store-format.md §5).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "store/store.hpp"
#include "store/wal_write_vfs.hpp"
#include "store_test_support.hpp"

namespace postern::store {
namespace {

using namespace std::chrono_literals;
using testing::commit;
using testing::commit_async;
using testing::make_message;
using testing::must_open;
using testing::options_for;
using testing::TempDir;

// A WAL sync that waits until the test opens the gate, then really syncs.
struct SyncGate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  int calls = 0;

  int sync(int fd) {
    std::unique_lock lock(mu);
    ++calls;
    cv.notify_all();
    cv.wait(lock, [&] { return open; });
    return ::fdatasync(fd) == 0 ? 0 : errno;
  }
  bool wait_called() {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 5s, [&] { return calls > 0; });
  }
  void let_through() {
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  }
};

TEST(StoreSync, TheCommitIsReportedOnlyAfterTheWalSync) {
  TempDir dir;
  SyncGate gate;
  StoreOptions options = options_for(dir);
  options.wal_sync = [&](int fd) { return gate.sync(fd); };
  auto store = must_open(options);
  const WalSyncCounts before = wal_sync_counts();

  auto done = commit_async(*store, make_message("HELD"));
  ASSERT_TRUE(gate.wait_called());
  EXPECT_EQ(done.wait_for(100ms), std::future_status::timeout);  // no 250 before the sync
  gate.let_through();
  ASSERT_EQ(done.wait_for(5s), std::future_status::ready);
  EXPECT_FALSE(done.get());
  EXPECT_TRUE(store->load_message("HELD").ok());
  EXPECT_GE(store->stats().wal_syncs, 1u);
  EXPECT_GT(wal_sync_counts().deferred, before.deferred);
}

// A failed fsync is a failed commit and stops the store (never retried: fsyncgate). The
// message may or may not be on disk afterwards (docs/store-format.md §6): the sender was told
// 451 and retries; a duplicate is preferred to a loss.
TEST(StoreSync, AFailedWalSyncFailsTheCommitAndStopsTheStore) {
  TempDir dir;
  StoreOptions failing = options_for(dir);
  failing.wal_sync = [](int) { return EIO; };
  {
    auto store = must_open(failing);
    EXPECT_EQ(commit(*store, make_message("VICTIM")), core::Errc::storage_failure);
    EXPECT_EQ(store->health(), core::Errc::store_unavailable);
    EXPECT_EQ(commit(*store, make_message("LATER")), core::Errc::store_unavailable);
  }
  auto store = must_open(options_for(dir));
  EXPECT_FALSE(store->health());
  EXPECT_EQ(store->load_message("LATER").error(), core::Errc::not_found);
  EXPECT_FALSE(commit(*store, make_message("AFTER-RESTART")));
}

// Under concurrency the syncs are shared: never more syncs than transactions, and every
// commit acknowledged is readable.
TEST(StoreSync, ConcurrentCommitsShareSyncs) {
  TempDir dir;
  auto store = must_open(options_for(dir));
  std::vector<std::future<core::Status>> done;
  for (int i = 0; i < 200; ++i) {
    done.push_back(commit_async(*store, make_message("M-" + std::to_string(i))));
  }
  for (auto& d : done) EXPECT_FALSE(d.get());
  const StoreStats stats = store->stats();
  EXPECT_EQ(stats.messages_committed, 200u);
  EXPECT_GE(stats.wal_syncs, 1u);
  EXPECT_LE(stats.wal_syncs, stats.transactions);
  for (int i = 0; i < 200; i += 37) {
    EXPECT_TRUE(store->load_message("M-" + std::to_string(i)).ok());
  }
}

// The shim on its own: a commit's sync is deferred, but the sync of a freshly written WAL
// header (a new WAL, or one restarted after a full checkpoint) always runs in place.
class WalShim : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(wal_write_vfs(), nullptr);
    const std::string path = (dir_.path() / "shim.db").string();
    ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                              wal_write_vfs()),
              SQLITE_OK);
    exec("PRAGMA journal_mode = WAL");
    exec("PRAGMA synchronous = FULL");
    exec("PRAGMA wal_autocheckpoint = 0");
  }
  void TearDown() override { sqlite3_close(db_); }
  void exec(const char* sql) {
    ASSERT_EQ(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  }

  // Runs `sql` under a deferral; returns the counts' growth and whether a sync was deferred.
  struct Step {
    std::uint64_t in_place, deferred;
    bool has_fd;
  };
  Step deferred(const char* sql) {
    const WalSyncCounts before = wal_sync_counts();
    WalSyncDeferral deferral;
    exec(sql);
    const WalSyncCounts after = wal_sync_counts();
    return {after.in_place - before.in_place, after.deferred - before.deferred,
            deferral.deferred_fd() >= 0};
  }

  TempDir dir_;
  sqlite3* db_ = nullptr;
};

TEST_F(WalShim, HeaderSyncsRunInPlaceCommitSyncsAreDeferred) {
  // The first transaction starts the WAL: its header is synced in place, the commit deferred.
  Step first = deferred("CREATE TABLE t (x BLOB)");
  EXPECT_EQ(first.in_place, 1u);
  EXPECT_EQ(first.deferred, 1u);
  EXPECT_TRUE(first.has_fd);
  // An ordinary commit: only the deferred one.
  Step second = deferred("INSERT INTO t VALUES (zeroblob(100000))");
  EXPECT_EQ(second.in_place, 0u);
  EXPECT_EQ(second.deferred, 1u);
  // After a full checkpoint the next writer restarts the WAL with a new header.
  exec("PRAGMA wal_checkpoint(TRUNCATE)");
  Step restarted = deferred("INSERT INTO t VALUES (x'00')");
  EXPECT_EQ(restarted.in_place, 1u);
  EXPECT_EQ(restarted.deferred, 1u);
  // Without a deferral every sync runs in place.
  const WalSyncCounts before = wal_sync_counts();
  exec("INSERT INTO t VALUES (x'01')");
  EXPECT_EQ(wal_sync_counts().deferred, before.deferred);
  EXPECT_GT(wal_sync_counts().in_place, before.in_place);
}

}  // namespace
}  // namespace postern::store
