// The second half of a group commit: jobs learn of their commit only after the WAL sync.
#include "store/wal_syncer.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace postern::store {
namespace {

using namespace std::chrono_literals;

// Records the order in which jobs were finished, their status and the finishing thread.
struct Journal {
  std::mutex mu;
  std::vector<std::string> finished;
  std::vector<core::Status> statuses;
  std::vector<std::thread::id> threads;
};

class FakeJob final : public WriteJob {
 public:
  FakeJob(std::string name, Journal& journal) : name_(std::move(name)), journal_(journal) {}
  JobResult apply(WriterStatements&) override { return JobResult::ok(); }
  void finish(core::Status status) override {
    std::lock_guard lock(journal_.mu);
    journal_.finished.push_back(name_);
    journal_.statuses.push_back(status);
    journal_.threads.push_back(std::this_thread::get_id());
  }
  std::uint64_t messages() const override { return 1; }

 private:
  std::string name_;
  Journal& journal_;
};

WriteBatch batch_of(Journal& journal, std::initializer_list<const char*> names) {
  WriteBatch jobs;
  for (const char* name : names) jobs.push_back(std::make_unique<FakeJob>(name, journal));
  return jobs;
}

std::vector<core::Status> all_ok(std::size_t n) { return std::vector<core::Status>(n); }

// A sync function that blocks until released and counts its calls.
class HeldSync {
 public:
  int operator()(int) {
    std::unique_lock lock(mu_);
    ++calls_;
    called_.notify_all();
    open_.wait(lock, [&] { return released_; });
    return result_;
  }
  void release(int result = 0) {
    std::lock_guard lock(mu_);
    released_ = true;
    result_ = result;
    open_.notify_all();
  }
  bool wait_for_calls(int n) {
    std::unique_lock lock(mu_);
    return called_.wait_for(lock, 5s, [&] { return calls_ >= n; });
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable called_, open_;
  int calls_ = 0;
  bool released_ = false;
  int result_ = 0;
};

std::size_t finished_count(Journal& journal) {
  std::lock_guard lock(journal.mu);
  return journal.finished.size();
}

bool wait_finished(Journal& journal, std::size_t n) {
  for (int i = 0; i < 500 && finished_count(journal) < n; ++i) std::this_thread::sleep_for(10ms);
  return finished_count(journal) >= n;
}

TEST(WalSyncer, JobsFinishOnlyAfterTheSyncReturned) {
  std::atomic<bool> refusing{false};
  JobCounters counters;
  HeldSync sync;
  WalSyncer syncer(refusing, counters, [&](int fd) { return sync(fd); });
  Journal journal;
  syncer.submit(7, batch_of(journal, {"a", "b"}), all_ok(2), /*writer_has_more=*/true);
  ASSERT_TRUE(sync.wait_for_calls(1));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(finished_count(journal), 0u);  // the sync has not returned: no reply yet
  sync.release();
  ASSERT_TRUE(wait_finished(journal, 2));
  EXPECT_EQ(journal.finished, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(journal.statuses[0]);
  EXPECT_FALSE(journal.statuses[1]);
  EXPECT_EQ(counters.messages.load(), 2u);
  EXPECT_FALSE(refusing.load());
  EXPECT_EQ(syncer.syncs(), 1u);
}

// Batches committed while a sync runs wait together and share the next sync, finishing in
// commit order.
TEST(WalSyncer, BatchesWaitingTogetherShareOneSyncInOrder) {
  std::atomic<bool> refusing{false};
  JobCounters counters;
  HeldSync first;
  std::atomic<int> later_syncs{0};
  WalSyncer syncer(refusing, counters, [&](int fd) {
    if (first.calls() == 0) return first(fd);
    ++later_syncs;
    return 0;
  });
  Journal journal;
  syncer.submit(7, batch_of(journal, {"1"}), all_ok(1), true);
  ASSERT_TRUE(first.wait_for_calls(1));
  syncer.submit(7, batch_of(journal, {"2a", "2b"}), all_ok(2), true);
  syncer.submit(7, batch_of(journal, {"3"}), all_ok(1), true);
  first.release();
  ASSERT_TRUE(wait_finished(journal, 4));
  EXPECT_EQ(journal.finished, (std::vector<std::string>{"1", "2a", "2b", "3"}));
  EXPECT_EQ(later_syncs.load(), 1);
  EXPECT_EQ(syncer.syncs(), 2u);
}

// fsyncgate: a failed sync is never retried; what it covered and everything after it fails,
// and the store refuses from then on. A job that had already failed alone keeps its error.
TEST(WalSyncer, AFailedSyncFailsItsBatchesAndEveryLaterOne) {
  std::atomic<bool> refusing{false};
  JobCounters counters;
  std::atomic<int> calls{0};
  WalSyncer syncer(refusing, counters, [&](int) {
    ++calls;
    return EIO;
  });
  Journal journal;
  std::vector<core::Status> results = all_ok(2);
  results[1] = make_error_code(core::Errc::disk_full);
  syncer.submit(7, batch_of(journal, {"a", "full"}), results, true);
  ASSERT_TRUE(wait_finished(journal, 2));
  syncer.submit(7, batch_of(journal, {"later"}), all_ok(1), true);
  ASSERT_TRUE(wait_finished(journal, 3));
  EXPECT_EQ(journal.statuses[0], core::Errc::storage_failure);
  EXPECT_EQ(journal.statuses[1], core::Errc::disk_full);
  EXPECT_EQ(journal.statuses[2], core::Errc::storage_failure);
  EXPECT_TRUE(refusing.load());
  EXPECT_EQ(calls.load(), 1);  // the later batch was failed without another sync
  EXPECT_EQ(counters.messages.load(), 0u);
}

// With nothing to overlap, the sync runs on the submitting thread (no hand-off).
TEST(WalSyncer, AnIdleWriterSyncsInPlace) {
  std::atomic<bool> refusing{false};
  JobCounters counters;
  WalSyncer syncer(refusing, counters, [](int) { return 0; });
  Journal journal;
  syncer.submit(7, batch_of(journal, {"a"}), all_ok(1), /*writer_has_more=*/false);
  ASSERT_EQ(finished_count(journal), 1u);  // already finished when submit returned
  EXPECT_EQ(journal.threads[0], std::this_thread::get_id());
  EXPECT_EQ(syncer.syncs(), 1u);
}

TEST(WalSyncer, TheWriterWaitsForRoomWhileTwoBatchesAreInFlight) {
  std::atomic<bool> refusing{false};
  JobCounters counters;
  HeldSync sync;
  WalSyncer syncer(refusing, counters, [&](int fd) { return sync(fd); });
  Journal journal;
  syncer.submit(7, batch_of(journal, {"1"}), all_ok(1), true);
  syncer.submit(7, batch_of(journal, {"2"}), all_ok(1), true);
  auto room = std::async(std::launch::async, [&] { syncer.wait_for_room(2); });
  EXPECT_EQ(room.wait_for(100ms), std::future_status::timeout);
  sync.release();
  EXPECT_EQ(room.wait_for(5s), std::future_status::ready);
  ASSERT_TRUE(wait_finished(journal, 2));
}

TEST(WalSyncer, StopFinishesEverythingSubmitted) {
  std::atomic<bool> refusing{false};
  JobCounters counters;
  Journal journal;
  {
    WalSyncer syncer(refusing, counters, [](int) {
      std::this_thread::sleep_for(20ms);
      return 0;
    });
    for (int i = 0; i < 5; ++i) {
      syncer.submit(7, batch_of(journal, {"x"}), all_ok(1), true);
    }
    syncer.stop();
    EXPECT_EQ(finished_count(journal), 5u);
    syncer.submit(7, batch_of(journal, {"after-stop"}), all_ok(1), true);
  }
  ASSERT_EQ(finished_count(journal), 6u);
  EXPECT_FALSE(journal.statuses[4]);
  EXPECT_EQ(journal.statuses[5], core::Errc::storage_failure);
}

}  // namespace
}  // namespace postern::store
