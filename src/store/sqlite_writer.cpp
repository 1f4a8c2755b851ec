#include "store/sqlite_writer.hpp"

#include <algorithm>
#include <utility>

#include "store/wal_write_vfs.hpp"
#include "store/write_error.hpp"

namespace postern::store {
namespace {

// Ask for a checkpoint (copy WAL pages into queue.db) once the WAL holds this many frames;
// SQLite's default auto-checkpoint threshold. The checkpointer thread runs it, so neither the
// replies nor the next batch wait for it.
constexpr int kCheckpointFrames = 1000;

// Committed batches waiting for (or in) their WAL sync before the writer takes the next one:
// one syncing while the next is applied and written.
constexpr std::size_t kMaxBatchesInFlight = 2;

core::Status errc(core::Errc e) { return make_error_code(e); }

}  // namespace

SqliteWriter::SqliteWriter(Db db, std::unique_ptr<WriterStatements> stmts, Db checkpoint_db,
                           WalSyncer::SyncFunction sync)
    : db_(std::move(db)),
      stmts_(std::move(stmts)),
      checkpointer_(std::make_unique<Checkpointer>(std::move(checkpoint_db), refusing_)),
      syncer_(std::make_unique<WalSyncer>(refusing_, counters_, std::move(sync))),
      next_checkpoint_at_(kCheckpointFrames) {
  // Replaces SQLite's auto-checkpoint hook: a checkpoint error must not turn a successful
  // COMMIT into a failed one, and checkpoints should not delay the replies.
  sqlite3_wal_hook(db_.get(), &SqliteWriter::on_wal_commit, this);
  thread_ = std::thread([this] { run(); });
}

SqliteWriter::~SqliteWriter() {
  stop();
  syncer_.reset();
  checkpointer_.reset();
  // After a storage failure the WAL is left for the next start to recover from: no
  // checkpoint, not even the one SQLite runs when the last connection closes.
  if (refusing_.load()) {
    sqlite3_db_config(db_.get(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  }
  stmts_.reset();  // statements before their connection
}

void SqliteWriter::submit(std::unique_ptr<WriteJob> job) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(job));
      wake_.notify_one();
      return;
    }
  }
  job->finish(errc(core::Errc::store_unavailable));
}

bool SqliteWriter::has_queued_jobs() {
  std::lock_guard lock(mu_);
  return !queue_.empty();
}

void SqliteWriter::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  syncer_->stop();  // after the writer: it may still hand over its last batch
}

core::Status SqliteWriter::health() const {
  return refusing_.load() ? errc(core::Errc::store_unavailable) : core::Status{};
}

StoreStats SqliteWriter::stats() const {
  return {.transactions = transactions_.load(),
          .messages_committed = counters_.messages.load(),
          .largest_batch = largest_batch_.load(),
          .checkpoints = checkpointer_->runs(),
          .wal_syncs = syncer_->syncs(),
          .pruned = counters_.pruned.load()};
}

// Takes everything queued so far as one batch; what arrives meanwhile forms the next one.
void SqliteWriter::run() {
  for (;;) {
    syncer_->wait_for_room(kMaxBatchesInFlight);
    Batch batch;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      batch.swap(queue_);
    }
    run_batch(batch);
  }
}

// A batch whose COMMIT deferred its WAL sync goes to the syncer, which finishes its jobs once
// the sync succeeded; one that committed nothing (or synced in place) is finished here.
void SqliteWriter::run_batch(Batch& batch) {
  std::vector<core::Status> results(batch.size());
  std::vector<bool> live(batch.size(), true);  // still part of the transaction
  int deferred_sync_fd = -1;
  if (refusing_.load()) {
    fail_live(results, live, errc(core::Errc::store_unavailable));
  } else {
    while (try_transaction(batch, results, live, deferred_sync_fd) == Attempt::restart) {
    }
  }
  if (deferred_sync_fd >= 0) {
    syncer_->submit(deferred_sync_fd, std::move(batch), std::move(results), has_queued_jobs());
  } else {
    finish_batch(batch, results, counters_);
  }
  maybe_checkpoint();
}

// One BEGIN IMMEDIATE ... COMMIT over the live jobs. A job that fails alone is rolled back to
// its savepoint and leaves the batch. Returns restart if SQLite itself rolled the whole
// transaction back after a job's error (it may, e.g. on SQLITE_FULL): the other jobs' work is
// gone but nothing was committed, so they simply run again in a new transaction.
SqliteWriter::Attempt SqliteWriter::try_transaction(Batch& batch,
                                                    std::vector<core::Status>& results,
                                                    std::vector<bool>& live,
                                                    int& deferred_sync_fd) {
  if (std::none_of(live.begin(), live.end(), [](bool b) { return b; })) return Attempt::finished;
  const auto abort_with = [&](int rc) {
    rollback_if_open();
    const WriteError e = classify_write_error(rc);
    if (e.fatal) enter_refusing();
    fail_live(results, live, errc(e.errc));
    return Attempt::finished;
  };
  if (int rc = stmts_->begin.step_once(); rc != SQLITE_DONE) return abort_with(rc);
  std::uint64_t applied = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!live[i]) continue;
    JobResult result;
    if (int rc = apply_in_savepoint(*batch[i], result); rc != SQLITE_OK) return abort_with(rc);
    if (result.fatal) {
      rollback_if_open();
      enter_refusing();
      fail_live(results, live, errc(core::Errc::storage_failure));
      return Attempt::finished;
    }
    if (!result.status) {
      ++applied;
      continue;
    }
    results[i] = result.status;
    live[i] = false;
    if (sqlite3_get_autocommit(db_.get())) return Attempt::restart;
  }
  {
    WalSyncDeferral deferral;  // the COMMIT writes the frames; the syncer makes them durable
    if (int rc = stmts_->commit.step_once(); rc != SQLITE_DONE) return abort_with(rc);
    deferred_sync_fd = deferral.deferred_fd();
  }
  transactions_.fetch_add(1);
  std::uint64_t largest = largest_batch_.load();
  while (applied > largest && !largest_batch_.compare_exchange_weak(largest, applied)) {
  }
  return Attempt::finished;
}

// SAVEPOINT, apply, then RELEASE (kept) or ROLLBACK TO + RELEASE (dropped). Returns a SQLite
// code only when the savepoint statements themselves fail; the job's own result goes to
// `result`. If SQLite already ended the transaction, there is no savepoint left to touch.
int SqliteWriter::apply_in_savepoint(WriteJob& job, JobResult& result) {
  WriterStatements& s = *stmts_;
  if (int rc = s.savepoint.step_once(); rc != SQLITE_DONE) return rc;
  result = job.apply(s);
  if (result.fatal || sqlite3_get_autocommit(db_.get())) return SQLITE_OK;
  if (result.status) {
    if (int rc = s.rollback_to.step_once(); rc != SQLITE_DONE) return rc;
  }
  const int rc = s.release.step_once();
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

void SqliteWriter::fail_live(std::vector<core::Status>& results, const std::vector<bool>& live,
                             core::Status status) {
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (live[i]) results[i] = status;
  }
}

// After an I/O error nothing about the file can be trusted: the store stops writing.
void SqliteWriter::enter_refusing() { refusing_.store(true); }

void SqliteWriter::rollback_if_open() {
  if (!sqlite3_get_autocommit(db_.get())) {
    (void)stmts_->rollback.step_once();
  }
}

// One request per kCheckpointFrames new frames: a PASSIVE checkpoint that runs beside the
// writer rarely catches up with it completely, so the WAL does not restart and its size alone
// would ask for a checkpoint after every commit.
void SqliteWriter::maybe_checkpoint() {
  if (refusing_.load()) return;
  if (wal_frames_ < last_wal_frames_) next_checkpoint_at_ = kCheckpointFrames;  // WAL restarted
  last_wal_frames_ = wal_frames_;
  if (wal_frames_ < next_checkpoint_at_) return;
  next_checkpoint_at_ = wal_frames_ + kCheckpointFrames;
  checkpointer_->request();
}

int SqliteWriter::on_wal_commit(void* self, sqlite3*, const char*, int frames) {
  static_cast<SqliteWriter*>(self)->wal_frames_ = frames;
  return SQLITE_OK;
}

}  // namespace postern::store
