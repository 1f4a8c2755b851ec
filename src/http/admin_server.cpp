#include "http/admin_server.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <vector>

#include "http/admin_api.hpp"

namespace postern::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using Local = asio::local::stream_protocol;
using Stream = beast::basic_stream<Local>;
using asio::awaitable;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

constexpr std::uint32_t kMaxHeader = 8 * 1024;
constexpr std::uint64_t kMaxBody = 64 * 1024;
constexpr auto kReadTimeout = std::chrono::seconds(30);
constexpr auto kWriteTimeout = std::chrono::seconds(30);

[[noreturn]] void fail(std::errc e, const std::string& what) {
  throw boost::system::system_error(std::make_error_code(e), what);
}

// A socket file left by a process that died is removed; a live one (another daemon answers)
// or any other kind of file is not touched.
void remove_stale_socket(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return;  // nothing there
  if (!S_ISSOCK(st.st_mode)) fail(std::errc::file_exists, path.string() + " is not a socket");
  asio::io_context probe_io;
  Local::socket probe(probe_io);
  boost::system::error_code ec;
  probe.connect(Local::endpoint(path.string()), ec);
  if (!ec) fail(std::errc::address_in_use, path.string() + " answers: another postern runs");
  ::unlink(path.c_str());
}

// File permissions are the authentication; this is a second check of the same rule.
bool peer_allowed(Local::socket& socket) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    return false;
  }
  return cred.uid == ::geteuid() || cred.uid == 0;
}

// The peer sent something that is not HTTP/1.1 (not: it closed, or stopped mid-message).
bool is_malformed(const beast::error_code& ec) {
  return ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

bhttp::response<bhttp::string_body> to_http(ApiResponse r, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
  res.set(bhttp::field::server, "postern");
  res.set(bhttp::field::content_type, r.content_type);
  res.set(bhttp::field::cache_control, "no-store");
  if (!r.allow.empty()) res.set(bhttp::field::allow, r.allow);
  res.body() = std::move(r.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

ApiResponse plain_error(unsigned status, std::string_view code) {
  ApiResponse r;
  r.status = status;
  r.body = "{\"error\":\"" + std::string(code) + "\",\"message\":\"" + std::string(code) + "\"}\n";
  return r;
}

}  // namespace

struct AdminServer::State {
  State(asio::io_context& io, store::Store& store, telemetry::Logger logger)
      : strand(asio::make_strand(io)), acceptor(strand), api(store), log(std::move(logger)) {}

  asio::strand<asio::io_context::executor_type> strand;
  Local::acceptor acceptor;
  AdminApi api;
  telemetry::Logger log;
  // On the strand only:
  bool stopped = false;
  std::vector<std::weak_ptr<Stream>> connections;
};

namespace {

using State = AdminServer::State;

// AdminApi may finish on a store thread; resume on the strand.
awaitable<ApiResponse> call_api(std::shared_ptr<State> s, std::string method, std::string target) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(ApiResponse)>(
      [s, method = std::move(method), target = std::move(target)](auto handler) {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        s->api.async_handle(method, target, [s, shared](ApiResponse r) {
          asio::post(s->strand, [shared, r = std::move(r)]() mutable { (*shared)(std::move(r)); });
        });
      },
      asio::use_awaitable);
}

// Reads one request; answers it (or the reason it could not be read). False: close.
awaitable<bool> serve_one(std::shared_ptr<State> s, Stream& stream, beast::flat_buffer& buffer) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(kMaxHeader);
  parser.body_limit(kMaxBody);
  stream.expires_after(kReadTimeout);
  auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
  ApiResponse response;
  unsigned version = 11;
  bool keep_alive = false;
  if (ec == bhttp::error::body_limit) {
    response = plain_error(413, "request_too_large");
  } else if (ec == bhttp::error::header_limit) {
    response = plain_error(431, "header_too_large");
  } else if (is_malformed(ec)) {
    response = plain_error(400, "bad_request");
  } else if (ec) {
    co_return false;  // closed, timed out, or cut off mid-request: nobody to answer
  } else {
    const auto& req = parser.get();
    version = req.version();
    keep_alive = req.keep_alive();
    response = co_await call_api(s, std::string(req.method_string()), std::string(req.target()));
    if (req.method() != bhttp::verb::get) {
      // Operator changes are logged (a delete is how a message may leave the queue).
      const std::string method(req.method_string());
      const std::string target(req.target());
      s->log.info("admin_request",
                  {{"method", method}, {"target", target}, {"status", response.status}});
    }
  }
  auto res = to_http(std::move(response), version, keep_alive);
  stream.expires_after(kWriteTimeout);
  auto [wec, written] = co_await bhttp::async_write(stream, res, kNoThrow);
  co_return !wec && keep_alive;
}

awaitable<void> serve(std::shared_ptr<State> s, Local::socket socket) {
  auto stream = std::make_shared<Stream>(std::move(socket));
  std::erase_if(s->connections, [](const auto& w) { return w.expired(); });
  s->connections.push_back(stream);
  beast::flat_buffer buffer;
  while (!s->stopped && co_await serve_one(s, *stream, buffer)) {
  }
  boost::system::error_code ignored;
  stream->socket().shutdown(Local::socket::shutdown_send, ignored);
  stream->socket().close(ignored);
}

awaitable<void> accept_loop(std::shared_ptr<State> s) {
  for (;;) {
    auto [ec, socket] = co_await s->acceptor.async_accept(kNoThrow);
    if (s->stopped || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Out of descriptors, most likely: wait a little rather than spin.
      s->log.warn("admin_accept_failed", {{"error", ec.message()}});
      asio::steady_timer pause(s->strand, std::chrono::milliseconds(200));
      co_await pause.async_wait(kNoThrow);
      continue;
    }
    if (!peer_allowed(socket)) {
      s->log.warn("admin_peer_refused");
      continue;
    }
    asio::co_spawn(s->strand, serve(s, std::move(socket)), asio::detached);
  }
}

}  // namespace

AdminServer::AdminServer(asio::io_context& io, store::Store& store,
                         std::filesystem::path socket_path, telemetry::Logger log)
    : state_(std::make_shared<State>(io, store, std::move(log))), path_(std::move(socket_path)) {}

AdminServer::~AdminServer() { stop(); }

void AdminServer::start() {
  remove_stale_socket(path_);
  const Local::endpoint endpoint(path_.string());  // throws if longer than sun_path
  auto& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol());
  acceptor.bind(endpoint);
  // The data directory is 0700, so the moment between bind and chmod exposes nothing.
  if (::chmod(path_.c_str(), 0600) != 0) {
    throw boost::system::system_error(errno, boost::system::system_category(), "chmod");
  }
  acceptor.listen();
  started_ = true;
  asio::co_spawn(state_->strand, accept_loop(state_), asio::detached);
  state_->log.info("admin_listening", {{"socket", path_.string()}});
}

void AdminServer::stop() {
  if (!started_.exchange(false)) return;
  ::unlink(path_.c_str());
  asio::post(state_->strand, [s = state_] {
    s->stopped = true;
    boost::system::error_code ignored;
    s->acceptor.close(ignored);
    for (auto& weak : s->connections) {
      if (auto stream = weak.lock()) stream->socket().close(ignored);
    }
  });
}

}  // namespace postern::http
