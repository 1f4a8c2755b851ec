#pragma once
// The names of every setting: TOML `[section] key` and environment variable. One table, so
// the unknown-key check, the loader, the renderer and the docs test agree. The variable of a
// key is POSTERN_<SECTION>_<KEY> in upper case (top-level keys: POSTERN_<KEY>), except the
// names fixed by the issue contract: POSTERN_USER, POSTERN_PASSWORD, POSTERN_PASSWORD_FILE.

#include <span>
#include <string>
#include <string_view>

namespace postern::config {

struct KeySpec {
  std::string_view section;  // "" for top-level keys
  std::string_view key;      // "" for variables with no TOML key (POSTERN_PASSWORD)
  std::string_view env;      // "" for TOML keys with no variable (user.password_env)

  // "section.key" or "key": how the key is named in errors about the file.
  [[nodiscard]] std::string dotted() const;
};

namespace keys {
inline constexpr KeySpec kDataDir{"", "data_dir", "POSTERN_DATA_DIR"};
inline constexpr KeySpec kListen{"", "listen", "POSTERN_LISTEN"};
inline constexpr KeySpec kHostname{"", "hostname", "POSTERN_HOSTNAME"};
inline constexpr KeySpec kIoThreads{"", "io_threads", "POSTERN_IO_THREADS"};

inline constexpr KeySpec kTlsCert{"tls", "cert", "POSTERN_TLS_CERT"};
inline constexpr KeySpec kTlsKey{"tls", "key", "POSTERN_TLS_KEY"};

inline constexpr KeySpec kLogFormat{"log", "format", "POSTERN_LOG_FORMAT"};

inline constexpr KeySpec kUserName{"user", "name", "POSTERN_USER"};
inline constexpr KeySpec kUserPassword{"user", "", "POSTERN_PASSWORD"};
inline constexpr KeySpec kUserPasswordEnv{"user", "password_env", ""};
inline constexpr KeySpec kUserPasswordFile{"user", "password_file", "POSTERN_PASSWORD_FILE"};
inline constexpr KeySpec kUserSenders{"user", "senders", "POSTERN_USER_SENDERS"};

inline constexpr KeySpec kMaxCommandLine{"submission", "max_command_line",
                                         "POSTERN_SUBMISSION_MAX_COMMAND_LINE"};
inline constexpr KeySpec kMaxTextLine{"submission", "max_text_line",
                                      "POSTERN_SUBMISSION_MAX_TEXT_LINE"};
inline constexpr KeySpec kMaxRecipients{"submission", "max_recipients",
                                        "POSTERN_SUBMISSION_MAX_RECIPIENTS"};
inline constexpr KeySpec kMaxMessageSize{"submission", "max_message_size",
                                         "POSTERN_SUBMISSION_MAX_MESSAGE_SIZE"};
inline constexpr KeySpec kMaxLocalPart{"submission", "max_local_part",
                                       "POSTERN_SUBMISSION_MAX_LOCAL_PART"};
inline constexpr KeySpec kMaxDomain{"submission", "max_domain", "POSTERN_SUBMISSION_MAX_DOMAIN"};
inline constexpr KeySpec kMaxErrors{"submission", "max_errors", "POSTERN_SUBMISSION_MAX_ERRORS"};
inline constexpr KeySpec kMaxAuthFailures{"submission", "max_auth_failures",
                                          "POSTERN_SUBMISSION_MAX_AUTH_FAILURES"};
inline constexpr KeySpec kUnauthenticatedCommandTimeout{
    "submission", "unauthenticated_command_timeout",
    "POSTERN_SUBMISSION_UNAUTHENTICATED_COMMAND_TIMEOUT"};
inline constexpr KeySpec kCommandTimeout{"submission", "command_timeout",
                                         "POSTERN_SUBMISSION_COMMAND_TIMEOUT"};
inline constexpr KeySpec kDataBlockTimeout{"submission", "data_block_timeout",
                                           "POSTERN_SUBMISSION_DATA_BLOCK_TIMEOUT"};
inline constexpr KeySpec kBareLinePolicy{"submission", "bare_line_policy",
                                         "POSTERN_SUBMISSION_BARE_LINE_POLICY"};

inline constexpr KeySpec kStoreDir{"store", "dir", "POSTERN_STORE_DIR"};

// [upstream]: the provider. POSTERN_PROVIDER and POSTERN_SES_REGION are fixed by the issue
// contract; the password variables follow the account's pattern.
inline constexpr KeySpec kUpstreamProvider{"upstream", "provider", "POSTERN_PROVIDER"};
inline constexpr KeySpec kUpstreamProfileFile{"upstream", "profile_file",
                                              "POSTERN_UPSTREAM_PROFILE_FILE"};
inline constexpr KeySpec kUpstreamHost{"upstream", "host", "POSTERN_UPSTREAM_HOST"};
inline constexpr KeySpec kUpstreamPort{"upstream", "port", "POSTERN_UPSTREAM_PORT"};
inline constexpr KeySpec kUpstreamTls{"upstream", "tls", "POSTERN_UPSTREAM_TLS"};
inline constexpr KeySpec kUpstreamAuth{"upstream", "auth", "POSTERN_UPSTREAM_AUTH"};
inline constexpr KeySpec kUpstreamUser{"upstream", "user", "POSTERN_UPSTREAM_USER"};
inline constexpr KeySpec kUpstreamPassword{"upstream", "", "POSTERN_UPSTREAM_PASSWORD"};
inline constexpr KeySpec kUpstreamPasswordEnv{"upstream", "password_env", ""};
inline constexpr KeySpec kUpstreamPasswordFile{"upstream", "password_file",
                                               "POSTERN_UPSTREAM_PASSWORD_FILE"};
inline constexpr KeySpec kUpstreamCaFile{"upstream", "ca_file", "POSTERN_UPSTREAM_CA_FILE"};
inline constexpr KeySpec kSesRegion{"upstream", "ses_region", "POSTERN_SES_REGION"};

// [delivery]: retries, connection overrides, capture mailbox, scheduler timing.
inline constexpr KeySpec kRetrySchedule{"delivery", "retry_schedule",
                                        "POSTERN_DELIVERY_RETRY_SCHEDULE"};
inline constexpr KeySpec kRetryJitter{"delivery", "retry_jitter", "POSTERN_DELIVERY_RETRY_JITTER"};
inline constexpr KeySpec kLifetime{"delivery", "lifetime", "POSTERN_DELIVERY_LIFETIME"};
inline constexpr KeySpec kMaxConnections{"delivery", "max_connections",
                                         "POSTERN_DELIVERY_MAX_CONNECTIONS"};
inline constexpr KeySpec kMessagesPerConnection{"delivery", "messages_per_connection",
                                                "POSTERN_DELIVERY_MESSAGES_PER_CONNECTION"};
inline constexpr KeySpec kCaptureLimit{"delivery", "capture_limit",
                                       "POSTERN_DELIVERY_CAPTURE_LIMIT"};
inline constexpr KeySpec kKeepDone{"delivery", "keep_done", "POSTERN_DELIVERY_KEEP_DONE"};
inline constexpr KeySpec kLeaseTime{"delivery", "lease_time", "POSTERN_DELIVERY_LEASE_TIME"};
inline constexpr KeySpec kPollInterval{"delivery", "poll_interval",
                                       "POSTERN_DELIVERY_POLL_INTERVAL"};
inline constexpr KeySpec kUpstreamCommandTimeout{"delivery", "command_timeout",
                                                 "POSTERN_DELIVERY_COMMAND_TIMEOUT"};
}  // namespace keys

// Read by the CLI, not a setting: the config file path.
inline constexpr std::string_view kConfigFileEnv = "POSTERN_CONFIG";

// Every key above.
[[nodiscard]] std::span<const KeySpec> all_keys();
// The TOML sections ("tls", "log", "user", "submission", "store", "upstream", "delivery").
[[nodiscard]] std::span<const std::string_view> all_sections();

// The key of a TOML `section`/`key` pair, or nullptr.
[[nodiscard]] const KeySpec* find_toml_key(std::string_view section, std::string_view key);
// A known name close to `name` (edit distance at most 2) among `candidates`, or "".
[[nodiscard]] std::string_view closest(std::string_view name,
                                       std::span<const std::string_view> candidates);

}  // namespace postern::config
