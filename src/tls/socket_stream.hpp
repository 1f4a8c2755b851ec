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

#include <openssl/ssl.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <utility>

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
  // With `offload`, each handshake step (the public-key operations) runs there and the waits
  // for the peer stay on the socket's executor; the SSL object is used by one thread at a time.
  boost::asio::awaitable<boost::system::error_code> async_handshake(
      Role role, std::optional<boost::asio::any_io_executor> offload = std::nullopt);

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
  // What an SSL call returned, read on the thread that made the call (OpenSSL's error queue is
  // per thread).
  struct Outcome {
    int result = 0;
    int reason = SSL_ERROR_NONE;  // SSL_get_error
    unsigned long error = 0;      // ERR_get_error, for SSL_ERROR_SSL
    int saved_errno = 0;          // for SSL_ERROR_SYSCALL
  };
  [[nodiscard]] Outcome outcome_of(int result) const;
  [[nodiscard]] Outcome handshake_step();
  boost::asio::awaitable<Outcome> offloaded_handshake_step();
  // After a failed SSL call: waits for what OpenSSL wants and returns an empty error to retry,
  // or returns the error that ends the operation.
  boost::asio::awaitable<boost::system::error_code> await_retry(Outcome outcome);

  boost::asio::ip::tcp::socket& socket_;
  std::unique_ptr<SSL, SslFree> ssl_;
};

}  // namespace postern::tls
