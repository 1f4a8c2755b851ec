#include "tls/socket_stream.hpp"

#include <openssl/err.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <tuple>

namespace postern::tls {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

SSL* make_ssl(tcp::socket& socket, asio::ssl::context& context) {
  SSL* ssl = SSL_new(context.native_handle());
  if (ssl == nullptr) return nullptr;
  // Partial writes: async_write loops itself, so a retried SSL_write never has to repeat
  // exactly the previous arguments. Released buffers: an idle session holds no record buffer.
  SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_RELEASE_BUFFERS);
  // Read ahead: one read(2) takes what the kernel has (several records), instead of one for
  // each record header and one for each body.
  SSL_set_read_ahead(ssl, 1);
  if (SSL_set_fd(ssl, socket.native_handle()) != 1) {
    SSL_free(ssl);
    return nullptr;
  }
  return ssl;
}

}  // namespace

SocketStream::SocketStream(tcp::socket& socket, asio::ssl::context& context)
    : socket_(socket), ssl_(make_ssl(socket, context)) {
  error_code ignored;
  socket_.non_blocking(true, ignored);  // OpenSSL's read(2)/write(2) must not block the thread
  ERR_clear_error();
}

SocketStream::Outcome SocketStream::outcome_of(int result) const {
  Outcome outcome{.result = result, .reason = SSL_get_error(ssl_.get(), result)};
  if (outcome.reason == SSL_ERROR_SYSCALL) outcome.saved_errno = errno;
  if (outcome.reason == SSL_ERROR_SSL || outcome.reason == SSL_ERROR_SYSCALL) {
    outcome.error = ERR_get_error();
  }
  ERR_clear_error();
  return outcome;
}

SocketStream::Outcome SocketStream::handshake_step() {
  ERR_clear_error();
  const int result = SSL_do_handshake(ssl_.get());
  return result == 1 ? Outcome{.result = 1} : outcome_of(result);
}

asio::awaitable<SocketStream::Outcome> SocketStream::offloaded_handshake_step() {
  co_return handshake_step();
}

asio::awaitable<error_code> SocketStream::await_retry(Outcome outcome) {
  switch (outcome.reason) {
    case SSL_ERROR_WANT_READ: {
      auto [ec] = co_await socket_.async_wait(tcp::socket::wait_read, kNoThrow);
      co_return ec;
    }
    case SSL_ERROR_WANT_WRITE: {
      auto [ec] = co_await socket_.async_wait(tcp::socket::wait_write, kNoThrow);
      co_return ec;
    }
    case SSL_ERROR_ZERO_RETURN:
      co_return error_code(asio::error::eof);
    case SSL_ERROR_SYSCALL:
      // errno 0: the peer closed TCP without close_notify.
      co_return outcome.saved_errno != 0
          ? error_code(outcome.saved_errno, boost::system::system_category())
          : error_code(asio::error::eof);
    default:
      co_return outcome.error != 0
          ? error_code(static_cast<int>(outcome.error), asio::error::get_ssl_category())
          : error_code(asio::error::fault);
  }
}

asio::awaitable<error_code> SocketStream::async_handshake(
    Role role, std::optional<asio::any_io_executor> offload) {
  if (!ok()) co_return error_code(asio::error::no_memory);
  if (role == Role::server) {
    SSL_set_accept_state(ssl_.get());
  } else {
    SSL_set_connect_state(ssl_.get());
  }
  for (;;) {
    Outcome step;
    if (offload) {
      step = co_await asio::co_spawn(*offload, offloaded_handshake_step(), asio::use_awaitable);
    } else {
      step = handshake_step();
    }
    if (step.result == 1) co_return error_code{};
    if (auto ec = co_await await_retry(step)) co_return ec;
  }
}

asio::awaitable<std::pair<error_code, std::size_t>> SocketStream::async_read_some(
    asio::mutable_buffer buffer) {
  if (buffer.size() == 0) co_return std::pair{error_code{}, std::size_t{0}};
  for (;;) {
    ERR_clear_error();
    std::size_t n = 0;
    const int result = SSL_read_ex(ssl_.get(), buffer.data(), buffer.size(), &n);
    if (result == 1) co_return std::pair{error_code{}, n};
    if (auto ec = co_await await_retry(outcome_of(result))) co_return std::pair{ec, std::size_t{0}};
  }
}

asio::awaitable<error_code> SocketStream::async_write(asio::const_buffer bytes) {
  const auto* data = static_cast<const char*>(bytes.data());
  std::size_t left = bytes.size();
  while (left > 0) {
    ERR_clear_error();
    std::size_t n = 0;
    const int result = SSL_write_ex(ssl_.get(), data, left, &n);
    if (result == 1) {
      data += n;
      left -= n;
      continue;
    }
    if (auto ec = co_await await_retry(outcome_of(result))) co_return ec;
  }
  co_return error_code{};
}

asio::awaitable<error_code> SocketStream::async_shutdown() {
  for (;;) {
    ERR_clear_error();
    const int result = SSL_shutdown(ssl_.get());
    if (result >= 0) co_return error_code{};  // 0: ours is sent; the peer's is not awaited
    if (auto ec = co_await await_retry(outcome_of(result))) co_return ec;
  }
}

}  // namespace postern::tls
