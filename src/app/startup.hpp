#pragma once
// Start-up steps of `serve`, each reporting its failure in the log: data directory, store,
// TLS certificate and context, accounts (with the first-run demo account).

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <optional>

#include "auth/authenticator.hpp"
#include "delivery/scheduler.hpp"
#include "config/config.hpp"
#include "smtp/server_session.hpp"
#include "store/store.hpp"
#include "telemetry/logger.hpp"

namespace postern::app {

struct Parts {
  std::unique_ptr<store::Store> store;
  std::shared_ptr<boost::asio::ssl::context> tls;
  std::unique_ptr<auth::Authenticator> authenticator;
};

[[nodiscard]] telemetry::Logger make_logger(const config::Config& config);

// Opens the store, loads or generates the certificate, loads the accounts. On failure logs
// what failed and why, and returns nothing.
[[nodiscard]] std::optional<Parts> start_parts(const config::Config& config,
                                               const telemetry::Logger& log);

[[nodiscard]] smtp::SessionConfig session_config(const config::Config& config);
[[nodiscard]] delivery::SchedulerOptions scheduler_options(const config::Config& config);
// One start-up line saying where mail goes: the provider, or that nothing leaves (capture).
void log_delivery_mode(const config::Config& config, const telemetry::Logger& log);
// REQUIRES: config.listen.host is an IP address (config validates it).
[[nodiscard]] boost::asio::ip::tcp::endpoint listen_endpoint(const config::Config& config);
[[nodiscard]] std::string format_endpoint(const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace postern::app
