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
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "loadgen/io_threads.hpp"
#include "loadgen/sink_auth.hpp"
#include "loadgen/sink_stats.hpp"
#include "loadgen/smtp_stream.hpp"

namespace postern::loadgen {

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

bool verb_is(std::string_view line, std::string_view verb) {
  return line.size() >= verb.size() && strncasecmp(line.data(), verb.data(), verb.size()) == 0 &&
         (line.size() == verb.size() || line[verb.size()] == ' ');
}

bool starts_with_ci(std::string_view line, std::string_view prefix) {
  return line.size() >= prefix.size() &&
         strncasecmp(line.data(), prefix.data(), prefix.size()) == 0;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Reads DATA content up to the line "." (RFC 5321 §4.1.1.4), adding its size (CRLF included)
// to `bytes`; with `want_id`, copies the Message-ID header's value (RFC 5322 §3.6.4; the
// generator writes it on one line) into `message_id`. False when the stream ends.
asio::awaitable<bool> async_read_content(SmtpStream& stream, bool want_id, std::uint64_t& bytes,
                                         std::string& message_id) {
  bool in_header = want_id;
  for (;;) {
    std::string_view line;
    if (co_await stream.async_read_line(line)) co_return false;
    if (line == ".") co_return true;
    bytes += line.size() + 2;
    if (!in_header) continue;
    if (line.empty()) {
      in_header = false;
    } else if (starts_with_ci(line, "Message-ID:")) {
      message_id = trim(line.substr(11));
    }
  }
}

class SinkSession {
 public:
  SinkSession(asio::ip::tcp::socket socket, asio::ssl::context& tls, const Options& options,
              SinkStats& stats)
      : stream_(std::move(socket), tls), options_(options), stats_(stats) {
    stats_.on_connection();
  }
  ~SinkSession() { stats_.on_close(messages_, quit_); }
  SinkSession(const SinkSession&) = delete;
  SinkSession& operator=(const SinkSession&) = delete;

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
      const bool ok = !co_await stream_.async_handshake(asio::ssl::stream_base::server);
      stats_.on_tls(ok);
      co_return ok;
    } else if (verb_is(line, "AUTH") && options_.sink_auth) {
      co_return co_await authenticate(std::string(line.size() > 5 ? line.substr(5) : ""));
    } else if (verb_is(line, "AUTH")) {
      // "AUTH PLAIN <response>" completes at once; otherwise take one continuation line.
      if (line.find(' ', 5) == std::string_view::npos) {
        replies_ += "334 \r\n";
        if (!co_await flush()) co_return false;
        std::string_view response;
        if (co_await stream_.async_read_line(response)) co_return false;
      }
      stats_.on_auth(true);
      replies_ += "235 2.7.0 accepted\r\n";
    } else if (verb_is(line, "MAIL") && options_.sink_auth && !authenticated_) {
      replies_ += "530 5.7.0 Authentication required\r\n";
    } else if (verb_is(line, "DATA") && options_.sink_auth && !authenticated_) {
      replies_ += "503 5.5.1 Bad sequence of commands\r\n";
    } else if (verb_is(line, "DATA")) {
      replies_ += "354 go ahead\r\n";
      std::uint64_t bytes = 0;
      std::string message_id;
      if (!co_await flush() ||
          !co_await async_read_content(stream_, stats_.track_ids(), bytes, message_id)) {
        co_return false;
      }
      ++messages_;
      stats_.on_message(bytes, message_id);
      replies_ += "250 2.0.0 queued\r\n";
    } else if (verb_is(line, "QUIT")) {
      quit_ = true;
      replies_ += "221 2.0.0 bye\r\n";
      co_await flush();
      co_return false;
    } else {
      if (verb_is(line, "MAIL")) stats_.on_mail();
      if (verb_is(line, "RCPT")) stats_.on_rcpt();
      replies_ += "250 2.0.0 ok\r\n";
    }
    co_return true;
  }

  // --sink-auth: AUTH PLAIN (RFC 4616) or LOGIN checked against --user/--password, only
  // after STARTTLS (RFC 4954 §4; a provider refuses plaintext logins). `args` is what follows
  // "AUTH ": the mechanism and maybe an initial response.
  asio::awaitable<bool> authenticate(std::string args) {
    if (!stream_.tls()) {
      replies_ += "530 5.7.0 Must issue a STARTTLS command first\r\n";
      co_return true;
    }
    if (authenticated_) {
      replies_ += "503 5.5.1 Already authenticated\r\n";
      co_return true;
    }
    const auto space = args.find(' ');
    const std::string mechanism = args.substr(0, space);
    std::string first = space == std::string::npos ? std::string() : args.substr(space + 1);
    bool ok = false;
    if (strcasecmp(mechanism.c_str(), "PLAIN") == 0) {
      if (space == std::string::npos && !co_await challenge("", first)) co_return false;
      ok = plain_matches(first, options_.user, options_.password);
    } else if (strcasecmp(mechanism.c_str(), "LOGIN") == 0) {
      std::string password;
      if (space == std::string::npos && !co_await challenge("VXNlcm5hbWU6", first)) co_return false;
      if (first != "*" && !co_await challenge("UGFzc3dvcmQ6", password)) co_return false;
      const auto user = decode_base64(first);
      const auto secret = decode_base64(password);
      ok = user && secret && *user == options_.user && *secret == options_.password;
    } else {
      replies_ += "504 5.5.4 Unrecognized authentication type\r\n";
      co_return true;
    }
    stats_.on_auth(ok);
    authenticated_ = ok;
    replies_ += ok ? "235 2.7.0 Authentication successful\r\n"
                   : "535 5.7.8 Authentication credentials invalid\r\n";
    co_return true;
  }

  // Sends "334 <challenge>" and reads the client's response line into `response`.
  asio::awaitable<bool> challenge(std::string_view text, std::string& response) {
    replies_ += "334 ";
    replies_ += text;
    replies_ += "\r\n";
    if (!co_await flush()) co_return false;
    std::string_view line;
    if (co_await stream_.async_read_line(line)) co_return false;
    response.assign(line);
    co_return true;
  }

  SmtpStream stream_;
  const Options& options_;
  SinkStats& stats_;
  std::string replies_;
  std::uint64_t messages_ = 0;
  bool quit_ = false;
  bool authenticated_ = false;
};

asio::awaitable<void> serve(asio::ip::tcp::socket socket, asio::ssl::context& tls,
                            const Options& options, SinkStats& stats) {
  SinkSession session(std::move(socket), tls, options, stats);
  co_await session.run();
}

asio::awaitable<void> accept_loop(asio::ip::tcp::acceptor& acceptor, IoThreads& threads,
                                  asio::ssl::context& tls, const Options& options,
                                  SinkStats& stats) {
  for (std::size_t n = 0;; ++n) {
    auto& context = threads.context(n);
    auto [ec, socket] = co_await acceptor.async_accept(context, kNoThrow);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;  // e.g. EMFILE: keep serving the others
    socket.set_option(asio::ip::tcp::no_delay(true), ec);
    asio::co_spawn(context, serve(std::move(socket), tls, options, stats), asio::detached);
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

// --stats-file: rewrites the file every 100 ms when a counter changed, so a script can poll it.
asio::awaitable<void> stats_writer(const Options& options, const SinkStats& stats) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  std::string written;
  for (;;) {
    std::string line = stats.json("stats");
    // Compare without the CPU and clock fields (the last two), which change all the time.
    const std::string counters = line.substr(0, line.rfind(",\"cpu_s\""));
    if (counters != written && write_file_atomically(options.stats_file, line)) {
      written = counters;
    }
    timer.expires_after(std::chrono::milliseconds(100));
    auto [ec] = co_await timer.async_wait(kNoThrow);
    if (ec) co_return;
  }
}

void print_line(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

void on_usr1(asio::signal_set& signals, const SinkStats& stats) {
  signals.async_wait([&signals, &stats](const error_code& ec, int) {
    if (ec) return;
    print_line(stats.json("stats"));
    on_usr1(signals, stats);
  });
}

}  // namespace

int run_sink(const Options& options) {
  // Declared first: sessions still pending when the contexts are destroyed report to it.
  SinkStats stats(!options.stats_file.empty());
  IoThreads threads(resolve_threads(options.threads));
  auto tls = make_server_tls(options);
  auto& first = threads.context(0);
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(options.host), options.sink_port);
  asio::ip::tcp::acceptor acceptor(first);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(4096);
  asio::co_spawn(first, accept_loop(acceptor, threads, tls, options, stats), asio::detached);
  // Contexts other than the first have no work until a connection arrives: keep them running.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  for (std::size_t t = 0; t < threads.size(); ++t) {
    keep_running.push_back(asio::make_work_guard(threads.context(t)));
  }

  asio::signal_set signals(first, SIGINT, SIGTERM);
  asio::signal_set usr1(first);
  asio::steady_timer timer(first);
  const auto stop = [&] { threads.stop(); };
  signals.async_wait([&](const error_code& ec, int) { if (!ec) stop(); });
  if (options.hold_s > 0) {
    timer.expires_after(std::chrono::milliseconds(static_cast<long>(options.hold_s * 1000)));
    timer.async_wait([&](const error_code& ec) { if (!ec) stop(); });
  }
  if (!options.stats_file.empty()) {
    usr1.add(SIGUSR1);
    on_usr1(usr1, stats);
    asio::co_spawn(first, stats_writer(options, stats), asio::detached);
  }
  std::printf("{\"mode\":\"sink\",\"event\":\"listening\",\"port\":%u,\"threads\":%zu}\n",
              acceptor.local_endpoint().port(), threads.size());
  std::fflush(stdout);
  threads.run();
  if (!options.stats_file.empty()) {
    const std::string line = stats.json("final");
    if (!write_file_atomically(options.stats_file, line)) std::perror(options.stats_file.c_str());
    print_line(line);
  }
  return 0;
}

}  // namespace postern::loadgen
