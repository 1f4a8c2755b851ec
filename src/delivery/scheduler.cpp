#include "delivery/scheduler.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <future>
#include <stdexcept>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "delivery/store_calls.hpp"
#include "policy/egress.hpp"
#include "tls/client_context.hpp"

namespace postern::delivery {

namespace asio = boost::asio;
using asio::awaitable;
using Clock = std::chrono::system_clock;

namespace {
constexpr std::size_t kHighWater = 1000;  // jobs held in memory before leasing pauses
constexpr auto kLingerStep = std::chrono::milliseconds(20);
constexpr std::size_t kCaptureWorkers = 8;

awaitable<void> pause(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

// use_awaitable treats a leading error_code as an exception; a box keeps it a value.
struct StatusBox {
  core::Status status;
};

std::shared_ptr<asio::ssl::context> make_client_tls(const SchedulerOptions& options) {
  if (!options.profile || options.profile->kind == policy::ProfileKind::capture) return nullptr;
  std::string why;
  auto context = tls::make_client_context(options.ca_file, &why);
  if (!context) throw std::runtime_error("upstream TLS: " + why);
  return *context;
}

void check_egress_again(const SchedulerOptions& options) {
  if (!options.profile || options.profile->kind == policy::ProfileKind::capture) return;
  const auto& p = *options.profile;
  // Invariant 4 is checked at config load; checking again here keeps it true for every
  // caller of the scheduler, not only for the configuration path.
  if (auto violation =
          policy::check_egress(p.host, p.port, p.tls, policy::is_loopback_host(p.host))) {
    throw std::runtime_error("upstream " + p.host + ":" + std::to_string(p.port) + ": " +
                             violation->message);
  }
}

// Plain functions (not coroutines) that build the awaitables: GCC 12 mishandles lambda
// temporaries inside a co_await expression, so coroutines only co_await these.
awaitable<core::Result<std::vector<store::LeasedRecipient>>> lease_due(
    store::Store& store, store::LeaseRequest request) {
  return await_store<core::Result<std::vector<store::LeasedRecipient>>>(
      [&store, request = std::move(request)](auto callback) mutable {
        store.async_lease_due(std::move(request), std::move(callback));
      });
}

awaitable<StatusBox> record(store::Store& store, std::vector<store::RecipientOutcome> outcomes,
                            std::optional<store::NewMessage> dsn) {
  return await_store<StatusBox>(
      [&store, outcomes = std::move(outcomes), dsn = std::move(dsn)](auto callback) mutable {
        store.async_record_outcomes(
            std::move(outcomes), std::move(dsn),
            [callback = std::move(callback)](core::Status s) mutable { callback(StatusBox{s}); });
      });
}

awaitable<StatusBox> capture(store::Store& store, store::CaptureRequest request) {
  return await_store<StatusBox>([&store, request = std::move(request)](auto callback) mutable {
    store.async_capture(
        std::move(request),
        [callback = std::move(callback)](core::Status s) mutable { callback(StatusBox{s}); });
  });
}

}  // namespace

struct Scheduler::Counters {
  explicit Counters(telemetry::Registry& r)
      : delivered(r.counter("postern_delivery_recipients_total", "Recipient outcomes",
                            {{"outcome", "delivered"}})),
        deferred(r.counter("postern_delivery_recipients_total", "Recipient outcomes",
                           {{"outcome", "deferred"}})),
        failed(r.counter("postern_delivery_recipients_total", "Recipient outcomes",
                         {{"outcome", "failed"}})),
        captured(r.counter("postern_delivery_recipients_total", "Recipient outcomes",
                           {{"outcome", "captured"}})),
        connections(r.counter("postern_upstream_connections_total", "Upstream connections opened")),
        handshakes(r.counter("postern_upstream_tls_handshakes_total", "Upstream TLS handshakes")),
        ambiguous(r.counter("postern_upstream_ambiguous_total",
                            "Connections lost after the final dot (at-least-once window)")) {}
  telemetry::Counter& delivered;
  telemetry::Counter& deferred;
  telemetry::Counter& failed;
  telemetry::Counter& captured;
  telemetry::Counter& connections;
  telemetry::Counter& handshakes;
  telemetry::Counter& ambiguous;
};

Scheduler::Scheduler(store::Store& store, SchedulerOptions options, telemetry::Logger log,
                     telemetry::Registry& metrics)
    : store_(store),
      options_(std::move(options)),
      log_(std::move(log)),
      counters_(std::make_unique<Counters>(metrics)),
      client_tls_(make_client_tls(options_)),
      wake_timer_(context_),
      route_(options_.profile ? options_.profile->max_connections : 1) {
  check_egress_again(options_);
}

Scheduler::~Scheduler() { stop(std::chrono::seconds(0)); }

void Scheduler::start() {
  asio::co_spawn(context_, lease_loop(), asio::detached);
  thread_ = std::thread([this] { context_.run(); });
}

void Scheduler::notify() {
  if (notified_.exchange(true)) return;  // a wake-up is already on its way
  asio::post(context_, [this] { wake(); });
}

void Scheduler::wake() { wake_timer_.cancel(); }

void Scheduler::stop(std::chrono::milliseconds bound) {
  if (!thread_.joinable()) return;
  std::promise<void> finished;
  auto done = finished.get_future();
  asio::post(context_, [this] {
    stopping_ = true;
    wake();
  });
  // The thread ends when the lease loop and every worker have returned; past the bound the
  // context is stopped (their leases stay; the next start clears them and picks the work up).
  std::thread waiter([this, &finished] {
    while (!context_.stopped()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    finished.set_value();
  });
  if (done.wait_for(bound) != std::future_status::ready) context_.stop();
  waiter.join();
  thread_.join();
}

double Scheduler::random01() { return std::uniform_real_distribution<double>(0.0, 1.0)(random_); }

awaitable<void> Scheduler::sleep_for(std::chrono::milliseconds duration) {
  wake_timer_.expires_after(duration);
  co_await wake_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
}

awaitable<std::vector<store::LeasedRecipient>> Scheduler::async_lease() {
  store::LeaseRequest request{.owner = options_.node_id,
                              .now_ms = core::to_unix_ms(Clock::now()),
                              .lease_ms = static_cast<std::uint64_t>(options_.lease_time.count()),
                              .limit = options_.lease_batch};
  auto leased = co_await lease_due(store_, std::move(request));
  if (!leased) {
    log_.error("lease_failed", {{"error", leased.error().message()}});
    co_return std::vector<store::LeasedRecipient>{};
  }
  co_return std::move(*leased);
}

awaitable<core::Status> Scheduler::async_record(Decision decision) {
  auto box = co_await record(store_, std::move(decision.outcomes), std::move(decision.dsn));
  co_return box.status;
}

awaitable<void> Scheduler::lease_loop() {
  const bool capture = !options_.profile || options_.profile->kind == policy::ProfileKind::capture;
  const std::size_t per_message = capture ? 1000 : options_.profile->recipients_per_message;
  while (!stopping_) {
    const auto now = Clock::now();
    if (!capture && !route_.may_connect(now)) {
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(route_.resume_at() - now);
      co_await sleep_for(std::clamp(wait, std::chrono::milliseconds(10), options_.poll_interval));
      continue;
    }
    if (jobs_.size() >= kHighWater) {
      co_await sleep_for(options_.poll_interval);
      continue;
    }
    notified_ = false;
    auto leased = co_await async_lease();
    if (stopping_) break;
    if (leased.empty()) {
      if (!notified_) co_await sleep_for(options_.poll_interval);
      continue;
    }
    hold_new(leased);
    for (auto& job : plan_jobs(leased, std::max<std::size_t>(1, per_message))) {
      jobs_.push_back(std::move(job));
    }
    start_workers();
  }
}

namespace {
bool all_replies_positive(const smtp::TransactionResult& result) {
  if (!result.final_reply || result.final_reply->code / 100 != 2) return false;
  return std::all_of(result.recipients.begin(), result.recipients.end(),
                     [](const smtp::RecipientReply& r) { return r.reply.code / 100 == 2; });
}

std::string held_key(const std::string& queue_id, std::uint32_t rcpt_index) {
  return queue_id + '/' + std::to_string(rcpt_index);
}
}  // namespace

void Scheduler::hold_new(std::vector<store::LeasedRecipient>& leased) {
  std::erase_if(leased, [this](const store::LeasedRecipient& r) {
    return !held_.insert(held_key(r.queue_id, r.rcpt_index)).second;
  });
}

void Scheduler::release_held(const Job& job) {
  for (const auto& r : job.recipients) held_.erase(held_key(job.queue_id, r.rcpt_index));
}

void Scheduler::start_workers() {
  const bool capture = !options_.profile || options_.profile->kind == policy::ProfileKind::capture;
  // Until a connection has logged in, open one at a time: with bad credentials, a burst of
  // parallel logins is exactly what the provider punishes (providers.md: 454 4.7.0).
  // Capture workers only wait for the store: several in flight share one group commit.
  const std::size_t limit = capture         ? kCaptureWorkers
                            : route_proven_ ? route_.connection_limit()
                                            : 1;
  while (workers_ < limit && workers_ < jobs_.size()) {
    ++workers_;
    asio::co_spawn(context_, capture ? capture_worker() : worker(), asio::detached);
  }
}

smtp::ClientConfig Scheduler::client_config() const {
  const auto& profile = *options_.profile;
  smtp::ClientConfig config;
  config.ehlo_name = options_.hostname;
  config.tls = profile.tls == policy::UpstreamTls::required ? smtp::ClientTls::required
                                                            : smtp::ClientTls::none;
  config.auth_mechanisms = profile.auth_mechanisms;
  // RFC 5321 §4.5.3.2: greeting and commands 5 min, DATA 2 min, final dot 10 min by default.
  config.greeting_timeout = options_.command_timeout;
  config.command_timeout = options_.command_timeout;
  config.data_start_timeout =
      std::min<std::chrono::milliseconds>(options_.command_timeout, std::chrono::minutes(2));
  config.final_dot_timeout = 2 * options_.command_timeout;
  if (!options_.password.empty()) {
    config.username = profile.username.empty() ? options_.username : profile.username;
    config.password = options_.password;
  }
  return config;
}

DecisionContext Scheduler::decision_context() {
  DecisionContext context;
  context.replies = &options_.profile->replies;
  context.retry = &options_.retry;
  context.reporting_host = options_.hostname;
  context.remote_host = options_.profile->host;
  context.now = Clock::now();
  context.route_resume_at = route_.resume_at();
  context.random01 = [this] { return random01(); };
  return context;
}

awaitable<void> Scheduler::worker() {
  const auto& profile = *options_.profile;
  while (!stopping_ && !jobs_.empty() && route_.may_connect(Clock::now())) {
    UpstreamConnection connection(context_.get_executor(), client_tls_,
                                  {profile.host, profile.port}, client_config(), log_);
    counters_->connections.inc();
    const auto failure = co_await connection.async_open();
    if (connection.tls_handshake_done()) counters_->handshakes.inc();
    if (failure != smtp::SessionFailure::none) {
      route_proven_ = false;
      const auto reply = connection.session().failure_reply();
      co_await connection.async_close();
      note_session_failure(failure, reply);  // once per connection, not once per job
      // Everything waiting goes back to the queue with the route's verdict.
      while (!jobs_.empty()) {
        Job job = std::move(jobs_.front());
        jobs_.pop_front();
        co_await defer_for_session_failure(std::move(job), failure, reply);
      }
      break;
    }
    route_.on_success();
    log_.info("upstream_ready", {{"host", profile.host},
                                 {"port", profile.port},
                                 {"tls", connection.tls_handshake_done()},
                                 {"pipelining", connection.session().offers_pipelining()}});
    if (!route_proven_) {
      route_proven_ = true;
      start_workers();  // the login works: ramp up to the route's connection limit
    }
    std::size_t sent = 0;
    while (!stopping_ && connection.ready() && sent < profile.messages_per_connection) {
      // Keep the connection while more work may come (reuse: fewer handshakes and logins).
      for (auto waited = std::chrono::milliseconds(0);
           jobs_.empty() && !stopping_ && waited < options_.connection_linger;
           waited += kLingerStep) {
        co_await pause(kLingerStep);
      }
      if (jobs_.empty() || stopping_) break;
      Job job = std::move(jobs_.front());
      jobs_.pop_front();
      if (jobs_.size() < options_.lease_batch) wake();
      co_await deliver_job(connection, std::move(job));
      ++sent;
      if (!route_.may_connect(Clock::now())) break;  // a reply paused the route
    }
    co_await connection.async_close();
  }
  --workers_;
  if (!stopping_ && !jobs_.empty()) start_workers();
}

// The body to send: handed over from acceptance when it is still in memory, else read back.
// nullopt if the message is gone (deleted by an operator while leased).
std::optional<std::string> Scheduler::content_of(const Job& job) {
  if (auto handed = store_.take_content(job.queue_id)) return handed;
  auto message = store_.load_message(job.queue_id);
  if (!message) {
    log_.info("skipped", {{"queue_id", job.queue_id}, {"error", message.error().message()}});
    return std::nullopt;
  }
  return std::move(message->content);
}

awaitable<void> Scheduler::deliver_job(UpstreamConnection& connection, Job job) {
  auto content_to_send = content_of(job);
  if (!content_to_send) {
    release_held(job);  // nothing to deliver, nothing to record
    co_return;
  }
  smtp::OutgoingMessage out;
  out.mail_from = job.mail_from;
  for (const auto& r : job.recipients) out.rcpt_to.push_back(r.address);
  out.content = std::move(*content_to_send);  // sent once, not copied
  out.body_8bitmime = job.body_8bitmime;
  out.smtputf8 = job.smtputf8;
  const auto result = co_await connection.async_send(std::move(out));
  if (result.ambiguous) {
    counters_->ambiguous.inc();
    log_.warn("ambiguous_end_of_data",
              {{"queue_id", job.queue_id},
               {"note",
                "connection lost after the final dot; retrying may duplicate "
                "(at-least-once)"}});
  }
  // Only a failure needs the content again (the DSN quotes its headers): read it back then.
  std::string content;
  if (!all_replies_positive(result)) {
    if (auto again = store_.load_message(job.queue_id)) content = std::move(again->content);
  }
  Decision decision = decide_transaction(job, result, content, decision_context());
  if (decision.route_signal) {
    route_.on_effect(*decision.route_signal, Clock::now(), random01());
    log_.warn("route_state",
              {{"state", route_.describe()}, {"reason", decision.route_signal->reason}});
  }
  log_decision(job, decision);
  // The connection goes on with the next message while the outcome is committed (it shares
  // group commits with acceptance); the recipients stay held until it is durable.
  asio::co_spawn(context_, record_and_release(std::move(job), std::move(decision)), asio::detached);
}

awaitable<void> Scheduler::record_and_release(Job job, Decision decision) {
  if (auto status = co_await async_record(std::move(decision)); status) {
    log_.error("record_failed", {{"queue_id", job.queue_id}, {"error", status.message()}});
  }
  release_held(job);
}

void Scheduler::note_session_failure(smtp::SessionFailure failure,
                                     const std::optional<smtp::Reply>& reply) {
  const auto now = Clock::now();
  if (reply && reply->code / 100 != 2) {
    const auto phase =
        failure == smtp::SessionFailure::auth_failed ? policy::Phase::auth : policy::Phase::connect;
    const auto c = policy::classify(options_.profile->replies, *reply, phase);
    route_.on_effect(c, now, random01());
    if (c.alert || c.route_effect == policy::RouteEffect::auth_broken) {
      log_.error("route_alert", {{"state", route_.describe()},
                                 {"reply", describe_reply(*reply)},
                                 {"reason", c.reason},
                                 {"action",
                                  "check the upstream credentials; logins stop "
                                  "until a probe succeeds"}});
    } else {
      log_.warn("route_unavailable",
                {{"failure", to_string(failure)}, {"reply", describe_reply(*reply)}});
    }
    return;
  }
  route_.on_connect_failure(now);
  const bool security = failure == smtp::SessionFailure::starttls_not_offered ||
                        failure == smtp::SessionFailure::tls_failed;
  if (security) {
    log_.error("route_alert",
               {{"failure", to_string(failure)}, {"note", "nothing was sent: TLS is required"}});
  } else {
    log_.warn("route_unavailable", {{"failure", to_string(failure)}});
  }
}

awaitable<void> Scheduler::defer_for_session_failure(Job job, smtp::SessionFailure failure,
                                                     std::optional<smtp::Reply> reply) {
  auto message = store_.load_message(job.queue_id);
  const std::string content = message ? message->content : std::string();
  DecisionContext context = decision_context();
  context.route_resume_at = route_.resume_at();
  Decision decision = decide_session_failure(job, failure, reply, content, context);
  log_decision(job, decision);
  if (auto status = co_await async_record(std::move(decision)); status) {
    log_.error("record_failed", {{"queue_id", job.queue_id}, {"error", status.message()}});
  }
  release_held(job);
}

awaitable<void> Scheduler::capture_worker() {
  while (!stopping_ && !jobs_.empty()) {
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    store::CaptureRequest request{.queue_id = job.queue_id,
                                  .at_ms = core::to_unix_ms(Clock::now()),
                                  .keep_limit = options_.capture_limit};
    for (const auto& r : job.recipients) request.rcpt_indices.push_back(r.rcpt_index);
    auto box = co_await capture(store_, std::move(request));
    if (box.status) {
      log_.error("capture_failed", {{"queue_id", job.queue_id}, {"error", box.status.message()}});
    } else {
      counters_->captured.inc(job.recipients.size());
      log_.info("captured", {{"queue_id", job.queue_id}, {"recipients", job.recipients.size()}});
    }
    release_held(job);
    if (jobs_.size() < options_.lease_batch) wake();
  }
  --workers_;
}

void Scheduler::log_decision(const Job& job, const Decision& decision) {
  counters_->delivered.inc(decision.delivered);
  counters_->deferred.inc(decision.deferred);
  counters_->failed.inc(decision.failed);
  for (std::size_t i = 0; i < decision.outcomes.size() && i < job.recipients.size(); ++i) {
    const auto& outcome = decision.outcomes[i];
    const char* event = outcome.state == store::RecipientState::delivered ? "delivered"
                        : outcome.state == store::RecipientState::failed  ? "bounced"
                                                                          : "deferred";
    log_.info(event, {{"queue_id", job.queue_id},
                      {"rcpt", job.recipients[i].address},
                      {"attempt", job.recipients[i].attempts + 1},
                      {"reply", outcome.last_reply}});
  }
  if (decision.dsn) {
    log_.info("dsn_queued", {{"queue_id", job.queue_id},
                             {"dsn_queue_id", decision.dsn->queue_id},
                             {"to", decision.dsn->rcpt_to.front()}});
  }
}

}  // namespace postern::delivery
