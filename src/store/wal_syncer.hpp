#pragma once
// The second half of a group commit (docs/store-format.md §5): the writer thread COMMITs a
// batch with its WAL fsync deferred (wal_write_vfs.hpp) and hands the batch here; this thread
// fdatasyncs the WAL and only then finishes the batch's jobs, so their callers learn of the
// commit only once it is durable. Meanwhile the writer applies and writes the next batch:
// the CPU work of one batch overlaps the disk wait of the one before.
//
// Batches are finished in the order they were committed. Batches waiting together share one
// fdatasync (the WAL is appended in order, so a sync covers every frame written before it).
// A failed sync is never retried (fsyncgate: Linux may have dropped the pages that failed):
// the batches it covered and every batch handed over later fail with storage_failure, and the
// store's refusing state is set, so no further write is accepted.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "store/write_job.hpp"

namespace postern::store {

using WriteBatch = std::vector<std::unique_ptr<WriteJob>>;

// What succeeded jobs did, for StoreStats.
struct JobCounters {
  std::atomic<std::uint64_t> messages{0};  // messages committed
  std::atomic<std::uint64_t> pruned{0};    // finished messages deleted
};

// Finishes each job with its result, counting what those that succeeded did.
void finish_batch(WriteBatch& jobs, const std::vector<core::Status>& results,
                  JobCounters& counters);

class WalSyncer {
 public:
  // Makes the frames written to `fd` durable; returns 0 or an errno value. ::fdatasync unless
  // a test injects a failure or a delay.
  using SyncFunction = std::function<int(int fd)>;

  // REQUIRES: `refusing` and `counters` outlive this object.
  WalSyncer(std::atomic<bool>& refusing, JobCounters& counters, SyncFunction sync = {});
  ~WalSyncer();  // stop()
  WalSyncer(const WalSyncer&) = delete;
  WalSyncer& operator=(const WalSyncer&) = delete;

  // Takes a committed batch whose WAL sync was deferred on `fd`. Thread-safe. Never blocks on
  // I/O when `writer_has_more` (the writer has work to overlap with the sync); otherwise, if
  // nothing else is in flight either, syncs and finishes the batch on the calling thread,
  // which saves a thread hand-off per commit when the load is light. After stop() the batch is
  // finished at once as a storage failure (its durability is unknown).
  void submit(int fd, WriteBatch jobs, std::vector<core::Status> results, bool writer_has_more);

  // Blocks until fewer than `limit` submitted batches are waiting or being synced. The writer
  // calls it before it takes its next batch, so it stays at most one transaction ahead of the
  // disk: what arrives meanwhile gathers into the next batch instead of into many small
  // transactions, each of which would rewrite the same b-tree pages into the WAL.
  void wait_for_room(std::size_t limit);

  // Syncs and finishes everything submitted so far, then joins the thread. Idempotent.
  void stop();

  // fdatasync calls made, for StoreStats.
  [[nodiscard]] std::uint64_t syncs() const { return syncs_.load(); }

 private:
  struct Committed {
    int fd;
    WriteBatch jobs;
    std::vector<core::Status> results;
  };

  void run();
  void complete(std::deque<Committed>& ready);

  std::atomic<bool>& refusing_;
  JobCounters& counters_;
  SyncFunction sync_;
  bool failed_ = false;  // syncer thread only: a sync failed; nothing after it is durable
  std::atomic<std::uint64_t> syncs_{0};

  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable room_;
  std::deque<Committed> queue_;  // guarded by mu_
  std::size_t in_flight_ = 0;    // guarded by mu_: submitted, not yet finished
  bool stopping_ = false;        // guarded by mu_
  std::thread thread_;           // last: starts after every other member is ready
};

}  // namespace postern::store
