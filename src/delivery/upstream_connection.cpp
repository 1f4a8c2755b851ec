#include "delivery/upstream_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <tuple>

#include "tls/client_context.hpp"
#include "tls/peer.hpp"

namespace postern::delivery {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using asio::awaitable;
namespace {
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr auto kConnectTimeout = std::chrono::seconds(30);
constexpr auto kHandshakeTimeout = std::chrono::seconds(30);
constexpr auto kQuitTimeout = std::chrono::seconds(5);
}  // namespace

UpstreamConnection::UpstreamConnection(asio::any_io_executor executor,
                                       std::shared_ptr<asio::ssl::context> tls,
                                       UpstreamEndpoint endpoint, smtp::ClientConfig config,
                                       telemetry::Logger log)
    : endpoint_(std::move(endpoint)),
      tls_context_(std::move(tls)),
      socket_(executor),
      deadline_(socket_),
      session_(std::move(config)),
      log_(std::move(log)) {}

void UpstreamConnection::close_socket() {
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  broken_ = true;
}

awaitable<bool> UpstreamConnection::async_connect() {
  tcp::resolver resolver(socket_.get_executor());
  deadline_.arm(kConnectTimeout);
  auto [resolve_ec, results] =
      co_await resolver.async_resolve(endpoint_.host, std::to_string(endpoint_.port), kNoThrow);
  if (resolve_ec) {
    deadline_.disarm();
    log_.warn("upstream_resolve_failed",
              {{"host", endpoint_.host}, {"error", resolve_ec.message()}});
    co_return false;
  }
  auto [connect_ec, peer] = co_await asio::async_connect(socket_, results, kNoThrow);
  const bool timed_out = deadline_.disarm();
  if (connect_ec) {
    log_.warn("upstream_connect_failed",
              {{"host", endpoint_.host},
               {"port", endpoint_.port},
               {"error", timed_out ? std::string("timed out") : connect_ec.message()}});
    co_return false;
  }
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  connected_ = true;
  co_return true;
}

awaitable<bool> UpstreamConnection::flush() {
  std::string out = session_.take_output();
  if (out.empty() || broken_) co_return !broken_;
  deadline_.arm(session_.timeout());
  boost::system::error_code ec;
  if (tls_) {
    ec = co_await stream_->async_write(asio::buffer(out));
  } else {
    std::tie(ec, std::ignore) = co_await asio::async_write(socket_, asio::buffer(out), kNoThrow);
  }
  const bool timed_out = deadline_.disarm();
  if (ec) {
    timed_out ? session_.on_timeout() : session_.on_connection_lost();
    close_socket();
  }
  co_return !broken_;
}

awaitable<bool> UpstreamConnection::start_tls() {
  // Made now, on the connected socket: SSL_set_fd takes its descriptor.
  stream_.emplace(socket_, *tls_context_);
  if (!stream_->ok() || tls::prepare_client_ssl(stream_->native_handle(), endpoint_.host)) {
    session_.on_tls_failed();
    co_return false;
  }
  deadline_.arm(kHandshakeTimeout);
  const auto ec = co_await stream_->async_handshake(tls::Role::client);
  deadline_.disarm();
  if (ec) {
    log_.warn("upstream_tls_failed",
              {{"host", endpoint_.host},
               {"error", ec.message()},
               {"verify", tls::verify_result_text(stream_->native_handle())}});
    session_.on_tls_failed();
    close_socket();
    co_return false;
  }
  tls_ = true;
  session_.on_tls_established();
  co_return true;
}

awaitable<bool> UpstreamConnection::read_some() {
  deadline_.arm(session_.timeout());
  boost::system::error_code ec;
  std::size_t n = 0;
  if (tls_) {
    std::tie(ec, n) = co_await stream_->async_read_some(asio::buffer(buffer_));
  } else {
    std::tie(ec, n) = co_await socket_.async_read_some(asio::buffer(buffer_), kNoThrow);
  }
  const bool timed_out = deadline_.disarm();
  if (timed_out) {
    log_.warn("upstream_timeout",
              {{"host", endpoint_.host}, {"waited_ms", session_.timeout().count()}});
    session_.on_timeout();
    close_socket();
    co_return false;
  }
  if (ec) {
    session_.on_connection_lost();
    close_socket();
    co_return false;
  }
  session_.on_bytes(std::string_view(buffer_.data(), n));
  co_return true;
}

template <class Done>
awaitable<void> UpstreamConnection::pump(Done done) {
  while (!broken_) {
    if (!co_await flush()) break;
    bool stop = false;
    while (auto action = session_.take_action()) {
      if (std::holds_alternative<smtp::StartTlsAction>(*action)) {
        if (!co_await start_tls()) stop = true;
      } else {
        stop = true;  // CloseAction
      }
      if (stop || !co_await flush()) break;
    }
    if (stop) {
      co_await flush();
      close_socket();
      break;
    }
    if (done() || session_.closed()) break;
    if (!co_await read_some()) break;
  }
}

awaitable<smtp::SessionFailure> UpstreamConnection::async_open() {
  if (!co_await async_connect()) {
    session_.on_connection_lost();
    broken_ = true;
    co_return smtp::SessionFailure::connection_lost;
  }
  co_await pump([this] { return session_.ready(); });
  if (session_.ready()) co_return smtp::SessionFailure::none;
  const auto failure = session_.failure();
  co_return failure == smtp::SessionFailure::none ? smtp::SessionFailure::connection_lost : failure;
}

awaitable<smtp::TransactionResult> UpstreamConnection::async_send(smtp::OutgoingMessage message) {
  session_.send(std::move(message));
  std::optional<smtp::TransactionResult> result;
  co_await pump([&] {
    if (!result) result = session_.take_result();
    return result.has_value();
  });
  if (!result) result = session_.take_result();
  if (!result) {
    // The session ended without a result: nothing was confirmed for any recipient.
    result.emplace();
  }
  co_return std::move(*result);
}

awaitable<void> UpstreamConnection::async_close() {
  if (!broken_ && connected_) {
    session_.quit();
    const auto give_up = std::chrono::steady_clock::now() + kQuitTimeout;
    co_await pump([&] { return session_.closed() || std::chrono::steady_clock::now() > give_up; });
    if (tls_ && !broken_) {
      deadline_.arm(kQuitTimeout);
      co_await stream_->async_shutdown();
      deadline_.disarm();
    }
  }
  close_socket();
}

}  // namespace postern::delivery
