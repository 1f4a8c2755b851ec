#include "loadgen/load_run.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>

#include "loadgen/client_session.hpp"
#include "loadgen/client_setup.hpp"
#include "loadgen/io_threads.hpp"

namespace postern::loadgen {

namespace {

// Takes K message numbers at a time from `next` and sends them over one session, until the
// total is used up. A refused session counts its K messages as failed; nothing is retried,
// so the run is bounded by N whatever the server does.
asio::awaitable<void> worker(const ClientConfig& config, ThreadStats& stats,
                             std::atomic<std::uint64_t>& next) {
  const auto executor = co_await asio::this_coro::executor;
  const std::uint64_t total = config.options.total;
  const auto per_connection = static_cast<std::uint64_t>(config.options.per_connection);
  for (;;) {
    const std::uint64_t first = next.fetch_add(per_connection);
    if (first >= total) break;
    const std::uint64_t batch = std::min(per_connection, total - first);
    auto session = std::make_shared<ClientSession>(executor, config, stats);
    std::uint64_t done = 0;
    if (co_await session->async_open()) {
      bool broken = false;
      while (done < batch && !broken) {
        broken = co_await session->async_send(first + done) == SendResult::broken;
        ++done;  // counted by async_send as accepted or failed
      }
      if (!broken) co_await session->async_quit();
    }
    stats.failed_messages += batch - done;
    session->stop();
  }
}

void print_summary(const Options& o, ThreadStats& total, double seconds, double cpu) {
  const Percentiles p = percentiles(total.latency_us);
  const Percentiles wire = percentiles(total.wire_latency_us);
  const double rate = seconds > 0 ? static_cast<double>(total.accepted) / seconds : 0;
  std::printf(
      "{\"mode\":\"load\",\"label\":%s,\"connections\":%d,\"per_connection\":%d,\"size\":%zu,"
      "\"total\":%llu,\"messages\":%llu,\"failed_messages\":%llu,\"seconds\":%.3f,"
      "\"messages_per_s\":%.1f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
      "\"mean_ms\":%.3f,\"sessions\":%llu,\"refused\":%llu,\"errors\":%s,\"client_cpu_s\":%.3f,"
      "\"wire_p50_ms\":%.3f,\"wire_p99_ms\":%.3f,\"wire_samples\":%zu,\"tls\":%s}\n",
      json_string(o.label).c_str(), o.connections, o.per_connection, o.size,
      static_cast<unsigned long long>(o.total), static_cast<unsigned long long>(total.accepted),
      static_cast<unsigned long long>(total.failed_messages), seconds, rate, p.p50_ms, p.p90_ms,
      p.p99_ms, p.max_ms, p.mean_ms, static_cast<unsigned long long>(total.sessions),
      static_cast<unsigned long long>(total.refused), errors_json(total).c_str(), cpu,
      wire.p50_ms, wire.p99_ms, total.wire_latency_us.size(), json_string(total.tls).c_str());
  std::fflush(stdout);
}

}  // namespace

int run_load(const Options& options) {
  IoThreads threads(resolve_threads(options.threads));
  auto tls = make_client_tls(options);
  const MessageFactory messages(options.from, options.to, options.size);
  const ClientConfig config{options, tls, resolve_endpoint(options), messages,
                            auth_plain_response(options)};
  std::vector<ThreadStats> stats(threads.size());
  std::atomic<std::uint64_t> next{0};
  for (int i = 0; i < options.connections; ++i) {
    const auto t = static_cast<std::size_t>(i) % threads.size();
    asio::co_spawn(threads.context(t), worker(config, stats[t], next), asio::detached);
  }
  const double cpu_start = process_cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  threads.run();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  ThreadStats total;
  for (const auto& s : stats) total.merge(s);
  print_summary(options, total, elapsed.count(), process_cpu_seconds() - cpu_start);
  return total.accepted == options.total ? 0 : 1;
}

}  // namespace postern::loadgen
