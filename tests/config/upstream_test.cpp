// [upstream] and the POSTERN_PROVIDER / POSTERN_UPSTREAM_* contract: profile resolution,
// overrides, credentials, capture mode.

#include <gtest/gtest.h>

#include "config/config.hpp"
#include "support.hpp"

namespace postern::config {
namespace {

using test::input;
using test::TempDir;

Environment gmail_env() {
  return {{"POSTERN_PROVIDER", "gmail"},
          {"POSTERN_UPSTREAM_USER", "me@gmail.com"},
          {"POSTERN_UPSTREAM_PASSWORD", "app-pass-SECRET"}};
}

TEST(Upstream, CaptureModeIsTheDefault) {
  const Config c = load_config(input());
  EXPECT_TRUE(c.capture_mode());
  EXPECT_FALSE(c.upstream);
  EXPECT_EQ(c.delivery.capture_limit, 1000u);
}

TEST(Upstream, CaptureProviderIsCaptureMode) {
  EXPECT_TRUE(load_config(input({{"POSTERN_PROVIDER", "capture"}})).capture_mode());
  EXPECT_TRUE(
      load_config_from_string("[upstream]\nprovider = \"capture\"", input()).capture_mode());
}

TEST(Upstream, GmailFromTheEnvironmentNeedsOnlyCredentials) {
  const Config c = load_config(input(gmail_env()));
  ASSERT_TRUE(c.upstream);
  const UpstreamSettings& up = *c.upstream;
  EXPECT_EQ(up.profile.name, "gmail");
  EXPECT_EQ(up.profile.host, "smtp.gmail.com");
  EXPECT_EQ(up.profile.port, 587);
  EXPECT_EQ(up.profile.tls, policy::UpstreamTls::required);
  EXPECT_FALSE(up.loopback);
  EXPECT_EQ(up.user, "me@gmail.com");
  EXPECT_EQ(up.password, "app-pass-SECRET");
  EXPECT_EQ(up.password_source, "env:POSTERN_UPSTREAM_PASSWORD");
  EXPECT_FALSE(up.ca_file);
  EXPECT_FALSE(up.host_set || up.port_set || up.tls_set || up.auth_set);
  EXPECT_FALSE(up.profile.replies.rules.empty());
}

TEST(Upstream, EveryShippedProviderResolves) {
  struct Case {
    const char* provider;
    const char* host;
    std::vector<std::string> auth;
    std::size_t max_connections;
  };
  const Case cases[] = {
      {"gmail", "smtp.gmail.com", {"PLAIN", "LOGIN", "XOAUTH2"}, 2},
      {"google-workspace", "smtp-relay.gmail.com", {"PLAIN", "LOGIN", "XOAUTH2"}, 4},
      {"office365", "smtp.office365.com", {"LOGIN", "XOAUTH2"}, 3},
      {"sendgrid", "smtp.sendgrid.net", {"PLAIN", "LOGIN"}, 8},
      {"mailgun", "smtp.mailgun.org", {"PLAIN", "LOGIN"}, 8},
      {"mailgun-eu", "smtp.eu.mailgun.org", {"PLAIN", "LOGIN"}, 8},
      {"ses", "email-smtp.eu-west-1.amazonaws.com", {"PLAIN", "LOGIN"}, 2},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.provider);
    Environment env = gmail_env();
    env["POSTERN_PROVIDER"] = k.provider;
    env["POSTERN_SES_REGION"] = "eu-west-1";
    Config c;
    ASSERT_NO_THROW(c = load_config(input(env)));
    ASSERT_TRUE(c.upstream);
    EXPECT_EQ(c.upstream->profile.host, k.host);
    EXPECT_EQ(c.upstream->profile.port, 587);
    EXPECT_EQ(c.upstream->profile.auth_mechanisms, k.auth);
    EXPECT_EQ(c.upstream->profile.max_connections, k.max_connections);
  }
}

TEST(Upstream, SendGridFixesTheUserName) {
  const Config c = load_config(
      input({{"POSTERN_PROVIDER", "sendgrid"}, {"POSTERN_UPSTREAM_PASSWORD", "SG.key"}}));
  ASSERT_TRUE(c.upstream);
  EXPECT_EQ(c.upstream->user, "apikey");
  EXPECT_EQ(c.upstream->profile.messages_per_connection, 5000u);
}

TEST(Upstream, SesRegionFromTheEnvironmentOrTheFile) {
  Environment env = gmail_env();
  env["POSTERN_PROVIDER"] = "ses";
  env["POSTERN_SES_REGION"] = "us-east-2";
  Config c = load_config(input(env));
  EXPECT_EQ(c.upstream->profile.host, "email-smtp.us-east-2.amazonaws.com");
  EXPECT_EQ(c.upstream->ses_region, "us-east-2");
  env.erase("POSTERN_SES_REGION");
  c = load_config_from_string("[upstream]\nses_region = \"ap-south-1\"", input(env));
  EXPECT_EQ(c.upstream->profile.host, "email-smtp.ap-south-1.amazonaws.com");
}

TEST(Upstream, CustomTakesHostAndPortFromTheEnvironment) {
  const Config c = load_config(input({{"POSTERN_PROVIDER", "custom"},
                                      {"POSTERN_UPSTREAM_HOST", "127.0.0.1"},
                                      {"POSTERN_UPSTREAM_PORT", "2525"},
                                      {"POSTERN_UPSTREAM_TLS", "none"}}));
  ASSERT_TRUE(c.upstream);
  EXPECT_EQ(c.upstream->profile.host, "127.0.0.1");
  EXPECT_EQ(c.upstream->profile.port, 2525);
  EXPECT_EQ(c.upstream->profile.tls, policy::UpstreamTls::none);
  EXPECT_TRUE(c.upstream->loopback);
  EXPECT_TRUE(c.upstream->host_set && c.upstream->port_set && c.upstream->tls_set);
  EXPECT_TRUE(c.upstream->password.empty());  // loopback: credentials optional
  EXPECT_TRUE(c.upstream->password_source.empty());
}

TEST(Upstream, CustomRemoteOn587WithCredentials) {
  const Config c = load_config(input({{"POSTERN_PROVIDER", "custom"},
                                      {"POSTERN_UPSTREAM_HOST", "mail.example.net"},
                                      {"POSTERN_UPSTREAM_USER", "relay"},
                                      {"POSTERN_UPSTREAM_PASSWORD", "pw"}}));
  EXPECT_EQ(c.upstream->profile.host, "mail.example.net");
  EXPECT_EQ(c.upstream->profile.port, 587);
  EXPECT_EQ(c.upstream->profile.tls, policy::UpstreamTls::required);
}

TEST(Upstream, LoopbackMayUseAnyPortIncluding25) {
  for (const char* host : {"127.0.0.1", "localhost", "::1"}) {
    const Config c = load_config(input({{"POSTERN_PROVIDER", "custom"},
                                        {"POSTERN_UPSTREAM_HOST", host},
                                        {"POSTERN_UPSTREAM_PORT", "25"}}));
    EXPECT_EQ(c.upstream->profile.port, 25) << host;
    EXPECT_TRUE(c.upstream->loopback) << host;
  }
}

TEST(Upstream, EveryKeyFromToml) {
  TempDir tmp;
  const auto pw = tmp.write("pw", "file-SECRET\n");
  const auto ca = tmp.write("ca.pem", "x");
  const std::string toml = R"(
[upstream]
provider = "office365"
host = "localhost"
port = 10587
tls = "required"
auth = ["xoauth2"]
user = "me@example.com"
password_file = ")" + pw.string() +
                           R"("
ca_file = ")" + ca.string() +
                           R"("
)";
  const Config c = load_config_from_string(toml, input());
  ASSERT_TRUE(c.upstream);
  const UpstreamSettings& up = *c.upstream;
  EXPECT_EQ(up.profile.name, "office365");
  EXPECT_EQ(up.profile.host, "localhost");
  EXPECT_EQ(up.profile.port, 10587);
  EXPECT_EQ(up.profile.auth_mechanisms, std::vector<std::string>{"XOAUTH2"});
  EXPECT_EQ(up.user, "me@example.com");
  EXPECT_EQ(up.password, "file-SECRET");
  EXPECT_EQ(up.password_source, "file:" + pw.string());
  EXPECT_EQ(up.ca_file, ca);
}

TEST(Upstream, EveryVariable) {
  TempDir tmp;
  const auto pw = tmp.write("pw", "file-SECRET\n");
  const auto ca = tmp.write("ca.pem", "x");
  const Config c = load_config(input({{"POSTERN_PROVIDER", "mailgun"},
                                      {"POSTERN_UPSTREAM_HOST", "127.0.0.1"},
                                      {"POSTERN_UPSTREAM_PORT", "1587"},
                                      {"POSTERN_UPSTREAM_TLS", "required"},
                                      {"POSTERN_UPSTREAM_AUTH", "login, plain"},
                                      {"POSTERN_UPSTREAM_USER", "postmaster@mg.example.com"},
                                      {"POSTERN_UPSTREAM_PASSWORD_FILE", pw.string()},
                                      {"POSTERN_UPSTREAM_CA_FILE", ca.string()}}));
  ASSERT_TRUE(c.upstream);
  const UpstreamSettings& up = *c.upstream;
  EXPECT_EQ(up.profile.port, 1587);
  EXPECT_EQ(up.profile.auth_mechanisms, (std::vector<std::string>{"LOGIN", "PLAIN"}));
  EXPECT_EQ(up.password, "file-SECRET");
  EXPECT_EQ(up.password_source, "file:" + pw.string());
  EXPECT_EQ(up.ca_file, ca);
  EXPECT_TRUE(c.warnings.empty());
}

TEST(Upstream, PasswordEnvNamesAnotherVariable) {
  const Config c = load_config_from_string(
      "[upstream]\nprovider = \"gmail\"\nuser = \"me@gmail.com\"\npassword_env = \"GMAIL_APP\"",
      input({{"GMAIL_APP", "pw-SECRET"}}));
  EXPECT_EQ(c.upstream->password, "pw-SECRET");
  EXPECT_EQ(c.upstream->password_source, "env:GMAIL_APP");
}

TEST(Upstream, TheEnvironmentWinsOverTheFile) {
  const Config c =
      load_config_from_string("[upstream]\nprovider = \"sendgrid\"\npassword_env = \"X\"",
                              input({{"POSTERN_PROVIDER", "gmail"},
                                     {"POSTERN_UPSTREAM_USER", "me@gmail.com"},
                                     {"POSTERN_UPSTREAM_PASSWORD", "env-pw"},
                                     {"X", "file-pw"}}));
  EXPECT_EQ(c.upstream->profile.name, "gmail");
  EXPECT_EQ(c.upstream->password, "env-pw");
}

TEST(Upstream, DeliveryOverridesApplyToTheProfile) {
  Environment env = gmail_env();
  env["POSTERN_PROVIDER"] = "office365";
  env["POSTERN_DELIVERY_MAX_CONNECTIONS"] = "1";
  env["POSTERN_DELIVERY_MESSAGES_PER_CONNECTION"] = "20";
  const Config c = load_config(input(env));
  EXPECT_EQ(c.upstream->profile.max_connections, 1u);
  EXPECT_EQ(c.upstream->profile.messages_per_connection, 20u);
  EXPECT_EQ(c.delivery.max_connections, 1u);
}

TEST(Upstream, ProfileFileReplacesTheShippedProfile) {
  TempDir tmp;
  const auto file = tmp.write("ses-prod.toml", R"(
name = "ses-production"
host = "email-smtp.${POSTERN_SES_REGION}.amazonaws.com"
auth = ["LOGIN"]
recipients_per_message = 50
[[quota]]
unit = "recipients"
count = 50000
period = "24h"
[[reply]]
codes = ["454"]
text_contains = ["Throttling failure: Maximum sending rate"]
outcome = "temporary"
effect = "slow_down"
consumes_attempt = false
reason = "rate"
)");
  Environment env = gmail_env();
  env.erase("POSTERN_PROVIDER");
  env["POSTERN_UPSTREAM_PROFILE_FILE"] = file.string();
  env["POSTERN_SES_REGION"] = "eu-central-1";
  const Config c = load_config(input(env));
  ASSERT_TRUE(c.upstream);
  EXPECT_EQ(c.upstream->profile.name, "ses-production");
  EXPECT_EQ(c.upstream->profile.host, "email-smtp.eu-central-1.amazonaws.com");
  EXPECT_EQ(c.upstream->profile_file, file);
  ASSERT_EQ(c.upstream->profile.quotas.size(), 1u);
  EXPECT_EQ(c.upstream->profile.quotas[0].count, 50000u);
  // Its rows first, then the common rows.
  ASSERT_GT(c.upstream->profile.replies.rules.size(), 1u);
  EXPECT_EQ(c.upstream->profile.replies.rules[0].action.reason, "rate");
}

}  // namespace
}  // namespace postern::config
