#include "loadgen/smtp_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace postern::loadgen {

namespace {
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 16 * 1024;
}  // namespace

SmtpStream::SmtpStream(const asio::any_io_executor& executor, asio::ssl::context& tls)
    : stream_(executor, tls) {
  buffer_.reserve(4096);
}

SmtpStream::SmtpStream(asio::ip::tcp::socket socket, asio::ssl::context& tls)
    : stream_(std::move(socket), tls) {
  buffer_.reserve(4096);
}

asio::awaitable<error_code> SmtpStream::async_handshake(
    asio::ssl::stream_base::handshake_type type) {
  buffer_.clear();
  begin_ = 0;
  auto [ec] = co_await stream_.async_handshake(type, kNoThrow);
  if (!ec) tls_ = true;
  co_return ec;
}

asio::awaitable<error_code> SmtpStream::async_write(std::string_view data) {
  auto buffer = asio::buffer(data.data(), data.size());
  if (tls_) {
    auto [ec, n] = co_await asio::async_write(stream_, buffer, kNoThrow);
    co_return ec;
  }
  auto [ec, n] = co_await asio::async_write(stream_.next_layer(), buffer, kNoThrow);
  co_return ec;
}

bool SmtpStream::has_buffered_line() const {
  return buffer_.find("\r\n", begin_) != std::string::npos;
}

asio::awaitable<error_code> SmtpStream::async_fill() {
  if (begin_ > 0) {
    buffer_.erase(0, begin_);
    begin_ = 0;
  }
  const std::size_t used = buffer_.size();
  buffer_.resize(used + kReadChunk);
  auto target = asio::buffer(buffer_.data() + used, kReadChunk);
  std::size_t n = 0;
  error_code ec;
  if (tls_) {
    std::tie(ec, n) = co_await stream_.async_read_some(target, kNoThrow);
  } else {
    std::tie(ec, n) = co_await stream_.next_layer().async_read_some(target, kNoThrow);
  }
  buffer_.resize(used + n);
  co_return ec;
}

asio::awaitable<error_code> SmtpStream::async_read_line(std::string_view& line) {
  std::size_t scan = begin_;
  for (;;) {
    const std::size_t end = buffer_.find("\r\n", scan);
    if (end != std::string::npos) {
      line = std::string_view(buffer_).substr(begin_, end - begin_);
      begin_ = end + 2;
      co_return error_code{};
    }
    if (buffer_.size() - begin_ > kMaxLine) co_return asio::error::message_size;
    // Resume the search one byte early: the CR may be the last byte read so far.
    const std::size_t seen = buffer_.size() - begin_;
    if (auto ec = co_await async_fill()) co_return ec;
    scan = begin_ + (seen > 0 ? seen - 1 : 0);
  }
}

void SmtpStream::close() {
  error_code ignored;
  stream_.next_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.next_layer().close(ignored);
}

}  // namespace postern::loadgen
