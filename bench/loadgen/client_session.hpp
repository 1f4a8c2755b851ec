#pragma once
// One client SMTP submission session: connect, EHLO, STARTTLS (RFC 3207), EHLO, AUTH PLAIN
// (RFC 4954), then messages (MAIL, RCPT, DATA; pipelined per RFC 2920 when offered), QUIT.
// Every failure is recorded in ThreadStats by kind ("<step>_<reply code|io|eof|timeout>").
// A watchdog closes the socket when one step takes longer than the timeout.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "loadgen/message.hpp"
#include "loadgen/options.hpp"
#include "loadgen/smtp_stream.hpp"
#include "loadgen/stats.hpp"

namespace postern::loadgen {

// Shared, read-only while sessions run.
struct ClientConfig {
  const Options& options;
  asio::ssl::context& tls;
  asio::ip::tcp::endpoint endpoint;
  const MessageFactory& messages;
  std::string auth_plain;  // base64("\0user\0password")
};

struct Reply {
  int code = 0;       // 0 when the reply was malformed
  std::string text;   // every line's text after the code, joined with '\n'
};

enum class SendResult { accepted, rejected, broken };

class ClientSession : public std::enable_shared_from_this<ClientSession> {
 public:
  ClientSession(const asio::any_io_executor& executor, const ClientConfig& config,
                ThreadStats& stats);

  // Up to an authenticated session. False (and the kind recorded, refused counted) on failure.
  [[nodiscard]] asio::awaitable<bool> async_open();
  // One message; records the latency from writing the final dot to reading the 250.
  [[nodiscard]] asio::awaitable<SendResult> async_send(std::uint64_t seq);
  // NOOP on an idle session: true when it is still alive.
  [[nodiscard]] asio::awaitable<bool> async_noop();
  asio::awaitable<void> async_quit();
  // Stops the watchdog and closes the socket; call once when done with the session.
  void stop();
  // No timeout while the session is deliberately idle (idle mode).
  void disarm();

 private:
  using Clock = std::chrono::steady_clock;

  asio::awaitable<void> watchdog();
  void arm();
  [[nodiscard]] asio::awaitable<bool> async_command(std::string_view line, std::string_view step,
                                                    int expected_class, Reply& reply);
  [[nodiscard]] asio::awaitable<bool> async_reply(std::string_view step, int expected_class,
                                                  Reply& reply);
  [[nodiscard]] asio::awaitable<SendResult> async_send_envelope();
  void fail_io(std::string_view step, const error_code& ec);

  const ClientConfig& config_;
  ThreadStats& stats_;
  SmtpStream stream_;
  asio::steady_timer watchdog_;
  Clock::time_point deadline_ = Clock::time_point::max();
  bool stopped_ = false;
  bool timed_out_ = false;
  bool pipelining_ = false;
  std::string content_;
  std::string envelope_;
};

}  // namespace postern::loadgen
