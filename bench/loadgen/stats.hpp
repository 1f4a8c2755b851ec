#pragma once
// Counters and latencies of one io_context thread, merged after the run into one JSON line.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace postern::loadgen {

struct ThreadStats {
  std::vector<std::uint32_t> latency_us;  // final dot written -> 250 read, per accepted message
  // Final dot written -> the kernel received the 250 (SO_TIMESTAMPING): without the time the
  // generator's own thread took to get to the reply.
  std::vector<std::uint32_t> wire_latency_us;
  std::uint64_t accepted = 0;             // 250 after the final dot
  std::uint64_t failed_messages = 0;      // not accepted for any reason (incl. refused sessions)
  std::uint64_t sessions = 0;             // sessions that got through AUTH
  std::uint64_t refused = 0;              // sessions that failed before AUTH succeeded
  std::map<std::string, std::uint64_t, std::less<>> errors;  // by kind, e.g. "connect_refused"
  std::string tls;  // protocol and cipher of the first TLS session, e.g. "TLSv1.3 TLS_AES_..."

  void error(std::string_view kind);
  void merge(const ThreadStats& other);
};

struct Percentiles {
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
};

// Nearest-rank percentiles; sorts `latency_us`.
[[nodiscard]] Percentiles percentiles(std::vector<std::uint32_t>& latency_us);

// {"kind":count,...}
[[nodiscard]] std::string errors_json(const ThreadStats& stats);

// Seconds of CPU (user + system) this process has used so far.
[[nodiscard]] double process_cpu_seconds();

// JSON string literal for `text` (quotes, backslashes and control characters escaped).
[[nodiscard]] std::string json_string(std::string_view text);

}  // namespace postern::loadgen
