#include "loadgen/sink.hpp"

#include <cstdio>
#include <strings.h>

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "loadgen/io_threads.hpp"
#include "loadgen/smtp_stream.hpp"

namespace postern::loadgen {

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

bool verb_is(std::string_view line, std::string_view verb) {
  return line.size() >= verb.size() && strncasecmp(line.data(), verb.data(), verb.size()) == 0 &&
         (line.size() == verb.size() || line[verb.size()] == ' ');
}

// Reads DATA content up to the line "." (RFC 5321 §4.1.1.4). False when the stream ends.
asio::awaitable<bool> async_skip_content(SmtpStream& stream) {
  for (;;) {
    std::string_view line;
    if (co_await stream.async_read_line(line)) co_return false;
    if (line == ".") co_return true;
  }
}

class SinkSession {
 public:
  SinkSession(asio::ip::tcp::socket socket, asio::ssl::context& tls)
      : stream_(std::move(socket), tls) {}

  asio::awaitable<void> run() {
    replies_ = "220 sink.loadgen.example ESMTP postern_loadgen sink\r\n";
    for (int commands = 0; commands < 10'000'000; ++commands) {
      if (!stream_.has_buffered_line() && !co_await flush()) co_return;
      std::string_view line;
      if (co_await stream_.async_read_line(line)) co_return;
      if (!co_await handle(line)) co_return;
    }
  }

 private:
  // Replies to pipelined commands go out together, once no complete command is left buffered.
  asio::awaitable<bool> flush() {
    if (replies_.empty()) co_return true;
    const bool ok = !co_await stream_.async_write(replies_);
    replies_.clear();
    co_return ok;
  }

  asio::awaitable<bool> handle(std::string_view line) {
    if (verb_is(line, "EHLO")) {
      replies_ += stream_.tls() ? "250-sink.loadgen.example\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
                                  "250-SIZE 52428800\r\n250 AUTH PLAIN LOGIN\r\n"
                                : "250-sink.loadgen.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n";
    } else if (verb_is(line, "STARTTLS") && !stream_.tls()) {
      replies_ += "220 2.0.0 go ahead\r\n";
      if (!co_await flush()) co_return false;
      co_return !co_await stream_.async_handshake(asio::ssl::stream_base::server);
    } else if (verb_is(line, "AUTH")) {
      // "AUTH PLAIN <response>" completes at once; otherwise take one continuation line.
      if (line.find(' ', 5) == std::string_view::npos) {
        replies_ += "334 \r\n";
        if (!co_await flush()) co_return false;
        std::string_view response;
        if (co_await stream_.async_read_line(response)) co_return false;
      }
      replies_ += "235 2.7.0 accepted\r\n";
    } else if (verb_is(line, "DATA")) {
      replies_ += "354 go ahead\r\n";
      if (!co_await flush() || !co_await async_skip_content(stream_)) co_return false;
      replies_ += "250 2.0.0 queued\r\n";
    } else if (verb_is(line, "QUIT")) {
      replies_ += "221 2.0.0 bye\r\n";
      co_await flush();
      co_return false;
    } else {
      replies_ += "250 2.0.0 ok\r\n";
    }
    co_return true;
  }

  SmtpStream stream_;
  std::string replies_;
};

asio::awaitable<void> serve(asio::ip::tcp::socket socket, asio::ssl::context& tls) {
  SinkSession session(std::move(socket), tls);
  co_await session.run();
}

asio::awaitable<void> accept_loop(asio::ip::tcp::acceptor& acceptor, IoThreads& threads,
                                  asio::ssl::context& tls) {
  for (std::size_t n = 0;; ++n) {
    auto& context = threads.context(n);
    auto [ec, socket] = co_await acceptor.async_accept(context, kNoThrow);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;  // e.g. EMFILE: keep serving the others
    socket.set_option(asio::ip::tcp::no_delay(true), ec);
    asio::co_spawn(context, serve(std::move(socket), tls), asio::detached);
  }
}

asio::ssl::context make_server_tls(const Options& options) {
  asio::ssl::context tls(asio::ssl::context::tls_server);
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1);
  tls.use_certificate_chain_file(options.cert_file);
  tls.use_private_key_file(options.key_file, asio::ssl::context::pem);
  // The sink should cost as little as possible: no session cache, no TLS 1.3 tickets (the
  // load generator never resumes sessions anyway).
  SSL_CTX_set_session_cache_mode(tls.native_handle(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(tls.native_handle(), 0);
  return tls;
}

}  // namespace

int run_sink(const Options& options) {
  IoThreads threads(resolve_threads(options.threads));
  auto tls = make_server_tls(options);
  auto& first = threads.context(0);
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(options.host), options.sink_port);
  asio::ip::tcp::acceptor acceptor(first);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(4096);
  asio::co_spawn(first, accept_loop(acceptor, threads, tls), asio::detached);
  // Contexts other than the first have no work until a connection arrives: keep them running.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  for (std::size_t t = 0; t < threads.size(); ++t) {
    keep_running.push_back(asio::make_work_guard(threads.context(t)));
  }

  asio::signal_set signals(first, SIGINT, SIGTERM);
  asio::steady_timer timer(first);
  const auto stop = [&] { threads.stop(); };
  signals.async_wait([&](const error_code& ec, int) { if (!ec) stop(); });
  if (options.hold_s > 0) {
    timer.expires_after(std::chrono::milliseconds(static_cast<long>(options.hold_s * 1000)));
    timer.async_wait([&](const error_code& ec) { if (!ec) stop(); });
  }
  std::printf("{\"mode\":\"sink\",\"event\":\"listening\",\"port\":%u,\"threads\":%zu}\n",
              acceptor.local_endpoint().port(), threads.size());
  std::fflush(stdout);
  threads.run();
  return 0;
}

}  // namespace postern::loadgen
