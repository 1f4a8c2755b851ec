// Every bad setting throws ConfigError naming the key exactly as the operator wrote it (the
// variable, or section.key in the file), so `config error: KEY: reason` points at the fix.

#include <gtest/gtest.h>

#include "config/config.hpp"
#include "support.hpp"

namespace postern::config {
namespace {

using test::input;
using test::TempDir;

constexpr const char* kSecret = "pa55-SECRET-value";

struct ErrorCase {
  std::string toml;
  Environment env;
  std::string key;
  std::string reason_prefix;
};

std::vector<ErrorCase> cases(const TempDir& tmp) {
  const std::string cert = tmp.write("cert.pem", "x").string();
  const std::string empty = tmp.write("empty", "").string();
  const std::string two_lines = tmp.write("two", "a\nb\n").string();
  const std::string missing = (tmp.path() / "missing").string();
  const Environment user{{"POSTERN_USER", "app"}, {"POSTERN_USER_SENDERS", "*"}};
  auto with = [](Environment env, std::string k, std::string v) {
    env[std::move(k)] = std::move(v);
    return env;
  };
  return {
      // Listener and general settings.
      {"", {{"POSTERN_LISTEN", "0.0.0.0:70000"}}, "POSTERN_LISTEN", "port must be 0-65535"},
      {"listen = \"0.0.0.0\"", {}, "listen", "must be host:port"},
      {"listen = 587", {}, "listen", "must be a string"},
      {"hostname = \"bad_host\"", {}, "hostname", "is not a valid host name"},
      {"", {{"POSTERN_HOSTNAME", "-x"}}, "POSTERN_HOSTNAME", "is not a valid host name"},
      {"io_threads = 0", {}, "io_threads", "must be a positive integer"},
      {"io_threads = 5000", {}, "io_threads", "must be at most 1024"},
      {"", {{"POSTERN_IO_THREADS", "two"}}, "POSTERN_IO_THREADS", "must be a positive integer"},
      {"data_dir = \"\"", {}, "data_dir", "must not be empty"},
      {"data_dir = 5", {}, "data_dir", "must be a string, not an integer"},
      {"[log]\nformat = \"xml\"", {}, "log.format", "must be one of: json, text"},
      {"", {{"POSTERN_LOG_FORMAT", "JSON"}}, "POSTERN_LOG_FORMAT", "must be one of"},
      // TLS.
      {"[tls]\ncert = \"" + cert + "\"", {}, "tls.key", "required when tls.cert is set"},
      {"", {{"POSTERN_TLS_KEY", cert}}, "POSTERN_TLS_CERT", "required when POSTERN_TLS_KEY"},
      {"",
       {{"POSTERN_TLS_CERT", missing}, {"POSTERN_TLS_KEY", cert}},
       "POSTERN_TLS_CERT",
       "no such file"},
      {"",
       {{"POSTERN_TLS_CERT", cert}, {"POSTERN_TLS_KEY", tmp.path().string()}},
       "POSTERN_TLS_KEY",
       "not a regular file"},
      // Submission limits.
      {"[submission]\nmax_recipients = 0",
       {},
       "submission.max_recipients",
       "must be a positive integer"},
      {"[submission]\nmax_recipients = -3",
       {},
       "submission.max_recipients",
       "must be a positive integer"},
      {"[submission]\nmax_recipients = \"100\"",
       {},
       "submission.max_recipients",
       "must be a positive integer"},
      {"[submission]\nmax_recipients = 1.5",
       {},
       "submission.max_recipients",
       "must be a positive integer"},
      {"",
       {{"POSTERN_SUBMISSION_MAX_RECIPIENTS", "-1"}},
       "POSTERN_SUBMISSION_MAX_RECIPIENTS",
       "must be a positive integer"},
      {"[submission]\nmax_command_line = 100",
       {},
       "submission.max_command_line",
       "must be at least 512 (the minimum of RFC 5321"},
      {"[submission]\nmax_text_line = 999",
       {},
       "submission.max_text_line",
       "must be at least 1000"},
      {"[submission]\nmax_local_part = 10", {}, "submission.max_local_part", "must be at least 64"},
      {"[submission]\nmax_domain = 100", {}, "submission.max_domain", "must be at least 255"},
      {"[submission]\nmax_errors = 0", {}, "submission.max_errors", "must be a positive integer"},
      {"[submission]\nmax_auth_failures = 101",
       {},
       "submission.max_auth_failures",
       "must be at most 100"},
      {"[submission]\nmax_message_size = \"25 furlongs\"",
       {},
       "submission.max_message_size",
       "must be a size"},
      {"[submission]\nmax_message_size = \"2GiB\"",
       {},
       "submission.max_message_size",
       "must be at most 1GiB"},
      {"[submission]\nmax_message_size = 0",
       {},
       "submission.max_message_size",
       "must be a positive size"},
      {"[submission]\nmax_message_size = true",
       {},
       "submission.max_message_size",
       "must be a size like 25MiB or a byte count, not a boolean"},
      {"",
       {{"POSTERN_SUBMISSION_MAX_MESSAGE_SIZE", "lots"}},
       "POSTERN_SUBMISSION_MAX_MESSAGE_SIZE",
       "must be a size"},
      {"[submission]\ncommand_timeout = \"5 minutes\"",
       {},
       "submission.command_timeout",
       "must be a duration"},
      {"[submission]\ncommand_timeout = 0",
       {},
       "submission.command_timeout",
       "must be a positive duration"},
      {"[submission]\ncommand_timeout = \"0s\"",
       {},
       "submission.command_timeout",
       "must be a positive duration"},
      {"[submission]\ndata_block_timeout = \"25h\"",
       {},
       "submission.data_block_timeout",
       "must be at most 24h"},
      {"[submission]\ndata_block_timeout = 999999999999",
       {},
       "submission.data_block_timeout",
       "must be at most 24h"},
      {"",
       {{"POSTERN_SUBMISSION_UNAUTHENTICATED_COMMAND_TIMEOUT", "soon"}},
       "POSTERN_SUBMISSION_UNAUTHENTICATED_COMMAND_TIMEOUT",
       "must be a duration"},
      {"[submission]\nbare_line_policy = \"lenient\"",
       {},
       "submission.bare_line_policy",
       "must be one of: strict, normalize"},
      // Unknown keys, sections and variables.
      {"listn = \"0.0.0.0:587\"", {}, "listn", "unknown key (did you mean listen?)"},
      {"[submission]\nmax_recipents = 5",
       {},
       "submission.max_recipents",
       "unknown key (did you mean max_recipients?)"},
      {"[smtp]\nport = 587", {}, "smtp", "unknown key"},
      {"[tls]\ncert = \"a\"\n[tls.extra]\nx = 1", {}, "tls.extra", "unknown key"},
      {"tls = 5", {}, "tls", "must be a table ([tls])"},
      {"[[submission]]\nmax_errors = 1", {}, "submission", "must be a table"},
      // The account and its secrets.
      {"[user]\npassword = \"" + std::string(kSecret) + "\"",
       {},
       "user.password",
       "passwords do not belong in the config file"},
      {"",
       {{"POSTERN_USER", "app"}, {"POSTERN_USER_SENDERS", "*"}},
       "POSTERN_PASSWORD",
       "required when POSTERN_USER is set"},
      {"",
       {{"POSTERN_USER", "app"}, {"POSTERN_PASSWORD", kSecret}},
       "POSTERN_USER_SENDERS",
       "required when POSTERN_USER is set"},
      {"", with(user, "POSTERN_PASSWORD", kSecret), "", ""},  // the valid baseline
      {"", {{"POSTERN_PASSWORD", kSecret}}, "POSTERN_PASSWORD", "set without POSTERN_USER"},
      {"", {{"POSTERN_USER_SENDERS", "*"}}, "POSTERN_USER_SENDERS", "set without POSTERN_USER"},
      {"", with(with(user, "POSTERN_PASSWORD", kSecret), "POSTERN_USER_SENDERS", "app@"),
       "POSTERN_USER_SENDERS", "'app@': missing domain"},
      {"", with(with(user, "POSTERN_PASSWORD", kSecret), "POSTERN_USER_SENDERS", " , "),
       "POSTERN_USER_SENDERS", "''"},
      {"", with(with(user, "POSTERN_PASSWORD", kSecret), "POSTERN_USER", "two words"),
       "POSTERN_USER", "must be 1-255 octets"},
      {"", with(with(user, "POSTERN_PASSWORD", kSecret), "POSTERN_PASSWORD_FILE", cert),
       "POSTERN_PASSWORD_FILE", "set only one of POSTERN_PASSWORD and POSTERN_PASSWORD_FILE"},
      {"", with(user, "POSTERN_PASSWORD_FILE", missing), "POSTERN_PASSWORD_FILE",
       "not a readable regular file"},
      {"", with(user, "POSTERN_PASSWORD_FILE", empty), "POSTERN_PASSWORD_FILE",
       "password file is empty"},
      {"", with(user, "POSTERN_PASSWORD_FILE", two_lines), "POSTERN_PASSWORD_FILE",
       "password file must hold a single line"},
      {"[user]\nname = \"app\"\nsenders = \"*\"",
       {},
       "user.password_env",
       "required when user.name is set (or user.password_file)"},
      {"[user]\nname = \"app\"\npassword_env = \"APP_PW\"\nsenders = \"*\"",
       {},
       "user.password_env",
       "the variable APP_PW is not set"},
      {"[user]\nname = \"app\"\npassword_env = \"1X\"\nsenders = \"*\"",
       {},
       "user.password_env",
       "must be an environment variable name"},
      {"[user]\nname = \"app\"\npassword_env = \"A\"\npassword_file = \"f\"\nsenders = \"*\"",
       {{"A", kSecret}},
       "user.password_file",
       "set only one of"},
      {"[user]\nname = \"app\"\npassword_env = \"A\"\nsenders = 5",
       {{"A", kSecret}},
       "user.senders",
       "must be a comma list or an array of strings, not an integer"},
      {"[user]\nname = \"app\"\npassword_env = \"A\"\nsenders = \"\"",
       {{"A", kSecret}},
       "user.senders",
       "must name at least one sender"},
      {"",
       {{"POSTERN_USER", "app"},
        {"POSTERN_PASSWORD", std::string(4097, 'p')},
        {"POSTERN_USER_SENDERS", "*"}},
       "POSTERN_PASSWORD",
       "longer than 4096 bytes"},
      // The file itself.
      {"listen = ", {}, "<config>:1:", ""},
      {"[submission\n", {}, "<config>:1:", ""},
  };
}

TEST(LoadConfigErrors, EveryErrorNamesItsKey) {
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
      if (c.key.back() == ':') {
        EXPECT_EQ(e.key().rfind(c.key, 0), 0u) << e.what();
      } else {
        EXPECT_EQ(e.key(), c.key) << e.what();
      }
      EXPECT_EQ(e.reason().rfind(c.reason_prefix, 0), 0u) << e.what();
      EXPECT_EQ(std::string(e.what()), e.key() + ": " + e.reason());
      EXPECT_EQ(std::string(e.what()).find(kSecret), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
  }
}

TEST(LoadConfigErrors, MissingConfigFileNamesThePath) {
  TempDir tmp;
  LoadInput in = input();
  in.config_file = tmp.path() / "nope.toml";
  try {
    (void)load_config(in);
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), in.config_file->string());
  }
}

TEST(LoadConfigErrors, SyntaxErrorsNameTheFileAndLine) {
  TempDir tmp;
  LoadInput in = input();
  in.config_file = tmp.write("postern.toml", "listen = \"0.0.0.0:587\"\n\nio_threads = = 2\n");
  try {
    (void)load_config(in);
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key().rfind(in.config_file->string() + ":3:", 0), 0u) << e.what();
  }
}

TEST(LoadConfigErrors, InvalidMachineHostNameAsksForTheSetting) {
  LoadInput in = input();
  in.system_hostname = "my_laptop";
  try {
    (void)load_config(in);
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "hostname");
    EXPECT_NE(e.reason().find("POSTERN_HOSTNAME"), std::string::npos);
  }
  in.env["POSTERN_HOSTNAME"] = "laptop.local";
  EXPECT_EQ(load_config(in).hostname, "laptop.local");
}

}  // namespace
}  // namespace postern::config
