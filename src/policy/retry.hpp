#pragma once
// policy::RetrySchedule — when a deferred message is tried again, and when it expires
// (issue: "Retry schedule as data"; providers.md "Retry schedules of the incumbents").
//
// Default: 1m, 2m, 5m, 10m, 20m, 40m, 1h, then hourly (the last delay repeats), each with
// ±10 % jitter so deferred messages do not return in lock-step; a message older than 5 days
// expires and bounces (architecture invariant 2: expiry produces a bounce, not silence).
// Pure data and arithmetic: the caller supplies the random number and the times, and keeps
// each message's next attempt in the store so a restart keeps it.

#include <chrono>
#include <vector>

namespace postern::policy {

struct RetrySchedule {
  // Delay after the 1st, 2nd, ... failed attempt; the last one repeats. Never empty.
  std::vector<std::chrono::seconds> delays = {std::chrono::minutes(1),  std::chrono::minutes(2),
                                              std::chrono::minutes(5),  std::chrono::minutes(10),
                                              std::chrono::minutes(20), std::chrono::minutes(40),
                                              std::chrono::hours(1)};
  // Each delay is scaled by a factor uniform in [1 - jitter, 1 + jitter]. 0 <= jitter < 1.
  double jitter = 0.10;
  // Age (since the message was received) after which it is not tried again.
  std::chrono::seconds lifetime = std::chrono::hours(24 * 5);

  // The delay before the next attempt, after `attempts` attempts that consumed an attempt
  // (Classification::consumes_attempt); attempts 0 is treated as 1. `random01` in [0, 1]
  // (clamped): 0 gives the shortest, 1 the longest, 0.5 the nominal delay.
  [[nodiscard]] std::chrono::milliseconds next_delay(unsigned attempts, double random01) const;

  // The nominal (un-jittered) delay after `attempts` attempts.
  [[nodiscard]] std::chrono::seconds nominal_delay(unsigned attempts) const;

  [[nodiscard]] std::chrono::system_clock::time_point expires_at(
      std::chrono::system_clock::time_point received_at) const {
    return received_at + lifetime;
  }
  // True once `now` is at or past expires_at(received_at).
  [[nodiscard]] bool expired(std::chrono::system_clock::time_point received_at,
                             std::chrono::system_clock::time_point now) const {
    return now >= expires_at(received_at);
  }

  friend bool operator==(const RetrySchedule&, const RetrySchedule&) = default;
};

// The probe of a route in the auth_broken state: one login attempt after 1m, 5m, 15m, 30m,
// then hourly, ±10 %; no lifetime (the route stays broken until a probe succeeds).
[[nodiscard]] RetrySchedule auth_probe_schedule();

}  // namespace postern::policy
