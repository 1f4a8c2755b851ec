#include "server/connection.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "core/ids.hpp"
#include "net/deadline.hpp"
#include "tls/peer.hpp"
#include "tls/socket_stream.hpp"

namespace postern::server {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto kNoThrow = asio::as_tuple(use_awaitable);

// Read chunk sizes. The small one is part of every session, idle ones too (docs/benchmarks.md:
// 10,000 idle sessions); the bulk one exists only while a client streams (a read filled the
// small one), so a message body is read in TLS-record-sized pieces.
constexpr std::size_t kReadChunk = 4096;
constexpr std::size_t kBulkReadChunk = 16384;

}  // namespace

ServerMetrics::ServerMetrics(telemetry::Registry& registry)
    : connections(
          registry.counter("postern_smtp_connections_total", "Submission connections accepted")),
      auth_success(
          registry.counter("postern_smtp_auth_total", "AUTH attempts", {{"result", "success"}})),
      auth_failures(
          registry.counter("postern_smtp_auth_total", "AUTH attempts", {{"result", "failure"}})),
      accepted(registry.counter("postern_smtp_messages_total", "Messages at the final dot",
                                {{"result", "accepted"}})),
      refused(registry.counter("postern_smtp_messages_total", "Messages at the final dot",
                               {{"result", "refused"}})),
      active(registry.gauge("postern_smtp_connections_active", "Open submission connections")) {}

ConnectionRegistry::Id ConnectionRegistry::add(asio::any_io_executor executor,
                                               std::function<void()> on_stop) {
  std::lock_guard lock(mutex_);
  const Id id = next_id_++;
  entries_.emplace(id, Entry{std::move(executor), std::move(on_stop)});
  return id;
}

void ConnectionRegistry::remove(Id id) {
  std::lock_guard lock(mutex_);
  entries_.erase(id);
}

void ConnectionRegistry::stop_all() {
  stopping_.store(true);
  std::lock_guard lock(mutex_);
  for (const auto& [id, entry] : entries_) {
    asio::post(entry.executor, [this, id = id] { run_on_stop(id); });
  }
}

// On the connection's executor, where it is also destroyed: if it is still registered, it is
// alive for the duration of the call.
void ConnectionRegistry::run_on_stop(Id id) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(id); it != entries_.end()) it->second.on_stop();
}

namespace {

class Connection {
 public:
  Connection(tcp::socket socket, ConnectionContext& context)
      : context_(context),
        socket_(std::move(socket)),
        stream_(socket_, *context.tls),
        deadline_(socket_),
        session_(context.session),
        log_(context.log->with({{"session", core::make_session_id()}})) {
    boost::system::error_code ec;
    auto endpoint = socket_.remote_endpoint(ec);
    if (!ec) client_.address = endpoint.address().to_string();
    registration_ = context_.registry.add(socket_.get_executor(), [this] { on_server_stopping(); });
  }

  ~Connection() { context_.registry.remove(registration_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  awaitable<void> run() {
    log_.info("connect", {{"client", client_.address}});
    session_.on_connect();
    while (co_await flush() && co_await perform_actions()) {
      if (session_.closed()) break;
      if (context_.registry.stopping() && session_.on_shutdown()) break;  // 421, then close
      auto bytes = co_await read_some();
      if (!bytes) break;
      session_.on_bytes(*bytes);
    }
    co_await flush();
    co_await shut_down();
    log_.info("disconnect", {{"client", client_.address}});
  }

 private:
  // A shutdown began: a session waiting for its client's next command is told 421 now (its
  // read is cancelled and run() answers); one in the middle of something finishes first and
  // is told at its next command boundary (also run()).
  void on_server_stopping() {
    if (!waiting_for_command_) return;
    boost::system::error_code ignored;
    socket_.cancel(ignored);
  }

  // Returns the bytes read, or nothing when the connection is over (EOF, error, timeout).
  awaitable<std::optional<std::string_view>> read_some() {
    deadline_.arm(session_.timeout());
    // The previous bytes have been consumed: the buffer may change now.
    if (last_read_ < buffer_.size()) {
      bulk_.reset();
    } else if (!bulk_) {
      bulk_ = std::make_unique<char[]>(kBulkReadChunk);
    }
    const auto target = bulk_ ? asio::buffer(bulk_.get(), kBulkReadChunk) : asio::buffer(buffer_);
    waiting_for_command_ = session_.between_commands();
    auto [ec, n] = tls_ ? co_await stream_.async_read_some(target)
                        : co_await socket_.async_read_some(target, kNoThrow);
    waiting_for_command_ = false;
    last_read_ = ec ? 0 : n;
    const bool timed_out = deadline_.disarm();
    if (timed_out) {
      session_.on_timeout();
      log_.info("timeout");
      co_await flush();
      co_return std::nullopt;
    }
    // Cancelled for a shutdown: no bytes, and run() says 421 at the top of its loop.
    if (ec == asio::error::operation_aborted && context_.registry.stopping()) {
      co_return std::string_view();
    }
    if (ec) co_return std::nullopt;
    co_return std::string_view(static_cast<const char*>(target.data()), n);
  }

  awaitable<bool> flush() {
    std::string out = session_.take_output();
    if (out.empty() || broken_) co_return !broken_;
    deadline_.arm(context_.session.limits.command);
    const auto ec =
        tls_ ? co_await stream_.async_write(asio::buffer(out)) : co_await write_plain(out);
    deadline_.disarm();
    if (ec) broken_ = true;
    co_return !broken_;
  }

  // Performs every pending action, feeding results back; false once the connection must end.
  awaitable<bool> perform_actions() {
    while (auto action = session_.take_action()) {
      bool keep_going = true;
      if (std::holds_alternative<smtp::StartTls>(*action)) {
        keep_going = co_await start_tls();
      } else if (auto* check = std::get_if<smtp::CheckCredentials>(&*action)) {
        co_await check_credentials(std::move(*check));
      } else if (auto* store = std::get_if<smtp::StoreMessage>(&*action)) {
        co_await store_message(std::move(*store));
      } else {
        keep_going = false;  // CloseConnection
      }
      if (!keep_going) co_return false;
      if (!co_await flush()) co_return false;
    }
    co_return !session_.closed();
  }

  awaitable<boost::system::error_code> write_plain(const std::string& out) {
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(out), kNoThrow);
    co_return ec;
  }

  awaitable<bool> start_tls() {
    deadline_.arm(context_.tls_handshake_timeout);
    const auto ec =
        co_await stream_.async_handshake(tls::Role::server, context_.background->executor());
    deadline_.disarm();
    if (ec) {
      log_.info("tls_failed", {{"error", ec.message()}});
      broken_ = true;  // the stream state is unknown: nothing more may be written
      co_return false;
    }
    tls_ = true;
    auto summary = tls::peer_summary(stream_.native_handle());
    client_.tls_version = std::move(summary.version);
    client_.tls_cipher = std::move(summary.cipher);
    session_.on_tls_established();
    co_return true;
  }

  awaitable<void> check_credentials(smtp::CheckCredentials check) {
    auth::Authenticator& authenticator = *context_.authenticator;
    auto result = co_await asio::co_spawn(
        context_.background->executor(),
        [&]() -> awaitable<auth::CheckResult> {
          co_return authenticator.check(check.username, check.password);
        },
        use_awaitable);
    smtp::CredentialsResult outcome;
    if (result.ok) {
      context_.throttle->on_success(client_.address);
      auto rules = std::make_shared<policy::SenderRules>(result.senders);
      senders_ = rules;
      outcome.ok = true;
      outcome.account = result.account;
      outcome.may_send_as = [rules](std::string_view address) { return rules->allows(address); };
      client_.authenticated = true;
      log_.info("auth", {{"mechanism", check.mechanism}, {"account", result.account}});
      context_.metrics->auth_success.inc();
    } else {
      auto delay = context_.throttle->on_failure(client_.address, AuthThrottle::Clock::now());
      // The user name is logged (operators need it); the password never is (invariant 5).
      log_.info("auth_failed", {{"mechanism", check.mechanism}, {"user", check.username}});
      context_.metrics->auth_failures.inc();
      deadline_.timer().expires_after(delay);
      co_await deadline_.timer().async_wait(kNoThrow);
    }
    session_.on_credentials_checked(std::move(outcome));
  }

  awaitable<void> store_message(smtp::StoreMessage message) {
    const std::size_t size = message.content.size();
    const std::size_t recipients = message.envelope.rcpt_to.size();
    auto [reply, queue_id] = co_await async_accept(std::move(message));
    if (reply.code == 250) {
      log_.info("accepted", {{"queue_id", queue_id}, {"size", size}, {"recipients", recipients}});
      context_.metrics->accepted.inc();
      if (context_.on_accepted) context_.on_accepted();
    } else {
      log_.info("refused", {{"reply", reply.code}, {"text", reply.text}});
      context_.metrics->refused.inc();
    }
    session_.on_message_stored(std::move(reply));
  }

  // accept_message() completes on a store thread; resume this coroutine on its own context.
  awaitable<std::tuple<smtp::Reply, std::string>> async_accept(smtp::StoreMessage message) {
    return asio::async_initiate<decltype(use_awaitable), void(smtp::Reply, std::string)>(
        [this, message = std::move(message)](auto handler) mutable {
          auto shared = std::make_shared<decltype(handler)>(std::move(handler));
          static const policy::SenderRules kNoRights;
          accept_message(context_.accept, *context_.store, senders_ ? *senders_ : kNoRights,
                         client_, std::move(message), std::chrono::system_clock::now(),
                         [shared](smtp::Reply reply, std::string id) {
                           auto executor = asio::get_associated_executor(*shared);
                           asio::post(executor, [shared, reply = std::move(reply),
                                                 id = std::move(id)]() mutable {
                             (*shared)(std::move(reply), std::move(id));
                           });
                         });
        },
        use_awaitable);
  }

  awaitable<void> shut_down() {
    boost::system::error_code ignored;
    if (tls_ && !broken_) {
      // Send close_notify (RFC 8446 §6.1); the peer's is not awaited, most clients just close.
      deadline_.arm(std::chrono::seconds(2));
      co_await stream_.async_shutdown();
      deadline_.disarm();
    }
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  ConnectionContext& context_;
  tcp::socket socket_;
  tls::SocketStream stream_;  // TLS on socket_ once STARTTLS is done (tls_)
  net::Deadline deadline_;
  smtp::ServerSession session_;
  telemetry::Logger log_;
  ClientFacts client_;
  std::shared_ptr<const policy::SenderRules> senders_;
  std::array<char, kReadChunk> buffer_{};
  std::unique_ptr<char[]> bulk_;  // kBulkReadChunk while the client streams, else empty
  std::size_t last_read_ = 0;
  ConnectionRegistry::Id registration_ = 0;
  bool waiting_for_command_ = false;  // a read is pending between commands
  bool tls_ = false;
  bool broken_ = false;
};

}  // namespace

awaitable<void> async_serve_connection(tcp::socket socket, ConnectionContext& context) {
  ++context.active;
  context.metrics->connections.inc();
  context.metrics->active.add(1);
  {
    Connection connection(std::move(socket), context);
    co_await connection.run();
  }
  context.metrics->active.add(-1);
  --context.active;
}

}  // namespace postern::server
