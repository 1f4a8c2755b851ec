#pragma once
// tls::SocketStream — TLS straight on a TCP socket's descriptor (SSL_set_fd), driven by
// readiness waits on the Asio socket. Made for many long-lived, mostly idle sessions:
//  - no buffers of its own, and OpenSSL releases its record buffers whenever they are empty
//    (SSL_MODE_RELEASE_BUFFERS), so an idle session costs its SSL object and little more;
//  - Asio's ssl::stream keeps two 17 KiB buffers and a BIO pair with two more per session,
//    used or not (74 KiB per idle session in docs/benchmarks.md; the target is 512 MiB for
//    10,000 sessions).
//
// Contract: one operation at a time, from the socket's executor (a connection's coroutine).
// The socket is switched to non-blocking mode. A deadline cancels an operation by cancelling
// the socket (net::Deadline): the wait ends with operation_aborted. Every call clears
// OpenSSL's per-thread error queue first, since sessions share I/O threads.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <memory>
#include <utility>

#include <openssl/ssl.h>

namespace postern::tls {

enum class Role { client, server };

class SocketStream {
 public:
  // Makes the SSL object from `context` (nothing is sent yet). The socket must outlive the
  // stream. ok() is false if OpenSSL could not allocate the session.
  SocketStream(boost::asio::ip::tcp::socket& socket, boost::asio::ssl::context& context);

  [[nodiscard]] bool ok() const { return ssl_ != nullptr; }
  [[nodiscard]] SSL* native_handle() const { return ssl_.get(); }

  // The TLS handshake (RFC 8446 §4). Client: set SNI and verification on native_handle() first.
  boost::asio::awaitable<boost::system::error_code> async_handshake(Role role);

  // Up to buffer.size() decrypted octets; eof once the peer closed (close_notify or TCP FIN).
  boost::asio::awaitable<std::pair<boost::system::error_code, std::size_t>> async_read_some(
      boost::asio::mutable_buffer buffer);

  // Writes all of `bytes` (as TLS records), or fails.
  boost::asio::awaitable<boost::system::error_code> async_write(boost::asio::const_buffer bytes);

  // Sends close_notify (RFC 8446 §6.1) without waiting for the peer's: the connection is over.
  boost::asio::awaitable<boost::system::error_code> async_shutdown();

 private:
  struct SslFree {
    void operator()(SSL* ssl) const noexcept { SSL_free(ssl); }
  };
  // After an SSL call returned `result`: waits for what OpenSSL wants and returns an empty
  // error to retry, or returns the error that ends the operation.
  boost::asio::awaitable<boost::system::error_code> await_retry(int result);

  boost::asio::ip::tcp::socket& socket_;
  std::unique_ptr<SSL, SslFree> ssl_;
};

}  // namespace postern::tls
