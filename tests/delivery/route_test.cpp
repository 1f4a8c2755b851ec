#include "delivery/route.hpp"

#include <gtest/gtest.h>

namespace postern::delivery {
namespace {

using namespace std::chrono_literals;
const auto t0 = std::chrono::system_clock::time_point{} + 1000h;

policy::Classification effect(policy::RouteEffect e, std::chrono::seconds pause = 0s) {
  policy::Classification c;
  c.route_effect = e;
  c.pause = pause;
  return c;
}

TEST(Route, HealthyRouteMayConnect) {
  Route route(4);
  EXPECT_TRUE(route.may_connect(t0));
  EXPECT_EQ(route.connection_limit(), 4u);
}

TEST(Route, PauseUntilWindowHoldsConnectionsUntilItEnds) {
  Route route(4);
  route.on_effect(effect(policy::RouteEffect::pause_until_window, 3600s), t0, 0.5);
  EXPECT_FALSE(route.may_connect(t0 + 3599s));
  EXPECT_TRUE(route.may_connect(t0 + 3600s));
  EXPECT_EQ(route.health(), Route::Health::paused);
}

TEST(Route, AuthBrokenProbesWithOneConnectionAfterABackoff) {
  Route route(4);
  route.on_effect(effect(policy::RouteEffect::auth_broken), t0, 0.5);
  EXPECT_EQ(route.health(), Route::Health::auth_broken);
  EXPECT_EQ(route.connection_limit(), 1u);
  EXPECT_FALSE(route.may_connect(t0 + 30s));
  EXPECT_TRUE(route.may_connect(t0 + 1h));
  route.on_success();
  EXPECT_EQ(route.health(), Route::Health::healthy);
  EXPECT_EQ(route.connection_limit(), 4u);
}

TEST(Route, ReduceConcurrencyLowersTheLimitButNeverToZero) {
  Route route(2);
  route.on_effect(effect(policy::RouteEffect::reduce_concurrency), t0, 0.5);
  EXPECT_EQ(route.connection_limit(), 1u);
  route.on_effect(effect(policy::RouteEffect::reduce_concurrency), t0, 0.5);
  EXPECT_EQ(route.connection_limit(), 1u);
}

TEST(Route, ConnectFailuresBackOffExponentially) {
  Route route(1);
  route.on_connect_failure(t0);
  EXPECT_FALSE(route.may_connect(t0 + 4s));
  EXPECT_TRUE(route.may_connect(t0 + 5s));
  route.on_connect_failure(t0 + 5s);
  EXPECT_FALSE(route.may_connect(t0 + 14s));
  EXPECT_TRUE(route.may_connect(t0 + 15s));
}

}  // namespace
}  // namespace postern::delivery
