#pragma once
// A TCP connection that may be upgraded to TLS in place (STARTTLS, RFC 3207), with a buffered
// CRLF line reader. Used by both the client sessions and the sink. One stream belongs to one
// io_context thread; nothing here is thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/system/error_code.hpp>

namespace postern::loadgen {

namespace asio = boost::asio;
using boost::system::error_code;

class SmtpStream {
 public:
  // A line longer than this is a protocol error (RFC 5321 §4.5.3.1.6 allows 1000 octets; the
  // bound is generous because the sink also reads message content line by line).
  static constexpr std::size_t kMaxLine = 64 * 1024;

  SmtpStream(const asio::any_io_executor& executor, asio::ssl::context& tls);
  explicit SmtpStream(asio::ip::tcp::socket socket, asio::ssl::context& tls);

  asio::ip::tcp::socket& socket() { return stream_.next_layer(); }
  asio::ssl::stream<asio::ip::tcp::socket>& ssl() { return stream_; }
  [[nodiscard]] bool tls() const { return tls_; }

  // Runs the TLS handshake and switches every later read and write to TLS. Bytes read before
  // the handshake and not yet consumed are dropped (nothing read before STARTTLS survives it).
  [[nodiscard]] asio::awaitable<error_code> async_handshake(asio::ssl::stream_base::handshake_type type);
  // Writes all of `data`.
  [[nodiscard]] asio::awaitable<error_code> async_write(std::string_view data);
  // Reads one line; `line` excludes the CRLF and stays valid until the next read.
  [[nodiscard]] asio::awaitable<error_code> async_read_line(std::string_view& line);
  // True when a complete line is already buffered (the peer pipelined commands).
  [[nodiscard]] bool has_buffered_line() const;
  // Closes the socket without a TLS close_notify; pending operations end with an error.
  void close();

 private:
  [[nodiscard]] asio::awaitable<error_code> async_fill();

  asio::ssl::stream<asio::ip::tcp::socket> stream_;
  bool tls_ = false;
  std::string buffer_;
  std::size_t begin_ = 0;  // first unconsumed byte of buffer_
};

}  // namespace postern::loadgen
