#include "policy/retry.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace postern::policy {

std::chrono::seconds RetrySchedule::nominal_delay(unsigned attempts) const {
  assert(!delays.empty());
  const std::size_t index = std::min<std::size_t>(std::max(attempts, 1u) - 1, delays.size() - 1);
  return delays[index];
}

std::chrono::milliseconds RetrySchedule::next_delay(unsigned attempts, double random01) const {
  assert(jitter >= 0.0 && jitter < 1.0);
  // NaN compares false everywhere: treat it as the middle (no jitter).
  const double r = std::isnan(random01) ? 0.5 : std::clamp(random01, 0.0, 1.0);
  const double factor = 1.0 + jitter * (2.0 * r - 1.0);
  const auto nominal = std::chrono::duration<double, std::milli>(nominal_delay(attempts));
  return std::chrono::milliseconds(
      static_cast<std::int64_t>(std::llround(nominal.count() * factor)));
}

RetrySchedule auth_probe_schedule() {
  using std::chrono::minutes;
  RetrySchedule s;
  s.delays = {minutes(1), minutes(5), minutes(15), minutes(30), minutes(60)};
  s.jitter = 0.10;
  // A probe never expires; 100 years keeps expires_at() within system_clock's range.
  s.lifetime = std::chrono::hours(24 * 365 * 100);
  return s;
}

}  // namespace postern::policy
