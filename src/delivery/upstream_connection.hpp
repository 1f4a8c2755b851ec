#pragma once
// delivery::UpstreamConnection — the socket driver for smtp::ClientSession: one TCP (and TLS)
// connection to the provider. It connects, lets the session greet, upgrade and authenticate,
// then sends messages one at a time. No protocol decision is made here; the egress rule was
// checked when the configuration was loaded (invariant 4) and is checked again in open().

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <string>

#include "net/deadline.hpp"
#include "smtp/client_session.hpp"
#include "telemetry/logger.hpp"
#include "tls/socket_stream.hpp"

namespace postern::delivery {

struct UpstreamEndpoint {
  std::string host;
  std::uint16_t port = 587;
};

class UpstreamConnection {
 public:
  UpstreamConnection(boost::asio::any_io_executor executor,
                     std::shared_ptr<boost::asio::ssl::context> tls, UpstreamEndpoint endpoint,
                     smtp::ClientConfig config, telemetry::Logger log);

  // Connects and drives the session until it is ready to send or has failed.
  // Returns SessionFailure::none when ready().
  boost::asio::awaitable<smtp::SessionFailure> async_open();
  // REQUIRES: ready(). Sends one message and returns its result.
  boost::asio::awaitable<smtp::TransactionResult> async_send(smtp::OutgoingMessage message);
  // Says QUIT (bounded wait for the reply) and closes.
  boost::asio::awaitable<void> async_close();

  [[nodiscard]] bool ready() const { return session_.ready(); }
  [[nodiscard]] const smtp::ClientSession& session() const { return session_; }
  [[nodiscard]] bool tls_handshake_done() const { return tls_; }

 private:
  boost::asio::awaitable<bool> async_connect();
  // Drives the session (write, act, read) until `done()` or the session closed.
  template <class Done>
  boost::asio::awaitable<void> pump(Done done);
  boost::asio::awaitable<bool> flush();
  boost::asio::awaitable<bool> start_tls();
  boost::asio::awaitable<bool> read_some();
  void close_socket();

  UpstreamEndpoint endpoint_;
  std::shared_ptr<boost::asio::ssl::context> tls_context_;
  boost::asio::ip::tcp::socket socket_;
  std::optional<tls::SocketStream> stream_;  // made at STARTTLS, on the connected socket
  net::Deadline deadline_;
  smtp::ClientSession session_;
  telemetry::Logger log_;
  std::array<char, 8192> buffer_{};
  bool tls_ = false;
  bool connected_ = false;
  bool broken_ = false;
};

}  // namespace postern::delivery
