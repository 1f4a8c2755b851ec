// Group-commit throughput of the SQLite store. Each of N writer threads commits a 2 KiB
// message and waits for its `done`, over and over, as N concurrent SMTP sessions would.
//   items_per_second  commits acknowledged per second (all writers together)
//   tx_per_second     write transactions per second (= fsyncs of the WAL)
//   avg_batch         commits per transaction
// The data directory is a fresh temp dir per run ($POSTERN_BENCH_DIR to put it elsewhere).
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>

#include "core/ids.hpp"
#include "store/store.hpp"

namespace postern::store {
namespace {

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<Store> store;
  std::atomic<std::uint64_t> sequence{0};
  std::string content;
};
std::unique_ptr<Fixture> g_fixture;  // lives from setup() to teardown()

// 2 KiB of header and 76-octet CRLF lines, as a small transactional mail would be.
std::string message_2k() {
  std::string s = "From: app@example.com\r\nTo: user@example.org\r\nSubject: bench\r\n\r\n";
  while (s.size() < 2048 - 78) s += std::string(76, 'x') + "\r\n";
  s.resize(2048 - 2, 'y');
  return s + "\r\n";
}

void setup(const benchmark::State&) {
  const char* base = std::getenv("POSTERN_BENCH_DIR");
  std::string pattern =
      (base ? std::filesystem::path(base) : std::filesystem::temp_directory_path()) /
      "postern-bench-XXXXXX";
  g_fixture = std::make_unique<Fixture>();
  g_fixture->dir = ::mkdtemp(pattern.data());
  StoreOptions options;
  options.data_dir = g_fixture->dir / "data";
  auto store = open_store(options);
  if (!store) std::abort();
  g_fixture->store = std::move(store.value());
  g_fixture->content = message_2k();
}

void teardown(const benchmark::State&) {
  g_fixture->store.reset();
  std::filesystem::remove_all(g_fixture->dir);
  g_fixture.reset();
}

NewMessage next_message(Fixture& f) {
  NewMessage m;
  m.queue_id = core::make_queue_id(1'700'000'000'000) + std::to_string(f.sequence++);
  m.account = "bench";
  m.client_address = "127.0.0.1";
  m.mail_from = "app@example.com";
  m.rcpt_to = {"user@example.org"};
  m.content = f.content;
  m.received_at_ms = 1'700'000'000'000;
  return m;
}

void BM_StoreCommit(benchmark::State& state) {
  Fixture& f = *g_fixture;
  for (auto _ : state) {
    std::promise<core::Status> done;
    auto result = done.get_future();
    f.store->async_commit(next_message(f), [&done](core::Status st) { done.set_value(st); });
    if (result.get()) {
      state.SkipWithError("commit failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {  // every writer has left its loop (benchmark's barrier)
    const StoreStats stats = f.store->stats();
    const double tx = static_cast<double>(stats.transactions);
    state.counters["tx_per_second"] = benchmark::Counter(tx, benchmark::Counter::kIsRate);
    state.counters["avg_batch"] = tx > 0 ? static_cast<double>(stats.messages_committed) / tx : 0;
    state.counters["checkpoints"] = static_cast<double>(stats.checkpoints);
  }
}

BENCHMARK(BM_StoreCommit)
    ->Setup(setup)
    ->Teardown(teardown)
    ->UseRealTime()
    ->MinTime(3.0)
    ->Threads(1)
    ->Threads(10)
    ->Threads(100);

}  // namespace
}  // namespace postern::store

BENCHMARK_MAIN();
