#include "server/auth_throttle.hpp"

#include <gtest/gtest.h>

namespace postern::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;

TEST(AuthThrottle, DelayDoublesPerFailureUpToTheCap) {
  AuthThrottle throttle;
  const auto t0 = AuthThrottle::Clock::time_point{} + minutes(100);
  const milliseconds want[] = {milliseconds(250), milliseconds(500), milliseconds(1000),
                               milliseconds(2000), milliseconds(4000), milliseconds(8000),
                               milliseconds(8000)};
  for (auto expected : want) EXPECT_EQ(throttle.on_failure("192.0.2.1", t0), expected);
}

TEST(AuthThrottle, AddressesAreIndependent) {
  AuthThrottle throttle;
  const auto t0 = AuthThrottle::Clock::time_point{} + minutes(100);
  (void)throttle.on_failure("192.0.2.1", t0);
  (void)throttle.on_failure("192.0.2.1", t0);
  EXPECT_EQ(throttle.on_failure("192.0.2.2", t0), milliseconds(250));
}

TEST(AuthThrottle, SuccessAndQuietTimeForget) {
  AuthThrottle throttle;
  const auto t0 = AuthThrottle::Clock::time_point{} + minutes(100);
  (void)throttle.on_failure("192.0.2.1", t0);
  (void)throttle.on_failure("192.0.2.1", t0);
  throttle.on_success("192.0.2.1");
  EXPECT_EQ(throttle.on_failure("192.0.2.1", t0), milliseconds(250));
  EXPECT_EQ(throttle.on_failure("192.0.2.1", t0 + minutes(1)), milliseconds(500));
  EXPECT_EQ(throttle.on_failure("192.0.2.1", t0 + minutes(20)), milliseconds(250));
}

}  // namespace
}  // namespace postern::server
