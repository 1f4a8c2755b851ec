// Bad [upstream] and [delivery] settings: each names its key as written, with the reason;
// the egress rule (ports 25 and 465) explains the platform block and the way out.

#include <gtest/gtest.h>

#include "config/config.hpp"
#include "support.hpp"

namespace postern::config {
namespace {

using test::input;
using test::TempDir;

constexpr const char* kSecret = "pa55-UPSTREAM-secret";
constexpr const char* kBlocked25 =
    "port 25 is blocked by the platform; use the provider's submission port 587 with STARTTLS";
constexpr const char* kBlocked465 =
    "port 465 is blocked by the platform; use the provider's submission port 587 with STARTTLS";

struct ErrorCase {
  std::string toml;
  Environment env;
  std::string key;
  std::string reason_prefix;
};

Environment gmail() {
  return {{"POSTERN_PROVIDER", "gmail"},
          {"POSTERN_UPSTREAM_USER", "me@gmail.com"},
          {"POSTERN_UPSTREAM_PASSWORD", kSecret}};
}

Environment with(Environment env, const std::string& k, const std::string& v) {
  env[k] = v;
  return env;
}

Environment without(Environment env, const std::string& k) {
  env.erase(k);
  return env;
}

std::vector<ErrorCase> cases(const TempDir& tmp) {
  const std::string missing = (tmp.path() / "missing").string();
  const std::string bad_profile =
      tmp.write("bad.toml", "name = \"x\"\nport = 25\nhost = \"smtp.x.test\"\nauth = [\"PLAIN\"]\n")
          .string();
  const std::string typo_profile = tmp.write("typo.toml", "name = \"x\"\nhots = \"a\"\n").string();
  const std::string file_up =
      "[upstream]\nprovider = \"gmail\"\nuser = \"me@gmail.com\"\npassword_env = \"PW\"\n";
  const Environment pw{{"PW", kSecret}};
  return {
      {"", gmail(), "", ""},  // the valid baseline
      // The egress rule: 25 and 465 with the platform message, naming the key as written.
      {"", with(gmail(), "POSTERN_UPSTREAM_PORT", "25"), "POSTERN_UPSTREAM_PORT", kBlocked25},
      {"", with(gmail(), "POSTERN_UPSTREAM_PORT", "465"), "POSTERN_UPSTREAM_PORT", kBlocked465},
      {file_up + "port = 25", pw, "upstream.port", kBlocked25},
      {file_up + "port = 465", pw, "upstream.port", kBlocked465},
      {file_up + "port = 2525", pw, "upstream.port", "upstream smtp.gmail.com:2525: only port 587"},
      {"", with(gmail(), "POSTERN_UPSTREAM_TLS", "none"), "POSTERN_UPSTREAM_TLS",
       "upstream smtp.gmail.com:587: tls = none is allowed for loopback upstreams only"},
      {file_up + "tls = \"none\"", pw, "upstream.tls", "upstream smtp.gmail.com:587: tls = none"},
      {"", with(gmail(), "POSTERN_UPSTREAM_TLS", "off"), "POSTERN_UPSTREAM_TLS",
       "must be one of: required, none"},
      {"",
       {{"POSTERN_UPSTREAM_PROFILE_FILE", bad_profile},
        {"POSTERN_UPSTREAM_PASSWORD", kSecret},
        {"POSTERN_UPSTREAM_USER", "u"}},
       "POSTERN_UPSTREAM_PROFILE_FILE",
       kBlocked25},
      {"", with(gmail(), "POSTERN_UPSTREAM_PORT", "0"), "POSTERN_UPSTREAM_PORT",
       "must be a positive integer"},
      {"", with(gmail(), "POSTERN_UPSTREAM_PORT", "70000"), "POSTERN_UPSTREAM_PORT",
       "must be at most 65535"},
      // Provider and profile.
      {"", with(gmail(), "POSTERN_PROVIDER", "hotmail"), "POSTERN_PROVIDER",
       "unknown provider 'hotmail' (known: capture, custom, gmail, google-workspace, mailgun, "
       "mailgun-eu, office365, sendgrid, ses)"},
      {"", with(gmail(), "POSTERN_PROVIDER", "defaults"), "POSTERN_PROVIDER", "unknown provider"},
      {"[upstream]\nprovider = 5", {}, "upstream.provider", "must be a string"},
      {"", with(gmail(), "POSTERN_PROVIDER", "ses"), "POSTERN_SES_REGION",
       "required by provider ses"},
      {"", with(with(gmail(), "POSTERN_PROVIDER", "ses"), "POSTERN_SES_REGION", "EU West"),
       "POSTERN_SES_REGION", "must be an AWS region"},
      {"", with(gmail(), "POSTERN_PROVIDER", "custom"), "POSTERN_UPSTREAM_HOST",
       "required by provider custom"},
      {"[upstream]\nprovider = \"custom\"", {}, "upstream.host", "required by provider custom"},
      {"", with(gmail(), "POSTERN_UPSTREAM_HOST", "bad host"), "POSTERN_UPSTREAM_HOST",
       "must be a host name or an IP address"},
      {"", without(gmail(), "POSTERN_PROVIDER"), "POSTERN_UPSTREAM_USER", "set without a provider"},
      {"",
       {{"POSTERN_UPSTREAM_HOST", "127.0.0.1"}},
       "POSTERN_UPSTREAM_HOST",
       "set without a provider"},
      {"", with(with(gmail(), "POSTERN_PROVIDER", "capture"), "POSTERN_UPSTREAM_HOST", "x.test"),
       "POSTERN_UPSTREAM_HOST", "not used by provider capture"},
      {"",
       {{"POSTERN_UPSTREAM_PROFILE_FILE", missing}},
       "POSTERN_UPSTREAM_PROFILE_FILE",
       "no such file"},
      {"", {{"POSTERN_UPSTREAM_PROFILE_FILE", typo_profile}}, typo_profile, "hots: unknown key"},
      {"",
       with(with(gmail(), "POSTERN_UPSTREAM_PROFILE_FILE", typo_profile), "POSTERN_PROVIDER", "x"),
       typo_profile, "hots: unknown key"},
      {"", with(gmail(), "POSTERN_UPSTREAM_AUTH", "PLAIN, CRAM-MD5"), "POSTERN_UPSTREAM_AUTH",
       "mechanisms are PLAIN, LOGIN and XOAUTH2"},
      {file_up + "auth = 5", pw, "upstream.auth", "must be a comma list or an array of strings"},
      // Credentials.
      {"", without(gmail(), "POSTERN_UPSTREAM_PASSWORD"), "POSTERN_UPSTREAM_PASSWORD",
       "required when POSTERN_UPSTREAM_USER is set (or POSTERN_UPSTREAM_PASSWORD_FILE)"},
      {"", without(without(gmail(), "POSTERN_UPSTREAM_PASSWORD"), "POSTERN_UPSTREAM_USER"),
       "POSTERN_UPSTREAM_PASSWORD", "required by provider gmail"},
      {"[upstream]\nprovider = \"gmail\"",
       {},
       "upstream.password_env",
       "required by provider gmail (or upstream.password_file)"},
      {"", without(gmail(), "POSTERN_UPSTREAM_USER"), "POSTERN_UPSTREAM_USER",
       "required when POSTERN_UPSTREAM_PASSWORD is set"},
      {"", with(gmail(), "POSTERN_UPSTREAM_PASSWORD_FILE", missing),
       "POSTERN_UPSTREAM_PASSWORD_FILE",
       "set only one of POSTERN_UPSTREAM_PASSWORD and POSTERN_UPSTREAM_PASSWORD_FILE"},
      {"",
       with(without(gmail(), "POSTERN_UPSTREAM_PASSWORD"), "POSTERN_UPSTREAM_PASSWORD_FILE",
            missing),
       "POSTERN_UPSTREAM_PASSWORD_FILE", "not a readable regular file"},
      {"[upstream]\npassword = \"" + std::string(kSecret) + "\"",
       {},
       "upstream.password",
       "passwords do not belong in the config file: name a variable with upstream.password_env"},
      {file_up, {}, "upstream.password_env", "the variable PW is not set or empty"},
      {"", with(gmail(), "POSTERN_UPSTREAM_USER", "a\tb"), "POSTERN_UPSTREAM_USER",
       "must be 1-255 octets"},
      {"", with(gmail(), "POSTERN_UPSTREAM_CA_FILE", missing), "POSTERN_UPSTREAM_CA_FILE",
       "no such file"},
      // Delivery.
      {"[delivery]\nretry_schedule = []",
       {},
       "delivery.retry_schedule",
       "must list 1-100 durations"},
      {"[delivery]\nretry_schedule = [60, 120]",
       {},
       "delivery.retry_schedule",
       "must be a list of durations"},
      {"[delivery]\nretry_schedule = [\"1m\", \"soon\"]",
       {},
       "delivery.retry_schedule",
       "'soon' must be a duration"},
      {"",
       {{"POSTERN_DELIVERY_RETRY_SCHEDULE", "1m,,5m"}},
       "POSTERN_DELIVERY_RETRY_SCHEDULE",
       "'' must be a duration"},
      {"",
       {{"POSTERN_DELIVERY_RETRY_SCHEDULE", "1m,2d"}},
       "POSTERN_DELIVERY_RETRY_SCHEDULE",
       "each delay must be between 1s and 24h"},
      {"",
       {{"POSTERN_DELIVERY_RETRY_SCHEDULE", "500ms"}},
       "POSTERN_DELIVERY_RETRY_SCHEDULE",
       "each delay must be between 1s and 24h"},
      {"[delivery]\nretry_jitter = 51",
       {},
       "delivery.retry_jitter",
       "must be a percentage from 0 to 50"},
      {"[delivery]\nretry_jitter = -1", {}, "delivery.retry_jitter", "must be a percentage"},
      {"",
       {{"POSTERN_DELIVERY_RETRY_JITTER", "0.1"}},
       "POSTERN_DELIVERY_RETRY_JITTER",
       "must be a percentage"},
      {"[delivery]\nlifetime = \"31d\"", {}, "delivery.lifetime", "must be at most 720h"},
      {"[delivery]\nlifetime = \"30s\"", {}, "delivery.lifetime", "must be at least 1m"},
      {"",
       {{"POSTERN_DELIVERY_MAX_CONNECTIONS", "0"}},
       "POSTERN_DELIVERY_MAX_CONNECTIONS",
       "must be a positive integer"},
      {"[delivery]\nmessages_per_connection = \"5\"",
       {},
       "delivery.messages_per_connection",
       "must be a positive integer"},
      {"[delivery]\ncapture_limit = 0", {}, "delivery.capture_limit", "must be a positive integer"},
      {"[delivery]\nlease_time = \"2d\"", {}, "delivery.lease_time", "must be at most 24h"},
      {"", {{"POSTERN_DELIVERY_KEEP_DONE", "0s"}}, "POSTERN_DELIVERY_KEEP_DONE",
       "must be a positive duration"},
      {"[delivery]\npoll_interval = \"0s\"",
       {},
       "delivery.poll_interval",
       "must be a positive duration"},
      {"[delivery]\nretry_shedule = [\"1m\"]",
       {},
       "delivery.retry_shedule",
       "unknown key (did you mean retry_schedule?)"},
      {"[upstream]\nprovder = \"gmail\"",
       {},
       "upstream.provder",
       "unknown key (did you mean provider?)"},
  };
}

TEST(UpstreamErrors, EveryErrorNamesItsKey) {
  TempDir tmp;
  for (const ErrorCase& c : cases(tmp)) {
    SCOPED_TRACE(c.toml + " | key " + c.key);
    if (c.key.empty()) {
      EXPECT_NO_THROW((void)load_config_from_string(c.toml, input(c.env)));
      continue;
    }
    try {
      (void)load_config_from_string(c.toml, input(c.env));
      ADD_FAILURE() << "no error";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), c.key) << e.what();
      EXPECT_EQ(e.reason().rfind(c.reason_prefix, 0), 0u) << e.what();
      EXPECT_EQ(std::string(e.what()).find(kSecret), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
  }
}

// The exact line the CLI prints for the example.
TEST(UpstreamErrors, Port25LineAsPrinted) {
  try {
    (void)load_config(input(with(gmail(), "POSTERN_UPSTREAM_PORT", "25")));
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "POSTERN_UPSTREAM_PORT: port 25 is blocked by the platform; use the provider's "
              "submission port 587 with STARTTLS");
  }
}

}  // namespace
}  // namespace postern::config
