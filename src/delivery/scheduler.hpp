#pragma once
// delivery::Scheduler — moves due recipients from the store to the upstream (or into the
// capture mailbox) and records each outcome durably (invariant 2: every committed message
// ends delivered or bounced).
//
// One thread (its own io_context) owns all scheduler state, so nothing here is locked:
//   lease loop: while the route may send, lease due recipients in batches, group them into
//               jobs (plan_jobs), queue the jobs, start workers up to the route's limit;
//   workers:    each opens one connection (STARTTLS, AUTH), sends up to
//               messages_per_connection jobs, keeping the connection while jobs keep coming,
//               then says QUIT; every result goes through decide_* into the store
//               (record_outcomes, with the DSN in the same transaction), committed while
//               the connection already sends the next job;
//   route:      replies classified by the profile's table steer the Route (pause, back-off,
//               auth broken with probes) — not every message discovering the limit by failing.
// Leases (lease_time) make a crash safe: a recipient leased by a dead process is due again
// at the next start (the store clears stale leases at open and start-up logs them as
// delivery_interrupted); its next attempt may duplicate a delivery whose 250 was not yet
// recorded (the at-least-once window). Within a process, a recipient is held from its lease
// until its outcome is recorded: a lease that expires meanwhile (a long quota pause, a slow
// upstream) is renewed by the next lease, never turned into a second job.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <unordered_set>

#include "delivery/job.hpp"
#include "delivery/outcomes.hpp"
#include "delivery/route.hpp"
#include "delivery/upstream_connection.hpp"
#include "policy/profile.hpp"
#include "policy/retry.hpp"
#include "store/store.hpp"
#include "telemetry/logger.hpp"
#include "telemetry/metrics.hpp"

namespace postern::delivery {

struct SchedulerOptions {
  // nullopt: capture mode (messages go to the store's capture mailbox; nothing leaves).
  std::optional<policy::ProviderProfile> profile;
  std::string username;
  std::string password;                            // SECRET
  std::optional<std::filesystem::path> ca_file;   // extra trust anchors
  policy::RetrySchedule retry;
  std::string hostname = "localhost";              // EHLO name, DSN reporting host
  std::string node_id = "postern";                 // lease owner
  std::size_t capture_limit = 1000;
  std::chrono::milliseconds lease_time{std::chrono::minutes(5)};
  std::chrono::milliseconds poll_interval{std::chrono::seconds(1)};
  std::size_t lease_batch = 200;                   // recipients per lease
  std::chrono::milliseconds connection_linger{std::chrono::seconds(2)};  // idle before QUIT
  std::chrono::milliseconds command_timeout{std::chrono::minutes(5)};    // per upstream reply
};

class Scheduler {
 public:
  // Throws std::runtime_error if the TLS client context cannot be made (start-up).
  Scheduler(store::Store& store, SchedulerOptions options, telemetry::Logger log,
            telemetry::Registry& metrics);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Starts the delivery thread.
  void start();
  // New mail was committed: look for due recipients now instead of at the next poll.
  // Thread-safe, cheap.
  void notify();
  // Stops leasing; lets transactions in flight finish (up to `bound`), says QUIT, and joins
  // the thread. Work not finished keeps its leases; the next start clears them and delivers it.
  void stop(std::chrono::milliseconds bound);

 private:
  struct Counters;
  boost::asio::awaitable<void> lease_loop();
  boost::asio::awaitable<void> worker();
  boost::asio::awaitable<void> capture_worker();
  boost::asio::awaitable<std::vector<store::LeasedRecipient>> async_lease();
  boost::asio::awaitable<core::Status> async_record(Decision decision);
  [[nodiscard]] std::optional<std::string> content_of(const Job& job);
  boost::asio::awaitable<void> deliver_job(UpstreamConnection& connection, Job job);
  boost::asio::awaitable<void> record_and_release(Job job, Decision decision);
  boost::asio::awaitable<void> defer_for_session_failure(Job job, smtp::SessionFailure failure,
                                                         std::optional<smtp::Reply> reply);
  // Applies a failed connection's verdict to the route and logs it (once per connection).
  void note_session_failure(smtp::SessionFailure failure, const std::optional<smtp::Reply>& reply);
  void start_workers();
  void wake();
  double random01();
  boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds duration);
  [[nodiscard]] DecisionContext decision_context();
  [[nodiscard]] smtp::ClientConfig client_config() const;
  void log_decision(const Job& job, const Decision& decision);
  // Drops recipients already held (queued or in flight here) and holds the rest.
  void hold_new(std::vector<store::LeasedRecipient>& leased);
  void release_held(const Job& job);

  store::Store& store_;
  SchedulerOptions options_;
  telemetry::Logger log_;
  std::unique_ptr<Counters> counters_;
  std::shared_ptr<boost::asio::ssl::context> client_tls_;
  boost::asio::io_context context_{1};
  boost::asio::steady_timer wake_timer_;
  Route route_;
  std::deque<Job> jobs_;
  std::unordered_set<std::string> held_;  // "<queue id>/<rcpt index>" from lease to outcome
  std::size_t workers_ = 0;
  bool route_proven_ = false;  // a connection logged in since start or the last failure
  bool stopping_ = false;
  std::atomic<bool> notified_{false};
  std::mt19937_64 random_{std::random_device{}()};
  std::thread thread_;
};

}  // namespace postern::delivery
