#include "loadgen/stats.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace postern::loadgen {

void ThreadStats::error(std::string_view kind) {
  auto it = errors.find(kind);
  if (it == errors.end()) it = errors.emplace(std::string(kind), 0).first;
  ++it->second;
}

void ThreadStats::merge(const ThreadStats& other) {
  latency_us.insert(latency_us.end(), other.latency_us.begin(), other.latency_us.end());
  wire_latency_us.insert(wire_latency_us.end(), other.wire_latency_us.begin(),
                         other.wire_latency_us.end());
  accepted += other.accepted;
  failed_messages += other.failed_messages;
  sessions += other.sessions;
  refused += other.refused;
  for (const auto& [kind, count] : other.errors) errors[kind] += count;
  if (tls.empty()) tls = other.tls;
}

Percentiles percentiles(std::vector<std::uint32_t>& latency_us) {
  Percentiles p;
  if (latency_us.empty()) return p;
  std::sort(latency_us.begin(), latency_us.end());
  const auto rank = [&](double q) {
    auto index = static_cast<std::size_t>(std::ceil(q * static_cast<double>(latency_us.size())));
    index = std::clamp<std::size_t>(index, 1, latency_us.size());
    return latency_us[index - 1] / 1000.0;
  };
  p.p50_ms = rank(0.50);
  p.p90_ms = rank(0.90);
  p.p99_ms = rank(0.99);
  p.max_ms = latency_us.back() / 1000.0;
  const double sum = std::accumulate(latency_us.begin(), latency_us.end(), 0.0);
  p.mean_ms = sum / static_cast<double>(latency_us.size()) / 1000.0;
  return p;
}

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string errors_json(const ThreadStats& stats) {
  std::string out = "{";
  for (const auto& [kind, count] : stats.errors) {
    if (out.size() > 1) out += ',';
    out += json_string(kind) + ":" + std::to_string(count);
  }
  return out + "}";
}

double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace postern::loadgen
