#include "config/settings_readers.hpp"
#include "config/value_parsers.hpp"

namespace postern::config {
namespace {

using namespace keys;
using std::chrono::hours;
using std::chrono::milliseconds;

// Limits with their RFC floors; the ceilings only keep values sane (memory, overflow).
void read_submission(const Sources& s, SubmissionSettings& sub) {
  const auto floor_reason = [](const char* rfc) {
    return std::string("(the minimum of RFC 5321 ") + rfc + ")";
  };
  sub.max_command_line = read_count(s, kMaxCommandLine, sub.max_command_line,
                                    {512, 65536, floor_reason("§4.5.3.1.4")});
  sub.max_text_line =
      read_count(s, kMaxTextLine, sub.max_text_line, {1000, 1 << 20, floor_reason("§4.5.3.1.6")});
  sub.max_recipients = read_count(s, kMaxRecipients, sub.max_recipients, {1, 100000, {}});
  sub.max_local_part =
      read_count(s, kMaxLocalPart, sub.max_local_part, {64, 1024, floor_reason("§4.5.3.1.1")});
  sub.max_domain =
      read_count(s, kMaxDomain, sub.max_domain, {255, 1024, floor_reason("§4.5.3.1.2")});
  sub.max_errors = static_cast<int>(read_count(s, kMaxErrors, sub.max_errors, {1, 1000, {}}));
  sub.max_auth_failures =
      static_cast<int>(read_count(s, kMaxAuthFailures, sub.max_auth_failures, {1, 100, {}}));
  // The store keeps a message in memory while committing it: 1 GiB is a hard ceiling.
  sub.max_message_size = read_size(s, kMaxMessageSize, sub.max_message_size, 1, 1ull << 30);
  const milliseconds day = hours(24);
  sub.unauthenticated_command_timeout =
      read_duration(s, kUnauthenticatedCommandTimeout, sub.unauthenticated_command_timeout, day);
  sub.command_timeout = read_duration(s, kCommandTimeout, sub.command_timeout, day);
  sub.data_block_timeout = read_duration(s, kDataBlockTimeout, sub.data_block_timeout, day);
  if (auto policy = read_choice(s, kBareLinePolicy, {"strict", "normalize"})) {
    sub.bare_line_policy = *policy == "strict" ? BareLinePolicy::strict : BareLinePolicy::normalize;
  }
}

// Both cert and key, or neither; each must name an existing regular file.
void read_tls(const Sources& s, TlsSettings& tls) {
  const auto cert = read_string(s, kTlsCert);
  const auto key = read_string(s, kTlsKey);
  if (cert.has_value() != key.has_value()) {
    const RawValue& present = cert ? *cert : *key;
    const KeySpec& missing = cert ? kTlsKey : kTlsCert;
    const KeySpec& given = cert ? kTlsCert : kTlsKey;
    const std::string missing_name = present.from_env ? std::string(missing.env) : missing.dotted();
    const std::string given_name = present.from_env ? std::string(given.env) : given.dotted();
    fail(missing_name, "required when " + given_name + " is set");
  }
  if (!cert) return;
  tls.cert = require_regular_file(*cert);
  tls.key = require_regular_file(*key);
}

void read_general(const Sources& s, const LoadInput& input, Config& config) {
  if (auto dir = read_string(s, kDataDir)) config.data_dir = require_non_empty(*dir);
  if (auto listen = read_string(s, kListen)) {
    std::string why;
    auto parsed = parse_listen(listen->text, why);
    if (!parsed) fail(listen->name, why);
    config.listen = *parsed;
  }
  if (auto name = read_string(s, kHostname)) {
    if (auto why = check_hostname(name->text); !why.empty()) fail(name->name, why);
    config.hostname = name->text;
  } else {
    if (auto why = check_hostname(input.system_hostname); !why.empty()) {
      fail(kHostname.dotted(),
           "the machine's host name " + why + "; set hostname or POSTERN_HOSTNAME");
    }
    config.hostname = input.system_hostname;
  }
  config.io_threads = static_cast<unsigned>(
      read_count(s, kIoThreads, std::max(1u, input.hardware_threads), {1, 1024, {}}));
  config.log_format = input.stderr_is_terminal ? LogFormat::text : LogFormat::json;
  if (auto format = read_choice(s, kLogFormat, {"json", "text"})) {
    config.log_format = *format == "json" ? LogFormat::json : LogFormat::text;
  }
}

}  // namespace

Config build_config(const Sources& sources, const LoadInput& input) {
  Config config;
  read_general(sources, input, config);
  read_tls(sources, config.tls);
  config.env_account = read_env_account(sources);
  read_submission(sources, config.submission);
  config.store.dir = config.data_dir;
  if (auto dir = read_string(sources, kStoreDir)) config.store.dir = require_non_empty(*dir);
  config.delivery = read_delivery(sources);
  config.upstream = read_upstream(sources, config.delivery);
  return config;
}

}  // namespace postern::config
