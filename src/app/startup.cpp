#include "app/startup.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "auth/account_store.hpp"
#include "tls/self_signed.hpp"
#include "tls/server_context.hpp"

namespace postern::app {
namespace {

namespace asio = boost::asio;

bool prepare_data_dir(const config::Config& config, const telemetry::Logger& log) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (!ec) ::chmod(config.data_dir.c_str(), 0700);  // holds the key, the accounts and the queue
  if (ec) {
    log.error("data_dir_failed", {{"path", config.data_dir.string()}, {"error", ec.message()}});
    return false;
  }
  return true;
}

std::shared_ptr<asio::ssl::context> load_tls(const config::Config& config,
                                             const telemetry::Logger& log) {
  std::string why;
  std::filesystem::path cert;
  std::filesystem::path key;
  if (config.tls.cert && config.tls.key) {
    cert = *config.tls.cert;
    key = *config.tls.key;
  } else {
    auto generated = tls::ensure_self_signed(config.data_dir, config.hostname, &why);
    if (!generated) {
      log.error("tls_certificate_failed", {{"error", why}});
      return nullptr;
    }
    if (generated->generated) {
      log.warn("tls_self_signed", {{"cert", generated->cert.string()},
                                   {"note",
                                    "generated a self-signed certificate; set "
                                    "POSTERN_TLS_CERT and POSTERN_TLS_KEY for a real one"}});
    }
    cert = generated->cert;
    key = generated->key;
  }
  auto context = tls::make_server_context(cert, key, &why);
  if (!context) {
    log.error("tls_context_failed", {{"error", why}});
    return nullptr;
  }
  return *context;
}

// The stored accounts, plus the demo account on a first run with no account anywhere.
std::optional<std::vector<auth::Account>> load_accounts(const config::Config& config,
                                                        const telemetry::Logger& log) {
  auth::AccountStore accounts(auth::AccountStore::default_path(config.data_dir));
  if (!config.env_account) {
    auto demo = auth::add_demo_account_if_empty(accounts);
    if (!demo) {
      log.error("accounts_failed",
                {{"path", accounts.path().string()}, {"error", demo.error().message()}});
      return std::nullopt;
    }
    if (demo->has_value()) {
      // Shown once, on standard output, for the person who just started the server.
      std::printf(
          "postern: no account was configured, so a demo account was created:\n"
          "  user: demo\n  password: %s\n"
          "It may send as any address. Change it with `postern users passwd demo`; it is "
          "not shown again.\n",
          (*demo)->c_str());
      std::fflush(stdout);
      log.warn("demo_account_created", {{"account", "demo"}});
    }
  }
  std::string reason;
  auto list = accounts.list(&reason);
  if (!list) {
    log.error("accounts_failed", {{"path", accounts.path().string()},
                                  {"error", reason.empty() ? list.error().message() : reason}});
    return std::nullopt;
  }
  return std::move(*list);
}

std::unique_ptr<auth::Authenticator> make_authenticator(const config::Config& config,
                                                        std::vector<auth::Account> stored,
                                                        const telemetry::Logger& log) {
  std::optional<auth::Account> extra;
  if (config.env_account) {
    const auto& env = *config.env_account;
    auto account = auth::make_account(env.name, env.password, env.senders);
    if (!account) {
      log.error("env_account_failed",
                {{"account", env.name}, {"error", account.error().message()}});
      return nullptr;
    }
    extra = std::move(*account);
  }
  log.info("accounts", {{"stored", stored.size()}, {"environment", extra.has_value()}});
  return std::make_unique<auth::Authenticator>(std::move(stored), std::move(extra));
}

}  // namespace

telemetry::Logger make_logger(const config::Config& config) {
  telemetry::LoggerOptions options;
  options.format = config.log_format == config::LogFormat::json ? telemetry::Format::json
                                                                : telemetry::Format::text;
  return telemetry::Logger(std::make_shared<telemetry::FdSink>(2), options);
}

namespace {

// The previous process's deliveries in flight (leases found at open), one line per message:
// each may reach the provider twice if that process had handed it over before it stopped.
void log_interrupted(const store::Store& store, const telemetry::Logger& log) {
  const auto& interrupted = store.interrupted_at_open();
  for (std::size_t i = 0; i < interrupted.size();) {
    const std::string& queue_id = interrupted[i].queue_id;
    std::string recipients;
    for (; i < interrupted.size() && interrupted[i].queue_id == queue_id; ++i) {
      if (!recipients.empty()) recipients += ',';
      recipients += interrupted[i].address;
    }
    log.warn("delivery_interrupted",
             {{"queue_id", queue_id},
              {"recipients", recipients},
              {"note",
               "leased by the previous process when it stopped; if it had handed the "
               "message over, this delivery repeats it (at-least-once)"}});
  }
}

}  // namespace

std::optional<Parts> start_parts(const config::Config& config, const telemetry::Logger& log) {
  if (!prepare_data_dir(config, log)) return std::nullopt;
  Parts parts;
  // Delivering to a provider: bodies go from acceptance to delivery in memory (up to 32 MiB
  // of them) instead of being read back. Capture mode never reads them.
  constexpr std::size_t kHandoffBytes = 32 * 1024 * 1024;
  auto store = store::open_store(
      store::StoreOptions{.data_dir = config.store.dir,
                          .handoff_bytes = config.capture_mode() ? 0 : kHandoffBytes,
                          .keep_done = config.delivery.keep_done});
  if (!store) {
    log.error("store_failed",
              {{"path", config.store.dir.string()}, {"error", store.error().message()}});
    return std::nullopt;
  }
  parts.store = std::move(*store);
  log_interrupted(*parts.store, log);
  parts.tls = load_tls(config, log);
  if (!parts.tls) return std::nullopt;
  auto accounts = load_accounts(config, log);
  if (!accounts) return std::nullopt;
  parts.authenticator = make_authenticator(config, std::move(*accounts), log);
  if (!parts.authenticator) return std::nullopt;
  return parts;
}

smtp::SessionConfig session_config(const config::Config& config) {
  const auto& s = config.submission;
  smtp::SessionConfig session;
  session.hostname = config.hostname;
  session.limits = smtp::Limits{
      .max_command_line = s.max_command_line,
      .max_text_line = s.max_text_line,
      .max_recipients = s.max_recipients,
      .max_message_size = s.max_message_size,
      .max_local_part = s.max_local_part,
      .max_domain = s.max_domain,
      .max_errors = s.max_errors,
      .max_auth_failures = s.max_auth_failures,
      .unauthenticated_command = s.unauthenticated_command_timeout,
      .command = s.command_timeout,
      .data_block = s.data_block_timeout,
  };
  session.bare_line_policy = s.bare_line_policy == config::BareLinePolicy::normalize
                                 ? smtp::BareLinePolicy::normalize
                                 : smtp::BareLinePolicy::strict;
  return session;
}

delivery::SchedulerOptions scheduler_options(const config::Config& config) {
  delivery::SchedulerOptions options;
  if (config.upstream) {
    options.profile = config.upstream->profile;
    options.username = config.upstream->user;
    options.password = config.upstream->password;
    options.ca_file = config.upstream->ca_file;
  }
  options.retry = config.delivery.retry;
  options.hostname = config.hostname;
  options.node_id = config.hostname + ":" + std::to_string(::getpid());
  options.capture_limit = config.delivery.capture_limit;
  options.lease_time = config.delivery.lease_time;
  options.poll_interval = config.delivery.poll_interval;
  options.command_timeout = config.delivery.command_timeout;
  return options;
}

void log_delivery_mode(const config::Config& config, const telemetry::Logger& log) {
  if (config.capture_mode()) {
    log.warn("capture_mode", {{"note",
                               "no provider configured: accepted mail is kept in the local capture "
                               "mailbox (postern capture ls) and nothing leaves this machine"}});
    return;
  }
  const auto& upstream = *config.upstream;
  log.info("delivery_mode",
           {{"provider", upstream.profile.name},
            {"upstream", upstream.profile.host + ":" + std::to_string(upstream.profile.port)},
            {"tls", policy::to_string(upstream.profile.tls)},
            {"auth", !upstream.password.empty()}});
}

asio::ip::tcp::endpoint listen_endpoint(const config::Config& config) {
  const std::string& host = config.listen.host;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  // config::load_config accepts only IP addresses and "localhost" here; anything else is a
  // broken invariant, never a reason to listen somewhere else.
  if (ec) std::abort();
  return {address, config.listen.port};
}

std::string format_endpoint(const asio::ip::tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace postern::app
