#pragma once
// The socket driver for smtp::ServerSession: reads bytes, feeds the session, writes its output,
// performs its actions (TLS handshake, credential check, message store) and feeds the results
// back. No protocol decisions are made here (style.md §2).

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "auth/authenticator.hpp"
#include "server/accept.hpp"
#include "server/auth_throttle.hpp"
#include "server/background_pool.hpp"
#include "smtp/server_session.hpp"
#include "store/store.hpp"
#include "telemetry/logger.hpp"
#include "telemetry/metrics.hpp"

namespace postern::server {

// The listener's counters, registered once.
struct ServerMetrics {
  explicit ServerMetrics(telemetry::Registry& registry);
  telemetry::Counter& connections;
  telemetry::Counter& auth_success;
  telemetry::Counter& auth_failures;
  telemetry::Counter& accepted;
  telemetry::Counter& refused;
  telemetry::Gauge& active;
};

// The connections in flight, so that a shutdown reaches the idle ones at once: a client that
// keeps a pooled session open would otherwise hold the drain until its next command or its
// timeout. Thread-safe.
class ConnectionRegistry {
 public:
  using Id = std::uint64_t;
  // `on_stop` runs on `executor` (the connection's own) after stop_all(), if still registered.
  Id add(boost::asio::any_io_executor executor, std::function<void()> on_stop);
  void remove(Id id);
  // From now on stopping() is true; every registered connection's on_stop is posted.
  void stop_all();
  [[nodiscard]] bool stopping() const { return stopping_.load(); }

 private:
  struct Entry {
    boost::asio::any_io_executor executor;
    std::function<void()> on_stop;
  };
  void run_on_stop(Id id);

  mutable std::mutex mutex_;
  std::map<Id, Entry> entries_;  // guarded by mutex_
  Id next_id_ = 0;               // guarded by mutex_
  std::atomic<bool> stopping_{false};
};

// Everything connections share; owned by the SubmissionServer, outlives every connection.
struct ConnectionContext {
  smtp::SessionConfig session;
  AcceptOptions accept;
  std::shared_ptr<boost::asio::ssl::context> tls;
  auth::Authenticator* authenticator = nullptr;
  store::Store* store = nullptr;
  telemetry::Logger* log = nullptr;
  ServerMetrics* metrics = nullptr;
  // argon2id checks and TLS handshake steps, off the I/O threads (background_pool.hpp).
  BackgroundPool* background = nullptr;
  AuthThrottle* throttle = nullptr;
  std::atomic<int> active{0};         // connections in flight, for the drain
  ConnectionRegistry registry;        // for the shutdown
  std::function<void()> on_accepted;  // after each 250 (wakes delivery); may be empty
  std::chrono::milliseconds tls_handshake_timeout{std::chrono::seconds(30)};
};

// Serves one connection to the end. Never throws: I/O errors end the connection.
boost::asio::awaitable<void> async_serve_connection(boost::asio::ip::tcp::socket socket,
                                                    ConnectionContext& context);

}  // namespace postern::server
