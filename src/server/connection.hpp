#pragma once
// The socket driver for smtp::ServerSession: reads bytes, feeds the session, writes its output,
// performs its actions (TLS handshake, credential check, message store) and feeds the results
// back. No protocol decisions are made here (style.md §2).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <functional>
#include <memory>

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
  std::atomic<int> active{0};                    // connections in flight, for the drain
  std::function<void()> on_accepted;             // after each 250 (wakes delivery); may be empty
  std::chrono::milliseconds tls_handshake_timeout{std::chrono::seconds(30)};
};

// Serves one connection to the end. Never throws: I/O errors end the connection.
boost::asio::awaitable<void> async_serve_connection(boost::asio::ip::tcp::socket socket,
                                                    ConnectionContext& context);

}  // namespace postern::server
