#include "store/checkpointer.hpp"

#include <utility>

#include "store/write_error.hpp"

namespace postern::store {

Checkpointer::Checkpointer(Db db, std::atomic<bool>& refusing)
    : db_(std::move(db)), refusing_(refusing) {
  // Only the writer's connection checkpoints on close (and only while the store is healthy).
  sqlite3_db_config(db_.get(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  thread_ = std::thread([this] { run(); });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Checkpointer::request() {
  {
    std::lock_guard lock(mu_);
    requested_ = true;
  }
  wake_.notify_one();
}

std::uint64_t Checkpointer::runs() const {
  std::lock_guard lock(mu_);
  return runs_;
}

void Checkpointer::run() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || requested_; });
      if (stopping_) return;
      requested_ = false;
    }
    if (refusing_.load()) continue;  // the file is not trusted any more: leave the WAL alone
    const int rc = sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                             nullptr, nullptr);
    // BUSY: a reader still uses old frames, or a checkpoint is already running; FULL: queue.db
    // cannot grow. The data stays safe in the WAL and a later checkpoint catches up. A failed
    // write or fsync of queue.db is a storage failure like any other.
    if (rc != SQLITE_OK && classify_write_error(rc).fatal) refusing_.store(true);
    std::lock_guard lock(mu_);
    ++runs_;
  }
}

}  // namespace postern::store
