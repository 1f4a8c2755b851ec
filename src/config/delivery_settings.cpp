// The [delivery] section: the retry schedule (issue: "Retry schedule as data"), overrides of
// the profile's connection limits, the capture mailbox size and the scheduler's timing.

#include "config/settings_readers.hpp"
#include "config/value_parsers.hpp"

namespace postern::config {
namespace {

using namespace keys;
using std::chrono::hours;
using std::chrono::milliseconds;

constexpr std::size_t kMaxRetrySteps = 100;
constexpr std::uint64_t kMaxJitterPercent = 50;

// A list of durations: a TOML array of strings, or a comma list (file or variable).
std::vector<std::chrono::seconds> read_schedule(const Sources& s,
                                                std::vector<std::chrono::seconds> fallback) {
  auto value = s.get(kRetrySchedule);
  if (!value) return fallback;
  const std::vector<std::string> items =
      *read_string_list(s, kRetrySchedule, "a list of durations like [\"1m\", \"5m\", \"1h\"]");
  if (items.empty() || items.size() > kMaxRetrySteps)
    fail(value->name, "must list 1-100 durations");
  std::vector<std::chrono::seconds> delays;
  for (const std::string& item : items) {
    std::string why;
    auto d = parse_duration(item, why);
    if (!d) fail(value->name, "'" + item.substr(0, 32) + "' " + why);
    if (*d < std::chrono::seconds(1) || *d > hours(24)) {
      fail(value->name, "each delay must be between 1s and 24h");
    }
    delays.push_back(std::chrono::duration_cast<std::chrono::seconds>(*d));
  }
  return delays;
}

// A percentage 0-50: TOML integer, or "10" / "10%" as a string or variable.
double read_jitter(const Sources& s, double fallback) {
  auto value = s.get(kRetryJitter);
  if (!value) return fallback;
  const std::string why = "must be a percentage from 0 to 50, like 10 or \"10%\"";
  std::int64_t percent = -1;
  if (value->kind == RawValue::Kind::integer) {
    percent = value->integer;
  } else if (value->kind == RawValue::Kind::string) {
    std::string text = value->text;
    if (text.ends_with('%')) text.pop_back();
    std::string ignored;
    if (auto n = parse_uint(text, ignored); n && *n <= kMaxJitterPercent) {
      percent = static_cast<std::int64_t>(*n);
    }
  }
  if (percent < 0 || percent > static_cast<std::int64_t>(kMaxJitterPercent)) fail(value->name, why);
  return static_cast<double>(percent) / 100.0;
}

std::optional<std::size_t> read_override(const Sources& s, const KeySpec& key, std::uint64_t max) {
  if (!s.get(key)) return std::nullopt;
  return static_cast<std::size_t>(read_count(s, key, 1, {1, max, {}}));
}

}  // namespace

DeliverySettings read_delivery(const Sources& s) {
  DeliverySettings d;
  d.retry.delays = read_schedule(s, d.retry.delays);
  d.retry.jitter = read_jitter(s, d.retry.jitter);
  d.retry.lifetime = std::chrono::duration_cast<std::chrono::seconds>(
      read_duration(s, kLifetime, d.retry.lifetime, hours(24 * 30)));
  if (d.retry.lifetime < std::chrono::minutes(1))
    fail(s.get(kLifetime)->name, "must be at least 1m");
  d.max_connections = read_override(s, kMaxConnections, 1000);
  d.messages_per_connection = read_override(s, kMessagesPerConnection, 1'000'000);
  d.capture_limit = read_count(s, kCaptureLimit, d.capture_limit, {1, 1'000'000, {}});
  d.keep_done = read_duration(s, kKeepDone, d.keep_done, hours(24 * 3650));
  d.lease_time = read_duration(s, kLeaseTime, d.lease_time, hours(24));
  d.poll_interval = read_duration(s, kPollInterval, d.poll_interval, hours(1));
  d.command_timeout = read_duration(s, kUpstreamCommandTimeout, d.command_timeout, hours(1));
  return d;
}

}  // namespace postern::config
