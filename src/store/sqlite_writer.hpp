#pragma once
// The single writer: one thread owns the write connection and turns every request queued
// while it was busy into one transaction and one fsync (group commit). The fsync itself runs
// on the WalSyncer's thread while this one applies the next batch. See docs/store-format.md,
// "Commit protocol".

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "store/checkpointer.hpp"
#include "store/sqlite_db.hpp"
#include "store/store.hpp"
#include "store/wal_syncer.hpp"
#include "store/write_job.hpp"

namespace postern::store {

class SqliteWriter {
 public:
  // REQUIRES: `db` configured (configure_writer) and migrated; `stmts` prepared on it;
  // `checkpoint_db` a second connection to the same file, for the checkpointer.
  // Starts the writer and checkpointer threads.
  // `sync` replaces fdatasync of the WAL, for tests (WalSyncer::SyncFunction).
  SqliteWriter(Db db, std::unique_ptr<WriterStatements> stmts, Db checkpoint_db,
               WalSyncer::SyncFunction sync = {});
  ~SqliteWriter();  // stop()
  SqliteWriter(const SqliteWriter&) = delete;
  SqliteWriter& operator=(const SqliteWriter&) = delete;

  // Queues a job; thread-safe, never blocks on I/O. After stop() the job is finished at once
  // with store_unavailable.
  void submit(std::unique_ptr<WriteJob> job);

  // Lets the writer drain every queued job, then joins it. Idempotent.
  void stop();

  [[nodiscard]] core::Status health() const;
  [[nodiscard]] StoreStats stats() const;

 private:
  using Batch = WriteBatch;
  enum class Attempt { finished, restart };

  void run();
  [[nodiscard]] bool has_queued_jobs();
  void run_batch(Batch& batch);
  Attempt try_transaction(Batch& batch, std::vector<core::Status>& results, std::vector<bool>& live,
                          int& deferred_sync_fd);
  [[nodiscard]] int apply_in_savepoint(WriteJob& job, JobResult& result);
  void fail_live(std::vector<core::Status>& results, const std::vector<bool>& live,
                 core::Status status);
  void enter_refusing();
  void rollback_if_open();
  void maybe_checkpoint();
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int frames);

  Db db_;
  std::unique_ptr<WriterStatements> stmts_;
  std::atomic<bool> refusing_{false};  // set by the writer or the checkpointer, never cleared
  std::unique_ptr<Checkpointer> checkpointer_;
  JobCounters counters_;
  std::unique_ptr<WalSyncer> syncer_;

  std::mutex mu_;
  std::condition_variable wake_;
  Batch queue_;            // guarded by mu_
  bool stopping_ = false;  // guarded by mu_

  std::atomic<std::uint64_t> transactions_{0};
  std::atomic<std::uint64_t> largest_batch_{0};
  // Writer thread only: WAL size after the last commit, at the previous batch, and the size
  // at which the next checkpoint is due.
  int wal_frames_ = 0;
  int last_wal_frames_ = 0;
  int next_checkpoint_at_ = 0;

  std::thread thread_;  // last: starts after every other member is ready
};

}  // namespace postern::store
