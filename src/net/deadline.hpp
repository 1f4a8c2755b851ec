#pragma once
// net::Deadline — a time limit for one socket operation at a time (a read, a write, a TLS
// handshake). arm() before the operation, disarm() after it; if the time runs out first, the
// socket's pending operations are cancelled, its receiving side is shut down (nothing more is
// read from it), and disarm() reports the expiry. A generation
// number makes an expiry that raced with the operation's completion harmless: it can never
// cancel the next operation.
//
// Single-threaded: use it from the socket's executor only. The Deadline must outlive the
// socket operations it guards (it lives beside the socket in the connection object).

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>

namespace postern::net {

class Deadline {
 public:
  explicit Deadline(boost::asio::ip::tcp::socket& socket)
      : socket_(socket), timer_(socket.get_executor()) {}

  void arm(std::chrono::milliseconds timeout) {
    const auto generation = ++generation_;
    expired_ = false;
    timer_.expires_after(timeout);
    timer_.async_wait([this, generation](boost::system::error_code ec) {
      if (ec || generation != generation_) return;
      expired_ = true;
      boost::system::error_code ignored;
      socket_.cancel(ignored);
      // Also end the receiving side: a wait that starts after this point (a TLS handshake
      // step ran on another thread while the timer fired, so nothing was pending to cancel)
      // sees end of stream at once instead of waiting for a peer that may never send. Writes
      // still work, so a "421 timeout" can go out.
      socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_receive, ignored);
    });
  }

  // Ends the guarded operation; true if the deadline expired during it.
  bool disarm() {
    ++generation_;
    timer_.cancel();
    return expired_;
  }

  // The timer itself, for plain waits (e.g. a delay before a reply) between operations.
  boost::asio::steady_timer& timer() { return timer_; }

 private:
  boost::asio::ip::tcp::socket& socket_;
  boost::asio::steady_timer timer_;
  std::uint64_t generation_ = 0;
  bool expired_ = false;
};

}  // namespace postern::net
