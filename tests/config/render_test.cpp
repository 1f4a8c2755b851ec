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

}  // namespace
}  // namespace postern::config
