#include "policy/retry.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace postern::policy {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

TEST(RetrySchedule, DefaultsAreTheIssueSchedule) {
  const RetrySchedule s;
  const std::vector<std::chrono::seconds> want = {1min, 2min, 5min, 10min, 20min, 40min, 1h};
  EXPECT_EQ(s.delays, want);
  EXPECT_DOUBLE_EQ(s.jitter, 0.10);
  EXPECT_EQ(s.lifetime, std::chrono::hours(24 * 5));
}

TEST(RetrySchedule, NominalDelayPerAttemptThenHourly) {
  const RetrySchedule s;
  const std::chrono::seconds want[] = {1min, 1min, 2min, 5min, 10min, 20min, 40min, 1h, 1h, 1h};
  for (unsigned attempts = 0; attempts < std::size(want); ++attempts) {
    EXPECT_EQ(s.nominal_delay(attempts), want[attempts]) << attempts;
    EXPECT_EQ(s.next_delay(attempts, 0.5), milliseconds(want[attempts])) << attempts;
  }
  EXPECT_EQ(s.nominal_delay(1000), 1h);
  EXPECT_EQ(s.nominal_delay(std::numeric_limits<unsigned>::max()), 1h);
}

TEST(RetrySchedule, JitterStaysWithinTenPercent) {
  const RetrySchedule s;
  for (unsigned attempts = 1; attempts <= 9; ++attempts) {
    const auto nominal = milliseconds(s.nominal_delay(attempts));
    const auto low = nominal * 9 / 10;
    const auto high = nominal * 11 / 10;
    EXPECT_EQ(s.next_delay(attempts, 0.0), low) << attempts;
    EXPECT_EQ(s.next_delay(attempts, 1.0), high) << attempts;
    for (int i = 0; i <= 100; ++i) {
      const auto d = s.next_delay(attempts, i / 100.0);
      EXPECT_GE(d, low);
      EXPECT_LE(d, high);
    }
  }
  // Out-of-range random numbers are clamped; NaN means no jitter.
  EXPECT_EQ(s.next_delay(1, -3.0), milliseconds(54'000));
  EXPECT_EQ(s.next_delay(1, 7.0), milliseconds(66'000));
  EXPECT_EQ(s.next_delay(1, std::nan("")), milliseconds(60'000));
}

TEST(RetrySchedule, ZeroJitterAndCustomList) {
  RetrySchedule s;
  s.delays = {30s, 90s};
  s.jitter = 0.0;
  EXPECT_EQ(s.next_delay(1, 0.0), 30s);
  EXPECT_EQ(s.next_delay(2, 1.0), 90s);
  EXPECT_EQ(s.next_delay(3, 0.3), 90s);  // the last repeats
}

TEST(RetrySchedule, LifetimeAndExpiry) {
  const RetrySchedule s;
  const auto received = std::chrono::system_clock::time_point(std::chrono::hours(500'000));
  EXPECT_EQ(s.expires_at(received), received + std::chrono::hours(120));
  EXPECT_FALSE(s.expired(received, received));
  EXPECT_FALSE(s.expired(received, received + std::chrono::hours(120) - 1ms));
  EXPECT_TRUE(s.expired(received, received + std::chrono::hours(120)));
  EXPECT_TRUE(s.expired(received, received + std::chrono::hours(1000)));
}

TEST(AuthProbeSchedule, BacksOffToHourlyAndNeverExpires) {
  const RetrySchedule s = auth_probe_schedule();
  EXPECT_EQ(s.nominal_delay(1), 1min);
  EXPECT_EQ(s.nominal_delay(2), 5min);
  EXPECT_EQ(s.nominal_delay(50), 1h);
  const auto t = std::chrono::system_clock::time_point(std::chrono::hours(500'000));
  EXPECT_FALSE(s.expired(t, t + std::chrono::hours(24 * 365)));
}

}  // namespace
}  // namespace postern::policy
