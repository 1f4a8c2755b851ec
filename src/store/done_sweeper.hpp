#pragma once
// Retention (StoreOptions::keep_done): a thread that, every keep_done / 10 (between 1 s and
// 1 min), walks the queue once with Store::async_prune_done, a few hundred messages per write
// job so that no commit waits long behind it, and deletes the finished messages whose last
// outcome is older than keep_done.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "store/store.hpp"

namespace postern::store {

class DoneSweeper {
 public:
  // REQUIRES: `store` outlives this object, and its writer runs until this object is gone.
  DoneSweeper(Store& store, std::chrono::milliseconds keep_done);
  ~DoneSweeper();  // stops; a pass in progress ends after its current step
  DoneSweeper(const DoneSweeper&) = delete;
  DoneSweeper& operator=(const DoneSweeper&) = delete;

  [[nodiscard]] static std::chrono::milliseconds interval_for(std::chrono::milliseconds keep_done);

 private:
  void run();
  void sweep_once();
  [[nodiscard]] bool stopping();

  Store& store_;
  const std::chrono::milliseconds keep_done_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;     // last: starts after every other member is ready
};

}  // namespace postern::store
