#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "loadgen/client_session.hpp"
#include "loadgen/client_setup.hpp"
#include "loadgen/io_threads.hpp"
#include "loadgen/load_run.hpp"

namespace postern::loadgen {

namespace {

using Clock = std::chrono::steady_clock;

// Per io_context thread; touched only from that thread.
struct IdleThread {
  explicit IdleThread(asio::io_context& context) : release(context, Clock::time_point::max()) {}
  asio::steady_timer release;  // cancelled when the hold ends
  bool released = false;
  std::uint64_t alive = 0;
  ThreadStats stats;
};

struct IdleShared {
  const ClientConfig& config;
  std::atomic<std::uint64_t> next{0};
  std::atomic<std::uint64_t> finished{0};
  std::atomic<std::uint64_t> established{0};
  Clock::time_point start = Clock::now();
};

void report_established(IdleShared& shared) {
  const std::uint64_t total = shared.config.options.idle;
  if (shared.finished.fetch_add(1) + 1 != total) return;
  const std::chrono::duration<double> elapsed = Clock::now() - shared.start;
  const std::uint64_t ok = shared.established.load();
  std::printf("{\"mode\":\"idle\",\"event\":\"established\",\"established\":%llu,\"refused\":%llu,"
              "\"seconds\":%.3f}\n",
              static_cast<unsigned long long>(ok), static_cast<unsigned long long>(total - ok),
              elapsed.count());
  std::fflush(stdout);
}

asio::awaitable<void> hold(std::shared_ptr<ClientSession> session, IdleThread& thread) {
  error_code ec;  // operation_aborted when released
  while (!thread.released) {
    co_await thread.release.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  const bool alive = co_await session->async_noop();
  if (alive) {
    ++thread.alive;
    co_await session->async_quit();
  }
  session->stop();
}

asio::awaitable<void> opener(IdleShared& shared, IdleThread& thread) {
  const auto executor = co_await asio::this_coro::executor;
  for (;;) {
    if (shared.next.fetch_add(1) >= shared.config.options.idle) break;
    auto session = std::make_shared<ClientSession>(executor, shared.config, thread.stats);
    if (co_await session->async_open()) {
      session->disarm();
      ++shared.established;
      asio::co_spawn(executor, hold(session, thread), asio::detached);
    } else {
      session->stop();
    }
    report_established(shared);
  }
}

// Ends the hold on SIGINT, SIGTERM or after --hold seconds, whichever comes first.
void wait_for_release(const Options& options, asio::io_context& control) {
  asio::signal_set signals(control, SIGINT, SIGTERM);
  asio::steady_timer timer(control);
  signals.async_wait([&](const error_code&, int) { timer.cancel(); });
  if (options.hold_s > 0) {
    timer.expires_after(std::chrono::milliseconds(static_cast<long>(options.hold_s * 1000)));
    timer.async_wait([&](const error_code&) { signals.cancel(); });
  }
  control.run();
}

}  // namespace

int run_idle(const Options& options) {
  IoThreads threads(resolve_threads(options.threads));
  auto tls = make_client_tls(options);
  const MessageFactory messages(options.from, options.to, options.size);
  const ClientConfig config{options, tls, resolve_endpoint(options), messages,
                            auth_plain_response(options)};
  std::vector<std::unique_ptr<IdleThread>> per_thread;
  for (std::size_t t = 0; t < threads.size(); ++t) {
    per_thread.push_back(std::make_unique<IdleThread>(threads.context(t)));
  }
  IdleShared shared{config};
  for (int i = 0; i < options.connections; ++i) {
    const auto t = static_cast<std::size_t>(i) % threads.size();
    asio::co_spawn(threads.context(t), opener(shared, *per_thread[t]), asio::detached);
  }
  asio::io_context control;
  std::jthread releaser([&] {
    wait_for_release(options, control);
    for (std::size_t t = 0; t < threads.size(); ++t) {
      asio::post(threads.context(t), [&thread = *per_thread[t]] {
        thread.released = true;
        thread.release.cancel();
      });
    }
  });
  threads.run();  // returns once every session has been released and closed
  control.stop();
  releaser.join();
  ThreadStats total;
  std::uint64_t alive = 0;
  for (const auto& t : per_thread) {
    total.merge(t->stats);
    alive += t->alive;
  }
  std::printf("{\"mode\":\"idle\",\"event\":\"released\",\"established\":%llu,\"alive\":%llu,"
              "\"refused\":%llu,\"errors\":%s}\n",
              static_cast<unsigned long long>(shared.established.load()),
              static_cast<unsigned long long>(alive), static_cast<unsigned long long>(total.refused),
              errors_json(total).c_str());
  std::fflush(stdout);
  return alive == options.idle ? 0 : 1;
}

}  // namespace postern::loadgen
