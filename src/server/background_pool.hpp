#pragma once
// server::BackgroundPool — a few threads for the CPU-heavy steps of setting a session up
// (argon2id password checks, the public-key operations of TLS handshakes), run away from the
// I/O threads and at a lower scheduling priority (a positive nice increment per thread).
//
// Why: on a busy server the I/O threads should finish work already accepted (a final dot
// waiting for its 250) before they spend a millisecond on a new client's RSA signature. With
// the heavy steps here, a connection in DATA never waits behind another one's handshake, and
// when the CPUs are short it is the new sessions that wait, not the messages in flight.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <thread>
#include <vector>

namespace postern::server {

class BackgroundPool {
 public:
  // `nice_increment`: added to each thread's nice value (0 keeps the process's priority; a
  // failure to lower it is ignored: the pool still works, only without the priority).
  BackgroundPool(std::size_t threads, int nice_increment);
  ~BackgroundPool();  // finishes queued work, then joins
  BackgroundPool(const BackgroundPool&) = delete;
  BackgroundPool& operator=(const BackgroundPool&) = delete;

  [[nodiscard]] boost::asio::any_io_executor executor() { return context_.get_executor(); }

  // Lets the threads finish the queued work and joins them. Idempotent.
  void join();

 private:
  boost::asio::io_context context_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
};

}  // namespace postern::server
