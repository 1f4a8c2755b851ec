#pragma once
// A small metrics registry: counters and gauges, exposed in the Prometheus text format 0.0.4.
//
//   auto& sessions = registry.counter("postern_smtp_sessions_total", "SMTP sessions accepted");
//   auto& by_reply = registry.counter("postern_smtp_replies_total", "Replies sent", {{"code", "250"}});
//   sessions.inc();                       // lock-free: one relaxed atomic add
//
// Registration takes a lock and returns a reference that stays valid for the registry's life,
// so hot paths register once and keep the reference. Names and labels are code constants: an
// invalid name, or a name registered again with another type or help text, is a programming
// error and aborts.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postern::telemetry {

class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(std::int64_t v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void add(std::int64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  void sub(std::int64_t n = 1) noexcept { value_.fetch_sub(n, std::memory_order_relaxed); }
  [[nodiscard]] std::int64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

// Label pairs in the order they are shown, e.g. {{"code", "250"}, {"route", "gmail"}}.
using Labels = std::vector<std::pair<std::string, std::string>>;

class Registry {
 public:
  // Returns the series `name{labels}`, creating it at zero on first use; the same name and
  // labels always give the same object. Names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names
  // [a-zA-Z_][a-zA-Z0-9_]* without a "__" prefix; label values are any text (escaped on output).
  Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});

  // Every family in name order, series in registration order:
  //   # HELP postern_smtp_sessions_total SMTP sessions accepted
  //   # TYPE postern_smtp_sessions_total counter
  //   postern_smtp_sessions_total 12
  [[nodiscard]] std::string expose() const;

 private:
  enum class Type { counter, gauge };
  struct Series {
    std::string labels;  // rendered: {code="250"} or empty
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
  };
  struct Family {
    Type type;
    std::string help;
    std::vector<Series> series;
  };

  Series& series(std::string_view name, std::string_view help, const Labels& labels, Type type);

  mutable std::mutex mutex_;
  std::map<std::string, Family, std::less<>> families_;
};

// The process-wide registry the server, delivery and HTTP modules share.
Registry& default_registry();

}  // namespace postern::telemetry
