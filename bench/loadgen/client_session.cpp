#include "loadgen/client_session.hpp"

#include "loadgen/rx_timestamp.hpp"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace postern::loadgen {

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr int kMaxReplyLines = 200;

std::string io_kind(const error_code& ec, bool timed_out) {
  if (timed_out) return "timeout";
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) return "eof";
  if (ec == asio::error::connection_reset) return "reset";
  if (ec == asio::error::connection_refused) return "refused";
  if (ec == asio::error::message_size) return "long_line";
  if (ec.category() == asio::error::get_ssl_category()) return "tls";
  return "io";
}

bool is_ip_literal(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

ClientSession::ClientSession(const asio::any_io_executor& executor, const ClientConfig& config,
                             ThreadStats& stats)
    : config_(config), stats_(stats), stream_(executor, config.tls), watchdog_(executor) {
  const Options& o = config_.options;
  envelope_ = "MAIL FROM:<" + o.from + ">\r\nRCPT TO:<" + o.to + ">\r\nDATA\r\n";
}

void ClientSession::arm() {
  const bool was_idle = deadline_ == Clock::time_point::max();
  deadline_ = Clock::now() + std::chrono::seconds(config_.options.timeout_s);
  if (was_idle) watchdog_.cancel();
}

void ClientSession::disarm() {
  deadline_ = Clock::time_point::max();
}

void ClientSession::stop() {
  stopped_ = true;
  watchdog_.cancel();
  stream_.close();
}

asio::awaitable<void> ClientSession::watchdog() {
  while (!stopped_) {
    watchdog_.expires_at(deadline_);
    co_await watchdog_.async_wait(kNoThrow);  // woken by expiry or cancel(); both re-check
    if (stopped_) break;
    if (Clock::now() >= deadline_) {
      timed_out_ = true;
      stream_.close();
      break;
    }
  }
}

void ClientSession::fail_io(std::string_view step, const error_code& ec) {
  stats_.error(std::string(step) + "_" + io_kind(ec, timed_out_));
}

asio::awaitable<bool> ClientSession::async_reply(std::string_view step, int expected_class,
                                                 Reply& reply) {
  reply.code = 0;
  reply.text.clear();
  for (int n = 0; n < kMaxReplyLines; ++n) {
    std::string_view line;
    if (auto ec = co_await stream_.async_read_line(line)) {
      fail_io(step, ec);
      co_return false;
    }
    const bool digits = line.size() >= 3 && std::isdigit(static_cast<unsigned char>(line[0])) &&
                        std::isdigit(static_cast<unsigned char>(line[1])) &&
                        std::isdigit(static_cast<unsigned char>(line[2]));
    if (!digits || (line.size() > 3 && line[3] != '-' && line[3] != ' ')) break;
    if (!reply.text.empty()) reply.text += '\n';
    if (line.size() > 4) reply.text.append(line.substr(4));
    if (line.size() > 3 && line[3] == '-') continue;
    reply.code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (reply.code / 100 == expected_class) co_return true;
    stats_.error(std::string(step) + "_" + std::to_string(reply.code));
    co_return false;
  }
  stats_.error(std::string(step) + "_malformed");
  co_return false;
}

asio::awaitable<bool> ClientSession::async_command(std::string_view line, std::string_view step,
                                                   int expected_class, Reply& reply) {
  if (auto ec = co_await stream_.async_write(line)) {
    fail_io(step, ec);
    co_return false;
  }
  co_return co_await async_reply(step, expected_class, reply);
}

asio::awaitable<bool> ClientSession::async_open() {
  const Options& o = config_.options;
  arm();
  asio::co_spawn(
      watchdog_.get_executor(), [self = shared_from_this()] { return self->watchdog(); },
      asio::detached);
  auto [ec] = co_await stream_.socket().async_connect(config_.endpoint, kNoThrow);
  if (ec) {
    fail_io("connect", ec);
    ++stats_.refused;
    co_return false;
  }
  stream_.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  enable_rx_timestamps(stream_.socket().native_handle());
  Reply reply;
  bool ok = co_await async_reply("banner", 2, reply) &&
            co_await async_command("EHLO loadgen.example\r\n", "ehlo", 2, reply);
  if (ok && reply.text.find("STARTTLS") == std::string::npos) {
    stats_.error("ehlo_no_starttls");
    ok = false;
  }
  ok = ok && co_await async_command("STARTTLS\r\n", "starttls", 2, reply);
  if (ok) {
    const std::string& name = o.servername.empty() ? o.host : o.servername;
    if (!is_ip_literal(name)) SSL_set_tlsext_host_name(stream_.ssl().native_handle(), name.c_str());
    if (!o.insecure) stream_.ssl().set_verify_callback(asio::ssl::host_name_verification(name));
    if (auto hs = co_await stream_.async_handshake(asio::ssl::stream_base::client)) {
      fail_io("tls_handshake", hs);
      ok = false;
    } else if (stats_.tls.empty()) {
      SSL* ssl = stream_.ssl().native_handle();
      stats_.tls = std::string(SSL_get_version(ssl)) + " " + SSL_get_cipher_name(ssl);
    }
  }
  ok = ok && co_await async_command("EHLO loadgen.example\r\n", "ehlo_tls", 2, reply);
  pipelining_ = ok && o.pipelining && reply.text.find("PIPELINING") != std::string::npos;
  ok = ok && co_await async_command("AUTH PLAIN " + config_.auth_plain + "\r\n", "auth", 2, reply);
  if (!ok) {
    ++stats_.refused;
    co_return false;
  }
  ++stats_.sessions;
  co_return true;
}

asio::awaitable<SendResult> ClientSession::async_send_envelope() {
  // A reply read in full (any code) keeps the session usable; code 0 means the stream broke.
  const auto outcome = [](bool ok, const Reply& r) {
    return ok ? SendResult::accepted : r.code == 0 ? SendResult::broken : SendResult::rejected;
  };
  Reply reply;
  const Options& o = config_.options;
  if (!pipelining_) {
    auto mail = outcome(co_await async_command("MAIL FROM:<" + o.from + ">\r\n", "mail", 2, reply), reply);
    if (mail != SendResult::accepted) co_return mail;
    auto rcpt = outcome(co_await async_command("RCPT TO:<" + o.to + ">\r\n", "rcpt", 2, reply), reply);
    if (rcpt != SendResult::accepted) co_return rcpt;
    co_return outcome(co_await async_command("DATA\r\n", "data", 3, reply), reply);
  }
  if (auto ec = co_await stream_.async_write(envelope_)) {
    fail_io("mail", ec);
    co_return SendResult::broken;
  }
  // Read all three replies even after a refusal, to stay in step (RFC 2920 §3.1).
  SendResult result = SendResult::accepted;
  const std::pair<const char*, int> steps[] = {{"mail", 2}, {"rcpt", 2}, {"data", 3}};
  for (const auto& [step, expected] : steps) {
    const auto r = outcome(co_await async_reply(step, expected, reply), reply);
    if (r == SendResult::broken) co_return r;
    if (r == SendResult::rejected) result = r;
  }
  co_return result;
}

asio::awaitable<SendResult> ClientSession::async_send(std::uint64_t seq) {
  arm();
  config_.messages.render(seq, content_);
  Reply reply;
  if (const auto envelope = co_await async_send_envelope(); envelope != SendResult::accepted) {
    ++stats_.failed_messages;
    if (envelope == SendResult::broken) co_return envelope;
    // A refused envelope leaves the stream usable; reset the transaction and go on.
    const bool reset = co_await async_command("RSET\r\n", "rset", 2, reply);
    co_return reset ? SendResult::rejected : SendResult::broken;
  }
  if (auto ec = co_await stream_.async_write(content_)) {
    fail_io("content", ec);
    ++stats_.failed_messages;
    co_return SendResult::broken;
  }
  const auto start = Clock::now();
  const std::int64_t start_wall = realtime_ns();
  if (auto ec = co_await stream_.async_write(".\r\n")) {
    fail_io("dot", ec);
    ++stats_.failed_messages;
    co_return SendResult::broken;
  }
  // Wait until the reply is in the socket and read the kernel's receive time before TLS
  // consumes it; an error here shows up again in the read below.
  co_await stream_.socket().async_wait(asio::ip::tcp::socket::wait_read, kNoThrow);
  const auto received = peek_rx_timestamp_ns(stream_.socket().native_handle());
  const bool accepted = co_await async_reply("dot", 2, reply);
  if (!accepted) {
    ++stats_.failed_messages;
    co_return reply.code == 0 ? SendResult::broken : SendResult::rejected;
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
  stats_.latency_us.push_back(static_cast<std::uint32_t>(elapsed.count()));
  if (received && *received >= start_wall) {
    stats_.wire_latency_us.push_back(static_cast<std::uint32_t>((*received - start_wall) / 1000));
  }
  ++stats_.accepted;
  co_return SendResult::accepted;
}

asio::awaitable<bool> ClientSession::async_noop() {
  arm();
  Reply reply;
  co_return co_await async_command("NOOP\r\n", "noop", 2, reply);
}

asio::awaitable<void> ClientSession::async_quit() {
  arm();
  Reply reply;
  (void)co_await async_command("QUIT\r\n", "quit", 2, reply);
}

}  // namespace postern::loadgen

