#pragma once
// One io_context per thread (architecture: "Asio coroutines on a few threads"). A connection
// lives on one context for its whole life, so its handlers never run concurrently and need no
// strand; connections are spread round-robin.

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

namespace postern::server {

class IoPool {
 public:
  explicit IoPool(std::size_t threads);
  ~IoPool();
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  // The context for the next connection (round-robin). Thread-safe.
  boost::asio::io_context& next();
  boost::asio::io_context& first() { return *contexts_.front(); }

  // Runs every context on its own thread until stop().
  void start();
  // Lets the contexts finish their work: they return once no work is left.
  void release_work();
  void stop();
  void join();

 private:
  using Guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<Guard> guards_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace postern::server
