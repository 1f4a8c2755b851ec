#include "store/wal_syncer.hpp"

#include <unistd.h>

#include <cerrno>
#include <utility>

namespace postern::store {
namespace {

int fdatasync_or_errno(int fd) { return ::fdatasync(fd) == 0 ? 0 : errno; }

}  // namespace

void finish_batch(WriteBatch& jobs, const std::vector<core::Status>& results,
                  JobCounters& counters) {
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (!results[i]) {
      counters.messages.fetch_add(jobs[i]->messages());
      counters.pruned.fetch_add(jobs[i]->pruned());
    }
    jobs[i]->finish(results[i]);
  }
}

WalSyncer::WalSyncer(std::atomic<bool>& refusing, JobCounters& counters, SyncFunction sync)
    : refusing_(refusing), counters_(counters), sync_(sync ? std::move(sync) : fdatasync_or_errno) {
  thread_ = std::thread([this] { run(); });
}

WalSyncer::~WalSyncer() { stop(); }

void WalSyncer::submit(int fd, WriteBatch jobs, std::vector<core::Status> results,
                       bool writer_has_more) {
  {
    std::unique_lock lock(mu_);
    if (!stopping_ && in_flight_ == 0 && !writer_has_more) {
      in_flight_ = 1;  // keeps the syncer thread's batches (none now) behind this one
      lock.unlock();
      std::deque<Committed> ready;
      ready.push_back({fd, std::move(jobs), std::move(results)});
      complete(ready);
      lock.lock();
      in_flight_ = 0;
      room_.notify_all();
      return;
    }
    if (!stopping_) {
      ++in_flight_;
      queue_.push_back({fd, std::move(jobs), std::move(results)});
      wake_.notify_one();
      return;
    }
  }
  std::vector<core::Status> failed(jobs.size(), make_error_code(core::Errc::storage_failure));
  finish_batch(jobs, failed, counters_);
}

void WalSyncer::wait_for_room(std::size_t limit) {
  std::unique_lock lock(mu_);
  room_.wait(lock, [&] { return in_flight_ < limit; });
}

void WalSyncer::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void WalSyncer::run() {
  for (;;) {
    std::deque<Committed> ready;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      ready.swap(queue_);
    }
    const std::size_t taken = ready.size();
    complete(ready);
    {
      std::lock_guard lock(mu_);
      in_flight_ -= taken;
    }
    room_.notify_all();
  }
}

// One sync per descriptor covers every batch taken (all were written before it started).
void WalSyncer::complete(std::deque<Committed>& ready) {
  if (!failed_) {
    int synced_fd = -1;
    for (const Committed& batch : ready) {
      if (batch.fd == synced_fd) continue;
      syncs_.fetch_add(1);
      if (sync_(batch.fd) != 0) {
        failed_ = true;
        refusing_.store(true);
        break;
      }
      synced_fd = batch.fd;
    }
  }
  for (Committed& batch : ready) {
    if (failed_) {
      // Not known to be durable: as a failed COMMIT (store-format.md §6, refusing state).
      for (core::Status& r : batch.results) {
        if (!r) r = make_error_code(core::Errc::storage_failure);
      }
    }
    finish_batch(batch.jobs, batch.results, counters_);
  }
}

}  // namespace postern::store
