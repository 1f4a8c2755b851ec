#pragma once
// config::Config — the daemon's settings, from an optional TOML file and the environment
// (the environment wins, setting by setting). Every key, its variable, type and default are
// listed in docs/config.md; this header is the code side of that table.
//
// Loading never reads the process: the caller passes the environment and the machine facts
// used for defaults in LoadInput (snapshot_process() fills them), so tests use fake ones.
// A bad setting throws ConfigError naming the key exactly as the operator wrote it (the
// variable name when it came from the environment, `section.key` when from the file); the
// CLI prints `config error: <what()>` and exits with status 2.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "policy/profile.hpp"
#include "policy/retry.hpp"
#include "policy/sender_rules.hpp"

namespace postern::config {

// --- Errors ---------------------------------------------------------------------------------

class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string key, std::string reason);
  // The key as the operator wrote it: "POSTERN_LISTEN", "submission.max_recipients", or the
  // config file path (with line:column for TOML syntax errors).
  [[nodiscard]] const std::string& key() const { return key_; }
  [[nodiscard]] const std::string& reason() const { return reason_; }
  // what() is "KEY: reason". Never contains a secret value.

 private:
  std::string key_;
  std::string reason_;
};

// --- The settings ---------------------------------------------------------------------------

enum class LogFormat { json, text };
// Mirrors smtp::BareLinePolicy (config/ does not include smtp/; server/ maps it).
enum class BareLinePolicy { strict, normalize };

struct ListenAddress {
  std::string host;  // as written; IPv6 without brackets ("::1")
  std::uint16_t port = 587;
  friend bool operator==(const ListenAddress&, const ListenAddress&) = default;
};

struct TlsSettings {
  // Both set or both empty. Empty: tls/ generates a self-signed ECDSA P-256 pair once into
  // the data dir and uses it.
  std::optional<std::filesystem::path> cert;  // PEM chain
  std::optional<std::filesystem::path> key;   // PEM private key
  friend bool operator==(const TlsSettings&, const TlsSettings&) = default;
};

// The account given in the environment (POSTERN_USER …) or in [user].
struct EnvAccount {
  std::string name;
  // SECRET. Never log, print or put in an error. Hashed by auth::make_account at start-up.
  std::string password;
  // Where the password came from, for the redacted rendering: "env:VAR" or "file:PATH".
  std::string password_source;
  policy::SenderRules senders;
  friend bool operator==(const EnvAccount&, const EnvAccount&) = default;
};

// Submission listener limits; same names and defaults as smtp::Limits (server/ copies them).
struct SubmissionSettings {
  std::size_t max_command_line = 512;
  std::size_t max_text_line = 1000;
  std::size_t max_recipients = 100;
  std::size_t max_message_size = std::size_t{25} * 1024 * 1024;
  std::size_t max_local_part = 64;
  std::size_t max_domain = 255;
  int max_errors = 10;
  int max_auth_failures = 3;
  std::chrono::milliseconds unauthenticated_command_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds command_timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds data_block_timeout{std::chrono::minutes(3)};
  BareLinePolicy bare_line_policy = BareLinePolicy::strict;
  friend bool operator==(const SubmissionSettings&, const SubmissionSettings&) = default;
};

struct StoreSettings {
  // The embedded store's directory (queue.db, its WAL, queue.lock): store::StoreOptions::
  // data_dir. Default: <data_dir>. Created by the store if missing (its parent must
  // exist).
  std::filesystem::path dir;
  friend bool operator==(const StoreSettings&, const StoreSettings&) = default;
};

// The provider to deliver through ([upstream], POSTERN_PROVIDER, POSTERN_UPSTREAM_*). Present
// only when a provider other than `capture` is configured; absent means capture mode.
struct UpstreamSettings {
  // The resolved profile: host with placeholders substituted, upstream.host / port / tls /
  // auth and the [delivery] overrides applied. Checked by policy::check_egress at load.
  policy::ProviderProfile profile;
  bool loopback = false;  // profile.host is a loopback address (policy::is_loopback_host)
  std::string user;       // the login name (profile.username when the profile fixes one)
  // SECRET: the password, API key or OAuth2 token. Never log, print or put in an error.
  std::string password;
  // Where the password came from, for the redacted rendering: "env:VAR", "file:PATH", or ""
  // (no credentials: no AUTH, e.g. a loopback sidecar).
  std::string password_source;
  // Extra trust anchors (PEM) besides the system store, e.g. a private or test CA.
  std::optional<std::filesystem::path> ca_file;
  // What the operator set explicitly, so render_toml() writes back only those.
  std::optional<std::filesystem::path> profile_file;
  std::string ses_region;  // POSTERN_SES_REGION when the profile used it
  bool host_set = false;
  bool port_set = false;
  bool tls_set = false;
  bool auth_set = false;
  friend bool operator==(const UpstreamSettings&, const UpstreamSettings&) = default;
};

struct DeliverySettings {
  policy::RetrySchedule retry;  // delivery.retry_schedule, retry_jitter, lifetime
  // Overrides of the profile's values (already applied to UpstreamSettings::profile); kept
  // for rendering.
  std::optional<std::size_t> max_connections;
  std::optional<std::size_t> messages_per_connection;
  std::size_t capture_limit = 1000;  // messages kept in the capture mailbox (oldest dropped)
  // A finished message (every recipient delivered or failed) is deleted this long after its
  // last outcome; until then `postern queue show` still finds it.
  std::chrono::milliseconds keep_done{std::chrono::hours(24 * 7)};
  // How long a delivery worker owns a message it picked (a dead worker's messages return
  // after this; longer than one transaction, whose final dot alone may take 10 minutes,
  // RFC 5321 §4.5.3.2.6), and how often the scheduler looks for due messages when not woken.
  std::chrono::milliseconds lease_time{std::chrono::minutes(15)};
  std::chrono::milliseconds poll_interval{std::chrono::seconds(1)};
  // How long to wait for each upstream reply (greeting, commands); the final dot may take
  // twice as long. Default: the RFC 5321 §4.5.3.2 minimum of 5 minutes.
  std::chrono::milliseconds command_timeout{std::chrono::minutes(5)};
  friend bool operator==(const DeliverySettings&, const DeliverySettings&) = default;
};

struct Config {
  std::filesystem::path data_dir = "./var/postern";
  ListenAddress listen{"0.0.0.0", 587};
  std::string hostname;     // default: the machine's host name
  unsigned io_threads = 1;  // default: hardware concurrency
  TlsSettings tls;
  LogFormat log_format = LogFormat::json;
  std::optional<EnvAccount> env_account;
  SubmissionSettings submission;
  StoreSettings store;
  // nullopt: capture mode (no provider configured, or provider = "capture").
  std::optional<UpstreamSettings> upstream;
  DeliverySettings delivery;
  [[nodiscard]] bool capture_mode() const { return !upstream.has_value(); }
  // Problems that do not stop the start, e.g. "POSTERN_LISTN: unknown variable, ignored (did
  // you mean POSTERN_LISTEN?)". `serve` logs each one; `config check` prints them.
  std::vector<std::string> warnings;
  friend bool operator==(const Config&, const Config&) = default;
};

// --- Loading --------------------------------------------------------------------------------

using Environment = std::map<std::string, std::string, std::less<>>;

struct LoadInput {
  std::optional<std::filesystem::path> config_file;  // --config, else POSTERN_CONFIG
  Environment env;
  // Machine facts for defaults (filled by snapshot_process()).
  std::string system_hostname = "localhost";
  unsigned hardware_threads = 1;
  bool stderr_is_terminal = false;  // log format default: text on a terminal, else json
};

// The process environment as a map (a copy of environ).
[[nodiscard]] Environment snapshot_environment();

// LoadInput for `postern serve`: the environment, the file from `config_flag` or else from
// POSTERN_CONFIG, gethostname(), std::thread::hardware_concurrency(), isatty(2).
[[nodiscard]] LoadInput snapshot_process(std::optional<std::filesystem::path> config_flag);

// Reads and validates everything. Throws ConfigError on any bad or unknown setting; throws
// nothing else (a bug otherwise). Reads the TOML file and password files it names.
[[nodiscard]] Config load_config(const LoadInput& input);

// As load_config, with the TOML text given directly (input.config_file is ignored;
// `source_name` stands for the file in error messages). For tests and the fuzzer.
[[nodiscard]] Config load_config_from_string(std::string_view toml_text, const LoadInput& input,
                                             std::string_view source_name = "<config>");

// The effective configuration as TOML, for `postern config check`. Secrets are not
// rendered: the password appears as where it comes from (password_env / password_file), so
// the output loads back to the same Config in the same environment.
[[nodiscard]] std::string render_toml(const Config& config);

}  // namespace postern::config
