#include "http/admin_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "core/error.hpp"

namespace postern::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using Local = asio::local::stream_protocol;

constexpr std::uint64_t kMaxReplyBody = 64 * 1024 * 1024;  // a large captured message

// Runs one exchange as a chain of callbacks on a private io_context.
class Exchange {
 public:
  Exchange(asio::io_context& io, bhttp::request<bhttp::empty_body> request,
           std::chrono::milliseconds timeout)
      : stream_(io), request_(std::move(request)), timeout_(timeout) {
    parser_.body_limit(kMaxReplyBody);
  }

  void start(const std::string& path) {
    stream_.expires_after(timeout_);
    stream_.async_connect(Local::endpoint(path), [this](beast::error_code ec) {
      if (ec) return finish(ec);
      bhttp::async_write(stream_, request_, [this](beast::error_code ec, std::size_t) {
        if (ec) return finish(ec);
        bhttp::async_read(stream_, buffer_, parser_,
                          [this](beast::error_code ec, std::size_t) { finish(ec); });
      });
    });
  }

  [[nodiscard]] core::Result<AdminReply> result() {
    if (!error_) return make_error_code(core::Errc::timed_out);  // never finished
    if (*error_ == beast::error::timeout) return make_error_code(core::Errc::timed_out);
    if (*error_) return std::error_code(error_->value(), std::system_category());
    auto& res = parser_.get();
    AdminReply reply;
    reply.status = res.result_int();
    reply.content_type = std::string(res[bhttp::field::content_type]);
    reply.body = std::move(res.body());
    return reply;
  }

 private:
  void finish(beast::error_code ec) {
    error_ = ec;
    boost::system::error_code ignored;
    stream_.socket().close(ignored);
  }

  beast::basic_stream<Local> stream_;
  bhttp::request<bhttp::empty_body> request_;
  std::chrono::milliseconds timeout_;
  beast::flat_buffer buffer_;
  bhttp::response_parser<bhttp::string_body> parser_;
  std::optional<beast::error_code> error_;
};

}  // namespace

AdminClient::AdminClient(std::filesystem::path socket_path, std::chrono::milliseconds timeout)
    : path_(std::move(socket_path)), timeout_(timeout) {}

core::Result<AdminReply> AdminClient::request(std::string_view method,
                                              std::string_view target) const {
  bhttp::request<bhttp::empty_body> req;
  req.method(bhttp::string_to_verb(method));
  req.target(target);
  req.version(11);
  req.set(bhttp::field::host, "localhost");
  req.set(bhttp::field::user_agent, "postern-cli");
  req.keep_alive(false);
  req.prepare_payload();
  asio::io_context io;
  Exchange exchange(io, std::move(req), timeout_);
  try {
    exchange.start(path_.string());  // the endpoint throws for a path beyond sun_path
  } catch (const boost::system::system_error& e) {
    return std::error_code(e.code().value(), std::system_category());
  }
  io.run();
  return exchange.result();
}

bool AdminClient::is_no_listener(std::error_code ec) {
  return ec == std::errc::no_such_file_or_directory || ec == std::errc::connection_refused;
}

}  // namespace postern::http
