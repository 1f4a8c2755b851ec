// docs/config.md is the contract tools outside the project rely on: every key and variable
// the loader knows must be documented there, and every variable must follow the naming rule.

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "config/keys.hpp"

namespace postern::config {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

TEST(Keys, VariablesFollowTheNamingRule) {
  for (const KeySpec& k : all_keys()) {
    if (k.env.empty() || k.key.empty() || k.section == "user") continue;  // fixed names
    if (k.env == keys::kUpstreamProvider.env || k.env == keys::kSesRegion.env) continue;
    const std::string want =
        "POSTERN_" + (k.section.empty() ? "" : upper(k.section) + "_") + upper(k.key);
    EXPECT_EQ(k.env, want) << k.dotted();
  }
  // The names fixed by the issue contract.
  EXPECT_EQ(keys::kUserName.env, "POSTERN_USER");
  EXPECT_EQ(keys::kUserPassword.env, "POSTERN_PASSWORD");
  EXPECT_EQ(keys::kUserPasswordFile.env, "POSTERN_PASSWORD_FILE");
  EXPECT_EQ(keys::kUserSenders.env, "POSTERN_USER_SENDERS");
  EXPECT_EQ(keys::kDataDir.env, "POSTERN_DATA_DIR");
  EXPECT_EQ(keys::kListen.env, "POSTERN_LISTEN");
  EXPECT_EQ(keys::kTlsCert.env, "POSTERN_TLS_CERT");
  EXPECT_EQ(keys::kTlsKey.env, "POSTERN_TLS_KEY");
  EXPECT_EQ(keys::kLogFormat.env, "POSTERN_LOG_FORMAT");
  // The upstream contract of the issue.
  EXPECT_EQ(keys::kUpstreamProvider.env, "POSTERN_PROVIDER");
  EXPECT_EQ(keys::kUpstreamHost.env, "POSTERN_UPSTREAM_HOST");
  EXPECT_EQ(keys::kUpstreamPort.env, "POSTERN_UPSTREAM_PORT");
  EXPECT_EQ(keys::kUpstreamUser.env, "POSTERN_UPSTREAM_USER");
  EXPECT_EQ(keys::kUpstreamPassword.env, "POSTERN_UPSTREAM_PASSWORD");
  EXPECT_EQ(keys::kUpstreamPasswordFile.env, "POSTERN_UPSTREAM_PASSWORD_FILE");
  EXPECT_EQ(keys::kUpstreamCaFile.env, "POSTERN_UPSTREAM_CA_FILE");
  EXPECT_EQ(keys::kUpstreamTls.env, "POSTERN_UPSTREAM_TLS");
  EXPECT_EQ(keys::kSesRegion.env, "POSTERN_SES_REGION");
}

TEST(Keys, EveryKeyIsDocumented) {
  std::ifstream in(std::string(POSTERN_TEST_DATA_DIR) + "/../../docs/config.md");
  ASSERT_TRUE(in) << "docs/config.md is missing";
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  for (const KeySpec& k : all_keys()) {
    if (!k.key.empty()) {
      EXPECT_NE(doc.find("`" + k.dotted() + "`"), std::string::npos) << k.dotted();
    }
    if (!k.env.empty()) {
      EXPECT_NE(doc.find("`" + std::string(k.env) + "`"), std::string::npos) << k.env;
    }
  }
  EXPECT_NE(doc.find("`POSTERN_CONFIG`"), std::string::npos);
}

}  // namespace
}  // namespace postern::config
