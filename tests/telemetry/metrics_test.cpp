#include "telemetry/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace postern::telemetry {
namespace {

TEST(Metrics, PrometheusTextExposition) {
  Registry registry;
  registry.counter("postern_smtp_sessions_total", "SMTP sessions accepted").inc(3);
  registry.counter("postern_smtp_replies_total", "Replies sent", {{"code", "250"}}).inc();
  registry.counter("postern_smtp_replies_total", "Replies sent", {{"code", "550"}}).inc(2);
  Gauge& queue = registry.gauge("postern_queue_messages", "Messages in the queue", {{"state", "deferred"}});
  queue.set(7);
  queue.sub(2);
  queue.add();
  EXPECT_EQ(registry.expose(),
            "# HELP postern_queue_messages Messages in the queue\n"
            "# TYPE postern_queue_messages gauge\n"
            "postern_queue_messages{state=\"deferred\"} 6\n"
            "# HELP postern_smtp_replies_total Replies sent\n"
            "# TYPE postern_smtp_replies_total counter\n"
            "postern_smtp_replies_total{code=\"250\"} 1\n"
            "postern_smtp_replies_total{code=\"550\"} 2\n"
            "# HELP postern_smtp_sessions_total SMTP sessions accepted\n"
            "# TYPE postern_smtp_sessions_total counter\n"
            "postern_smtp_sessions_total 3\n");
}

TEST(Metrics, SameNameAndLabelsGiveTheSameSeries) {
  Registry registry;
  Counter& a = registry.counter("x_total", "h", {{"k", "v"}});
  Counter& b = registry.counter("x_total", "h", {{"k", "v"}});
  Counter& c = registry.counter("x_total", "h", {{"k", "w"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
}

TEST(Metrics, EscapesLabelValuesAndHelp) {
  Registry registry;
  registry.gauge("g", "line one\nback\\slash", {{"route", "a\"b\\c\nd"}, {"n", "2"}}).set(-4);
  EXPECT_EQ(registry.expose(),
            "# HELP g line one\\nback\\\\slash\n"
            "# TYPE g gauge\n"
            "g{route=\"a\\\"b\\\\c\\nd\",n=\"2\"} -4\n");
}

TEST(Metrics, ConcurrentIncrementsAreNotLost) {
  Registry registry;
  Counter& counter = registry.counter("hits_total", "hits");
  constexpr int kThreads = 4;
  constexpr int kIncrements = 100000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&registry, &counter] {
      for (int i = 0; i < kIncrements; ++i) counter.inc();
      registry.counter("hits_total", "hits").inc();  // registering concurrently is safe too
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.value(), static_cast<std::uint64_t>(kThreads) * kIncrements + kThreads);
}

TEST(MetricsDeathTest, MisuseAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Registry registry;
  EXPECT_DEATH(registry.counter("bad name", "h"), "invalid metric name");
  EXPECT_DEATH(registry.counter("ok_total", "h", {{"__reserved", "v"}}), "invalid label name");
  registry.counter("dup", "h");
  EXPECT_DEATH(registry.gauge("dup", "h"), "another type");
}

TEST(Metrics, DefaultRegistryIsOneInstance) {
  EXPECT_EQ(&default_registry(), &default_registry());
}

}  // namespace
}  // namespace postern::telemetry
