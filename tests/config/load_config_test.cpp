#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "config/config.hpp"
#include "support.hpp"

namespace postern::config {
namespace {

using namespace std::chrono_literals;
using test::input;
using test::TempDir;

TEST(LoadConfig, Defaults) {
  const Config c = load_config(input());
  EXPECT_EQ(c.data_dir, "./var/postern");
  EXPECT_EQ(c.listen, (ListenAddress{"0.0.0.0", 587}));
  EXPECT_EQ(c.hostname, "relay.test");
  EXPECT_EQ(c.io_threads, 4u);
  EXPECT_FALSE(c.tls.cert);
  EXPECT_FALSE(c.tls.key);
  EXPECT_EQ(c.log_format, LogFormat::json);
  EXPECT_FALSE(c.env_account);
  EXPECT_EQ(c.submission, SubmissionSettings{});
  EXPECT_EQ(c.submission.max_recipients, 100u);
  EXPECT_EQ(c.submission.command_timeout, 5min);
  EXPECT_EQ(c.store.dir, std::filesystem::path("./var/postern"));
}

TEST(LoadConfig, LogFormatDefaultFollowsTheTerminal) {
  LoadInput in = input();
  in.stderr_is_terminal = true;
  EXPECT_EQ(load_config(in).log_format, LogFormat::text);
}

TEST(LoadConfig, StoreDirFollowsDataDir) {
  const Config c = load_config(input({{"POSTERN_DATA_DIR", "/srv/postern"}}));
  EXPECT_EQ(c.store.dir, "/srv/postern");
}

TEST(LoadConfig, EveryKeyFromToml) {
  TempDir tmp;
  const auto cert = tmp.write("cert.pem", "x");
  const auto key = tmp.write("key.pem", "x");
  const auto pw = tmp.write("pw", "file-secret\n");
  const std::string toml = R"(
data_dir = "/data"
listen = "[::1]:2525"
hostname = "mx.example.com"
io_threads = 3
[tls]
cert = ")" + cert.string() +
                           R"("
key = ")" + key.string() + R"("
[log]
format = "text"
[user]
name = "app"
password_file = ")" + pw.string() +
                           R"("
senders = ["app@example.com", "*@example.org"]
[submission]
max_command_line = 1024
max_text_line = 2000
max_recipients = 50
max_message_size = "10MiB"
max_local_part = 128
max_domain = 300
max_errors = 5
max_auth_failures = 2
unauthenticated_command_timeout = "10s"
command_timeout = 120
data_block_timeout = "1m30s"
bare_line_policy = "normalize"
[store]
dir = "/db/queue"
)";
  LoadInput in = input();
  in.config_file = tmp.write("postern.toml", toml);
  const Config c = load_config(in);
  EXPECT_EQ(c.data_dir, "/data");
  EXPECT_EQ(c.listen, (ListenAddress{"::1", 2525}));
  EXPECT_EQ(c.hostname, "mx.example.com");
  EXPECT_EQ(c.io_threads, 3u);
  EXPECT_EQ(c.tls.cert, cert);
  EXPECT_EQ(c.tls.key, key);
  EXPECT_EQ(c.log_format, LogFormat::text);
  ASSERT_TRUE(c.env_account);
  EXPECT_EQ(c.env_account->name, "app");
  EXPECT_EQ(c.env_account->password, "file-secret");
  EXPECT_EQ(c.env_account->password_source, "file:" + pw.string());
  EXPECT_EQ(c.env_account->senders.to_string(), "app@example.com,*@example.org");
  const SubmissionSettings& s = c.submission;
  EXPECT_EQ(s.max_command_line, 1024u);
  EXPECT_EQ(s.max_text_line, 2000u);
  EXPECT_EQ(s.max_recipients, 50u);
  EXPECT_EQ(s.max_message_size, 10u << 20);
  EXPECT_EQ(s.max_local_part, 128u);
  EXPECT_EQ(s.max_domain, 300u);
  EXPECT_EQ(s.max_errors, 5);
  EXPECT_EQ(s.max_auth_failures, 2);
  EXPECT_EQ(s.unauthenticated_command_timeout, 10s);
  EXPECT_EQ(s.command_timeout, 2min);
  EXPECT_EQ(s.data_block_timeout, 90s);
  EXPECT_EQ(s.bare_line_policy, BareLinePolicy::normalize);
  EXPECT_EQ(c.store.dir, "/db/queue");
}

TEST(LoadConfig, EnvironmentOverridesTomlKeyByKey) {
  const std::string toml = R"(
listen = "127.0.0.1:2525"
[submission]
max_recipients = 50
max_message_size = 1048576
)";
  const Config c =
      load_config_from_string(toml, input({{"POSTERN_LISTEN", "0.0.0.0:1587"},
                                           {"POSTERN_SUBMISSION_MAX_MESSAGE_SIZE", "5MiB"},
                                           {"POSTERN_SUBMISSION_COMMAND_TIMEOUT", "7m"},
                                           {"POSTERN_LOG_FORMAT", "text"}}));
  EXPECT_EQ(c.listen, (ListenAddress{"0.0.0.0", 1587}));
  EXPECT_EQ(c.submission.max_recipients, 50u);         // from the file
  EXPECT_EQ(c.submission.max_message_size, 5u << 20);  // the environment wins
  EXPECT_EQ(c.submission.command_timeout, 7min);       // only in the environment
  EXPECT_EQ(c.log_format, LogFormat::text);
}

TEST(LoadConfig, EmptyVariableCountsAsUnset) {
  const Config c = load_config_from_string(
      "listen = \"127.0.0.1:2525\"", input({{"POSTERN_LISTEN", ""}, {"POSTERN_TLS_CERT", ""}}));
  EXPECT_EQ(c.listen.port, 2525);
  EXPECT_FALSE(c.tls.cert);
}

TEST(LoadConfig, SizesAndDurationsFromTheEnvironment) {
  const Config c = load_config(input({{"POSTERN_SUBMISSION_MAX_MESSAGE_SIZE", "1000000"},
                                      {"POSTERN_SUBMISSION_DATA_BLOCK_TIMEOUT", "45"},
                                      {"POSTERN_SUBMISSION_MAX_RECIPIENTS", "250"},
                                      {"POSTERN_IO_THREADS", "8"}}));
  EXPECT_EQ(c.submission.max_message_size, 1'000'000u);
  EXPECT_EQ(c.submission.data_block_timeout, 45s);
  EXPECT_EQ(c.submission.max_recipients, 250u);
  EXPECT_EQ(c.io_threads, 8u);
}

TEST(LoadConfig, AccountFromTheEnvironment) {
  const Config c = load_config(input({{"POSTERN_USER", "app"},
                                      {"POSTERN_PASSWORD", "s3cret"},
                                      {"POSTERN_USER_SENDERS", "app@example.com, *@example.org"}}));
  ASSERT_TRUE(c.env_account);
  EXPECT_EQ(c.env_account->name, "app");
  EXPECT_EQ(c.env_account->password, "s3cret");
  EXPECT_EQ(c.env_account->password_source, "env:POSTERN_PASSWORD");
  EXPECT_TRUE(c.env_account->senders.allows("app+x@example.com"));
  EXPECT_TRUE(c.env_account->senders.allows("bob@example.org"));
  EXPECT_FALSE(c.env_account->senders.allows("bob@example.com"));
}

TEST(LoadConfig, PasswordFileFromTheEnvironment) {
  TempDir tmp;
  for (const char* content : {"pw\n", "pw\r\n", "pw"}) {
    const auto file = tmp.write("pw", content);
    const Config c = load_config(input({{"POSTERN_USER", "app"},
                                        {"POSTERN_PASSWORD_FILE", file.string()},
                                        {"POSTERN_USER_SENDERS", "*"}}));
    ASSERT_TRUE(c.env_account);
    EXPECT_EQ(c.env_account->password, "pw");
    EXPECT_EQ(c.env_account->password_source, "file:" + file.string());
  }
}

TEST(LoadConfig, PasswordVariableNamedInToml) {
  const std::string toml = R"(
[user]
name = "app"
password_env = "POSTERN_APP_SECRET"
senders = "*"
)";
  // The operator's own POSTERN_-prefixed variable is not an unknown variable.
  const Config c = load_config_from_string(toml, input({{"POSTERN_APP_SECRET", "pw"}}));
  ASSERT_TRUE(c.env_account);
  EXPECT_EQ(c.env_account->password, "pw");
  EXPECT_EQ(c.env_account->password_source, "env:POSTERN_APP_SECRET");
  // And POSTERN_PASSWORD wins over the file's choice.
  const Config c2 = load_config_from_string(
      toml, input({{"POSTERN_APP_SECRET", "pw"}, {"POSTERN_PASSWORD", "env-pw"}}));
  EXPECT_EQ(c2.env_account->password, "env-pw");
}

TEST(LoadConfig, UnknownVariablesAreWarningsNamingTheClosestKey) {
  const Config c = load_config_from_string(
      "", input({{"POSTERN_LISTN", "x"}, {"POSTERN_SUBMISSION_MAX_RECIPENTS", "5"}}));
  EXPECT_THAT(c.warnings,
              ::testing::UnorderedElementsAre(
                  "POSTERN_LISTN: unknown variable, ignored (did you mean POSTERN_LISTEN?)",
                  "POSTERN_SUBMISSION_MAX_RECIPENTS: unknown variable, ignored (did you mean "
                  "POSTERN_SUBMISSION_MAX_RECIPIENTS?)"));
  EXPECT_EQ(c.submission.max_recipients, 100u);  // the misspelt value was not used
}

TEST(LoadConfig, ConfigFileIsNotRequiredToExistWhenNotNamed) {
  LoadInput in = input();
  in.config_file.reset();
  EXPECT_NO_THROW((void)load_config(in));
}

TEST(SnapshotProcess, ReadsTheEnvironmentAndPosternConfig) {
  ::setenv("POSTERN_CONFIG", "/etc/postern/from-env.toml", 1);
  const LoadInput from_env = snapshot_process(std::nullopt);
  const LoadInput from_flag = snapshot_process("/flag.toml");
  ::unsetenv("POSTERN_CONFIG");
  EXPECT_EQ(from_env.config_file, "/etc/postern/from-env.toml");
  EXPECT_EQ(from_flag.config_file, "/flag.toml");  // --config wins
  EXPECT_EQ(from_env.env.at("POSTERN_CONFIG"), "/etc/postern/from-env.toml");
  EXPECT_GE(from_env.hardware_threads, 1u);
  EXPECT_FALSE(from_env.system_hostname.empty());
  EXPECT_FALSE(snapshot_process(std::nullopt).config_file);
}

}  // namespace
}  // namespace postern::config
