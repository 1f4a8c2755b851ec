#include "app/serve.hpp"

#include <boost/asio/signal_set.hpp>

#include <malloc.h>

#include <future>
#include <iostream>
#include <thread>

#include "app/startup.hpp"
#include "delivery/scheduler.hpp"
#include "http/admin_server.hpp"
#include "server/submission_server.hpp"
#include "telemetry/metrics.hpp"

namespace postern::app {
namespace {

namespace asio = boost::asio;

// How long connections in flight may take to finish after SIGTERM.
constexpr auto kDrainBound = std::chrono::seconds(10);

// Turns SIGINT and SIGTERM into a future. Installed before the listener starts, so a signal
// that arrives once "listening" is logged is never fatal.
class StopSignal {
 public:
  explicit StopSignal(asio::io_context& context) : signals_(context, SIGINT, SIGTERM) {
    signals_.async_wait([this](boost::system::error_code ec, int number) {
      signalled_.set_value(ec ? 0 : number);
    });
  }
  void wait() { signalled_.get_future().wait(); }

 private:
  std::promise<int> signalled_;
  asio::signal_set signals_;
};

// glibc returns a freed block of more than M_MMAP_THRESHOLD (dynamic, from 128 KiB) to the
// kernel at once, so every large message body was fresh memory: page faults while it grew,
// TLB shoot-downs when it went. Bodies up to 4 MiB now reuse heap memory; the heap's free top
// beyond 16 MiB is still given back.
void tune_allocator() {
  (void)mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
  (void)mallopt(M_TRIM_THRESHOLD, 16 * 1024 * 1024);
}

void drain(server::ConnectionContext& connections) {
  const auto deadline = std::chrono::steady_clock::now() + kDrainBound;
  while (connections.active.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

int run_serve(const config::Config& config) {
  tune_allocator();  // before any thread starts
  telemetry::Logger log = make_logger(config);
  for (const auto& warning : config.warnings) log.warn("config_warning", {{"warning", warning}});
  auto parts = start_parts(config, log);
  if (!parts) return 1;

  std::unique_ptr<delivery::Scheduler> scheduler;
  try {
    scheduler = std::make_unique<delivery::Scheduler>(*parts->store, scheduler_options(config),
                                                      log.with({{"part", "delivery"}}),
                                                      telemetry::default_registry());
  } catch (const std::exception& e) {
    log.error("delivery_failed", {{"error", e.what()}});
    return 1;
  }
  log_delivery_mode(config, log);

  server::IoPool pool(config.io_threads);
  // Two threads (one per core on the platform's small containers), nice +10: session set-up
  // yields to messages in flight.
  server::BackgroundPool background(2, 10);
  server::AuthThrottle throttle;
  server::ServerMetrics metrics(telemetry::default_registry());

  server::ConnectionContext connections;
  connections.session = session_config(config);
  connections.accept = server::AcceptOptions{.hostname = config.hostname};
  connections.tls = parts->tls;
  connections.authenticator = parts->authenticator.get();
  connections.store = parts->store.get();
  connections.log = &log;
  connections.metrics = &metrics;
  connections.background = &background;
  connections.throttle = &throttle;
  connections.on_accepted = [&scheduler] { scheduler->notify(); };

  std::unique_ptr<server::SubmissionServer> listener;
  try {
    listener = std::make_unique<server::SubmissionServer>(pool, connections,
                                                          listen_endpoint(config));
  } catch (const boost::system::system_error& e) {
    log.error("listen_failed", {{"address", config.listen.host + ":" +
                                                std::to_string(config.listen.port)},
                                {"error", e.code().message()}});
    return 1;
  }
  // The admin API for `postern queue` / `postern capture` while this process holds the store.
  http::AdminServer admin(pool.first(), *parts->store, config.data_dir / "admin.sock",
                          log.with({{"part", "admin"}}));
  try {
    admin.start();
  } catch (const boost::system::system_error& e) {
    log.error("admin_socket_failed", {{"path", (config.data_dir / "admin.sock").string()},
                                      {"error", e.code().message()}});
    return 1;
  }

  StopSignal stop_signal(pool.first());
  const auto bound = listener->local_endpoint();
  listener->start();
  pool.start();
  scheduler->start();
  log.info("listening", {{"address", format_endpoint(bound)}, {"threads", config.io_threads}});

  stop_signal.wait();
  log.info("stopping", {{"connections", connections.active.load()}});
  listener->stop_accepting();
  connections.registry.stop_all();  // idle sessions: 421 now; busy ones at their next command
  admin.stop();
  drain(connections);
  pool.stop();
  pool.join();
  background.join();
  scheduler->stop(kDrainBound);  // transactions in flight finish; the rest waits in the queue
  parts->store.reset();  // the writer finishes every commit it was given
  log.info("stopped");
  return 0;
}

}  // namespace postern::app
