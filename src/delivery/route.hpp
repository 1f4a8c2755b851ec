#pragma once
// delivery::Route — the upstream as a resource with state (architecture "Upstreams are
// resources with state"): healthy, paused until T (quota window, throttling, back-off),
// or auth-broken (no more logins; one probe at a time on a backoff schedule; loud log).
// Only the delivery thread touches it.

#include <chrono>
#include <cstddef>
#include <string>

#include "policy/classify.hpp"
#include "policy/retry.hpp"

namespace postern::delivery {

class Route {
 public:
  using Clock = std::chrono::system_clock;
  enum class Health { healthy, paused, auth_broken };

  explicit Route(std::size_t max_connections);

  // True if a new connection may be opened at `now` (an auth-broken route allows one probe
  // once its probe time has come).
  [[nodiscard]] bool may_connect(Clock::time_point now) const;
  // When may_connect() turns true again (now if it is true).
  [[nodiscard]] Clock::time_point resume_at() const { return resume_at_; }
  [[nodiscard]] Health health() const { return health_; }
  [[nodiscard]] std::size_t connection_limit() const;

  // A connection logged in (or a transaction went through): the route is healthy again.
  void on_success();
  // A reply's route effect (policy::Classification::route_effect). `random01` for jitter.
  void on_effect(const policy::Classification& c, Clock::time_point now, double random01);
  // The connection could not be opened (DNS, TCP, TLS, no STARTTLS): exponential back-off,
  // 5 s doubling to 5 min.
  void on_connect_failure(Clock::time_point now);

  [[nodiscard]] std::string describe() const;

 private:
  void pause_until(Clock::time_point until);

  std::size_t max_connections_;
  std::size_t concurrency_cap_;  // lowered by reduce_concurrency, back up on success
  Health health_ = Health::healthy;
  Clock::time_point resume_at_{};
  unsigned connect_failures_ = 0;
  unsigned auth_probes_ = 0;
  policy::RetrySchedule probe_schedule_;
};

}  // namespace postern::delivery
