#include "server/background_pool.hpp"

#include <sys/resource.h>
#include <unistd.h>

namespace postern::server {

BackgroundPool::BackgroundPool(std::size_t threads, int nice_increment)
    : guard_(boost::asio::make_work_guard(context_)) {
  if (threads == 0) threads = 1;
  for (std::size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this, nice_increment] {
      if (nice_increment > 0) {
        // Linux: the nice value is per thread (setpriority on the thread id).
        const int current = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
        (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), current + nice_increment);
      }
      context_.run();
    });
  }
}

BackgroundPool::~BackgroundPool() { join(); }

void BackgroundPool::join() {
  guard_.reset();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

}  // namespace postern::server
