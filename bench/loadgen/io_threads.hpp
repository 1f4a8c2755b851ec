#pragma once
// One io_context per thread (the same model as the server), so sessions never share a lock.

#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace postern::loadgen {

class IoThreads {
 public:
  explicit IoThreads(int count);
  [[nodiscard]] std::size_t size() const { return contexts_.size(); }
  boost::asio::io_context& context(std::size_t i) { return *contexts_[i % contexts_.size()]; }
  // Runs every context on its own thread and returns when all have run out of work.
  void run();
  // Makes run() return even if work is left (signal handling in sink mode).
  void stop();

 private:
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
};

// --threads 0 means one thread per core.
[[nodiscard]] int resolve_threads(int requested);

}  // namespace postern::loadgen
