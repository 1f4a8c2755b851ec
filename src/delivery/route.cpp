#include "delivery/route.hpp"

#include <algorithm>

namespace postern::delivery {

namespace {
constexpr auto kDefaultBackOff = std::chrono::seconds(30);
constexpr auto kSlowDownPause = std::chrono::seconds(2);
constexpr auto kFirstConnectBackOff = std::chrono::seconds(5);
constexpr auto kMaxConnectBackOff = std::chrono::minutes(5);
}  // namespace

Route::Route(std::size_t max_connections)
    : max_connections_(std::max<std::size_t>(1, max_connections)),
      concurrency_cap_(max_connections_),
      probe_schedule_(policy::auth_probe_schedule()) {}

bool Route::may_connect(Clock::time_point now) const { return now >= resume_at_; }

std::size_t Route::connection_limit() const {
  // An auth-broken route probes with a single connection.
  return health_ == Health::auth_broken ? 1 : concurrency_cap_;
}

void Route::on_success() {
  health_ = Health::healthy;
  connect_failures_ = 0;
  auth_probes_ = 0;
  concurrency_cap_ = max_connections_;
}

void Route::pause_until(Clock::time_point until) {
  resume_at_ = std::max(resume_at_, until);
  if (health_ == Health::healthy) health_ = Health::paused;
}

void Route::on_effect(const policy::Classification& c, Clock::time_point now, double random01) {
  using policy::RouteEffect;
  switch (c.route_effect) {
    case RouteEffect::none:
      return;
    case RouteEffect::slow_down:
      pause_until(now + kSlowDownPause);
      return;
    case RouteEffect::pause_until_window:
    case RouteEffect::back_off: {
      policy::Classification resolved = c;
      if (resolved.pause.count() == 0 && !resolved.until_utc_day_reset) {
        resolved.pause = kDefaultBackOff;
      }
      pause_until(policy::route_resume_at(resolved, now));
      return;
    }
    case RouteEffect::reduce_concurrency:
      concurrency_cap_ = std::max<std::size_t>(1, concurrency_cap_ - 1);
      pause_until(now + kSlowDownPause);
      return;
    case RouteEffect::auth_broken:
      health_ = Health::auth_broken;
      ++auth_probes_;
      resume_at_ = now + probe_schedule_.next_delay(auth_probes_, random01);
      return;
  }
}

void Route::on_connect_failure(Clock::time_point now) {
  ++connect_failures_;
  auto delay = kFirstConnectBackOff * (1u << std::min(connect_failures_ - 1, 6u));
  pause_until(now + std::min<Clock::duration>(delay, kMaxConnectBackOff));
}

std::string Route::describe() const {
  switch (health_) {
    case Health::healthy: return "healthy";
    case Health::paused: return "paused";
    case Health::auth_broken: return "auth_broken";
  }
  return "unknown";
}

}  // namespace postern::delivery
