// [delivery]: the retry schedule as data, connection overrides, capture mailbox, timing.

#include <gtest/gtest.h>

#include "config/config.hpp"
#include "support.hpp"

namespace postern::config {
namespace {

using namespace std::chrono_literals;
using test::input;

TEST(Delivery, Defaults) {
  const DeliverySettings d = load_config(input()).delivery;
  EXPECT_EQ(d.retry, policy::RetrySchedule{});
  EXPECT_EQ(d.retry.lifetime, std::chrono::hours(120));
  EXPECT_DOUBLE_EQ(d.retry.jitter, 0.10);
  EXPECT_FALSE(d.max_connections);
  EXPECT_FALSE(d.messages_per_connection);
  EXPECT_EQ(d.capture_limit, 1000u);
  EXPECT_EQ(d.keep_done, std::chrono::hours(24 * 7));
  EXPECT_EQ(d.lease_time, 15min);
  EXPECT_EQ(d.poll_interval, 1s);
  EXPECT_EQ(d.command_timeout, 5min);
}

TEST(Delivery, EveryKeyFromToml) {
  const DeliverySettings d = load_config_from_string(R"(
[delivery]
retry_schedule = ["30s", "2m", "1h30m"]
retry_jitter = 20
lifetime = "3d"
max_connections = 2
messages_per_connection = 50
capture_limit = 200
keep_done = "12h"
lease_time = "20m"
poll_interval = "250ms"
command_timeout = "45s"
)",
                                                     input())
                                 .delivery;
  const std::vector<std::chrono::seconds> want = {30s, 2min, 90min};
  EXPECT_EQ(d.retry.delays, want);
  EXPECT_DOUBLE_EQ(d.retry.jitter, 0.20);
  EXPECT_EQ(d.retry.lifetime, std::chrono::hours(72));
  EXPECT_EQ(d.max_connections, 2u);
  EXPECT_EQ(d.messages_per_connection, 50u);
  EXPECT_EQ(d.capture_limit, 200u);
  EXPECT_EQ(d.keep_done, 12h);
  EXPECT_EQ(d.lease_time, 20min);
  EXPECT_EQ(d.poll_interval, 250ms);
  EXPECT_EQ(d.command_timeout, 45s);
}

TEST(Delivery, EveryVariable) {
  const Config c = load_config(input({{"POSTERN_DELIVERY_RETRY_SCHEDULE", "1m, 5m,1h"},
                                      {"POSTERN_DELIVERY_RETRY_JITTER", "0%"},
                                      {"POSTERN_DELIVERY_LIFETIME", "36h"},
                                      {"POSTERN_DELIVERY_MAX_CONNECTIONS", "7"},
                                      {"POSTERN_DELIVERY_MESSAGES_PER_CONNECTION", "99"},
                                      {"POSTERN_DELIVERY_CAPTURE_LIMIT", "5"},
                                      {"POSTERN_DELIVERY_KEEP_DONE", "90s"},
                                      {"POSTERN_DELIVERY_LEASE_TIME", "1h"},
                                      {"POSTERN_DELIVERY_POLL_INTERVAL", "2s"},
                                      {"POSTERN_DELIVERY_COMMAND_TIMEOUT", "30s"}}));
  const DeliverySettings& d = c.delivery;
  const std::vector<std::chrono::seconds> want = {1min, 5min, 1h};
  EXPECT_EQ(d.retry.delays, want);
  EXPECT_DOUBLE_EQ(d.retry.jitter, 0.0);
  EXPECT_EQ(d.retry.lifetime, 36h);
  EXPECT_EQ(d.max_connections, 7u);
  EXPECT_EQ(d.messages_per_connection, 99u);
  EXPECT_EQ(d.capture_limit, 5u);
  EXPECT_EQ(d.keep_done, 90s);
  EXPECT_EQ(d.lease_time, 1h);
  EXPECT_EQ(d.poll_interval, 2s);
  EXPECT_EQ(d.command_timeout, 30s);
  EXPECT_TRUE(c.warnings.empty());
}

TEST(Delivery, ScheduleAsACommaStringInTheFileAndJitterAsPercentString) {
  const DeliverySettings d =
      load_config_from_string("[delivery]\nretry_schedule = \"10s,20s\"\nretry_jitter = \"15%\"",
                              input())
          .delivery;
  const std::vector<std::chrono::seconds> want = {10s, 20s};
  EXPECT_EQ(d.retry.delays, want);
  EXPECT_DOUBLE_EQ(d.retry.jitter, 0.15);
}

}  // namespace
}  // namespace postern::config
