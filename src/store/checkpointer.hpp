#pragma once
// Copies WAL frames back into queue.db (a PASSIVE checkpoint) on a thread and connection of
// its own, so the writer keeps committing meanwhile: in WAL mode a checkpoint and a writer do
// not block each other. Requests that arrive while a checkpoint runs are coalesced.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "store/sqlite_db.hpp"

namespace postern::store {

class Checkpointer {
 public:
  // `db` is a connection of its own to queue.db. `refusing` is the store's refusing state,
  // shared with the writer: no checkpoint runs once it is set, and a checkpoint that fails with
  // an I/O error (queue.db could not be written or synced) sets it.
  // REQUIRES: `refusing` outlives this object.
  Checkpointer(Db db, std::atomic<bool>& refusing);
  ~Checkpointer();  // finishes a running checkpoint, drops a pending request, joins
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Asks for a checkpoint soon; never blocks on I/O. Thread-safe.
  void request();

  // Number of checkpoints run, for tests.
  [[nodiscard]] std::uint64_t runs() const;

 private:
  void run();

  Db db_;
  std::atomic<bool>& refusing_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool requested_ = false;  // guarded by mu_
  bool stopping_ = false;   // guarded by mu_
  std::uint64_t runs_ = 0;  // guarded by mu_
  std::thread thread_;      // last: starts after every other member is ready
};

}  // namespace postern::store
