#include <gtest/gtest.h>

#include "config/config.hpp"
#include "support.hpp"

namespace postern::config {
namespace {

using test::input;
using test::TempDir;

// render_toml() loads back to the same Config in the same environment.
void expect_round_trip(const Config& original, const Environment& env) {
  const std::string text = render_toml(original);
  SCOPED_TRACE(text);
  Config again;
  ASSERT_NO_THROW(again = load_config_from_string(text, input(env), "<rendered>"));
  EXPECT_EQ(again, original);
}

TEST(RenderToml, DefaultsRoundTrip) { expect_round_trip(load_config(input()), {}); }

TEST(RenderToml, FullConfigRoundTripsWithoutTheSecret) {
  TempDir tmp;
  const auto cert = tmp.write("cert \"q\".pem", "x");
  const auto key = tmp.write("key.pem", "x");
  const Environment env{{"POSTERN_USER", "app"},
                        {"POSTERN_PASSWORD", "pa55-SECRET"},
                        {"POSTERN_USER_SENDERS", "a@x.test, *@y.test"},
                        {"POSTERN_TLS_CERT", cert.string()},
                        {"POSTERN_TLS_KEY", key.string()},
                        {"POSTERN_LISTEN", "[::1]:2525"},
                        {"POSTERN_SUBMISSION_MAX_MESSAGE_SIZE", "1234567"},
                        {"POSTERN_SUBMISSION_COMMAND_TIMEOUT", "1m30s"},
                        {"POSTERN_SUBMISSION_BARE_LINE_POLICY", "normalize"},
                        {"POSTERN_LOG_FORMAT", "text"}};
  const Config c = load_config(input(env));
  const std::string text = render_toml(c);
  EXPECT_EQ(text.find("pa55-SECRET"), std::string::npos) << text;
  EXPECT_NE(text.find("password_env = \"POSTERN_PASSWORD\""), std::string::npos) << text;
  EXPECT_NE(text.find("max_message_size = \"1234567\""), std::string::npos) << text;
  EXPECT_NE(text.find("command_timeout = \"90s\""), std::string::npos) << text;
  expect_round_trip(c, env);
}

TEST(RenderToml, PasswordFileIsRenderedAsItsPath) {
  TempDir tmp;
  const auto pw = tmp.write("pw", "pa55-SECRET\n");
  const Environment env{{"POSTERN_USER", "app"},
                        {"POSTERN_PASSWORD_FILE", pw.string()},
                        {"POSTERN_USER_SENDERS", "*"}};
  const Config c = load_config(input(env));
  const std::string text = render_toml(c);
  EXPECT_EQ(text.find("pa55-SECRET"), std::string::npos) << text;
  EXPECT_NE(text.find("password_file = \"" + pw.string() + "\""), std::string::npos) << text;
  expect_round_trip(c, {});  // the file alone is enough to load it back
}

TEST(RenderToml, UpstreamAndDeliveryRoundTripWithoutTheSecret) {
  TempDir tmp;
  const auto ca = tmp.write("ca.pem", "x");
  const Environment env{{"POSTERN_PROVIDER", "ses"},
                        {"POSTERN_SES_REGION", "eu-west-1"},
                        {"POSTERN_UPSTREAM_USER", "AKIAEXAMPLE"},
                        {"POSTERN_UPSTREAM_PASSWORD", "ses-SECRET-pw"},
                        {"POSTERN_UPSTREAM_AUTH", "LOGIN"},
                        {"POSTERN_UPSTREAM_CA_FILE", ca.string()},
                        {"POSTERN_DELIVERY_RETRY_SCHEDULE", "1m,90s,2h"},
                        {"POSTERN_DELIVERY_RETRY_JITTER", "25"},
                        {"POSTERN_DELIVERY_LIFETIME", "2d"},
                        {"POSTERN_DELIVERY_MAX_CONNECTIONS", "1"},
                        {"POSTERN_DELIVERY_CAPTURE_LIMIT", "10"}};
  const Config c = load_config(input(env));
  const std::string text = render_toml(c);
  EXPECT_EQ(text.find("ses-SECRET-pw"), std::string::npos) << text;
  EXPECT_NE(text.find("provider = \"ses\""), std::string::npos) << text;
  EXPECT_NE(text.find("ses_region = \"eu-west-1\""), std::string::npos) << text;
  EXPECT_NE(text.find("password_env = \"POSTERN_UPSTREAM_PASSWORD\""), std::string::npos) << text;
  EXPECT_NE(text.find("retry_schedule = [\"1m\", \"90s\", \"2h\"]"), std::string::npos) << text;
  EXPECT_NE(text.find("retry_jitter = 25"), std::string::npos) << text;
  EXPECT_NE(text.find("lifetime = \"48h\""), std::string::npos) << text;
  expect_round_trip(c, env);
}

TEST(RenderToml, UpstreamPasswordFileAndOverridesRoundTrip) {
  TempDir tmp;
  const auto pw = tmp.write("pw", "file-SECRET\n");
  const Environment env{
      {"POSTERN_PROVIDER", "custom"},     {"POSTERN_UPSTREAM_HOST", "127.0.0.1"},
      {"POSTERN_UPSTREAM_PORT", "2525"},  {"POSTERN_UPSTREAM_TLS", "none"},
      {"POSTERN_UPSTREAM_USER", "relay"}, {"POSTERN_UPSTREAM_PASSWORD_FILE", pw.string()}};
  const Config c = load_config(input(env));
  const std::string text = render_toml(c);
  EXPECT_EQ(text.find("file-SECRET"), std::string::npos) << text;
  EXPECT_NE(text.find("password_file = \"" + pw.string() + "\""), std::string::npos) << text;
  expect_round_trip(c, {});  // the rendered file alone loads it back
}

TEST(RenderToml, CaptureModeSaysSo) {
  const std::string text = render_toml(load_config(input()));
  EXPECT_NE(text.find("capture mode"), std::string::npos) << text;
}

}  // namespace
}  // namespace postern::config
