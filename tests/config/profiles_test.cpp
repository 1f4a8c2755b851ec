// The shipped profiles (profiles/*.toml, embedded at build time) and the profile parser.

#include "config/profiles.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "config/config.hpp"
#include "policy/egress.hpp"

namespace postern::config {
namespace {

using namespace std::chrono_literals;
using policy::ProfileKind;
using policy::QuotaUnit;

TEST(Profiles, TheIssueListIsShipped) {
  const std::vector<std::string> want = {"capture",          "custom",   "gmail",
                                         "google-workspace", "mailgun",  "mailgun-eu",
                                         "office365",        "sendgrid", "ses"};
  EXPECT_EQ(builtin_profile_names(), want);
  EXPECT_FALSE(builtin_profile_text("defaults").empty());
  EXPECT_TRUE(builtin_profile_text("nope").empty());
}

TEST(Profiles, EverySmtpProfileObeysTheEgressRule) {
  for (const std::string& name : builtin_profile_names()) {
    SCOPED_TRACE(name);
    const policy::ProviderProfile p = builtin_profile(name);
    EXPECT_EQ(p.name, name);
    EXPECT_FALSE(p.description.empty());
    if (p.kind == ProfileKind::capture) {
      EXPECT_TRUE(p.host.empty());
      continue;
    }
    EXPECT_EQ(p.port, 587);
    EXPECT_EQ(p.tls, policy::UpstreamTls::required);
    EXPECT_FALSE(
        policy::check_egress(p.host.empty() ? "smtp.example.com" : p.host, p.port, p.tls, false));
    EXPECT_FALSE(p.auth_mechanisms.empty());
    EXPECT_GE(p.recipients_per_message, 1u);
    EXPECT_GE(p.messages_per_connection, 1u);
    EXPECT_GE(p.max_connections, 1u);
    // The common rows come last: the table ends with the 4xx and 5xx fallbacks.
    ASSERT_GE(p.replies.rules.size(), 2u);
    EXPECT_EQ(p.replies.rules.back().match.codes, std::vector<std::string>{"5xx"});
    EXPECT_EQ(p.replies.rules.back().action.outcome, policy::Outcome::permanent);
  }
  EXPECT_EQ(builtin_profile("capture").kind, ProfileKind::capture);
  EXPECT_TRUE(builtin_profile("custom").host.empty());
}

TEST(Profiles, FactsFromProvidersMd) {
  const auto office = builtin_profile("office365");
  EXPECT_EQ(office.auth_mechanisms, (std::vector<std::string>{"LOGIN", "XOAUTH2"}));
  EXPECT_EQ(std::count(office.auth_mechanisms.begin(), office.auth_mechanisms.end(), "PLAIN"), 0);
  EXPECT_EQ(office.max_connections, 3u);
  EXPECT_EQ(office.recipients_per_message, 500u);
  ASSERT_EQ(office.quotas.size(), 2u);
  EXPECT_EQ(office.quotas[0],
            (policy::Quota{QuotaUnit::messages, 30, 60s, policy::QuotaWindow::rolling}));
  EXPECT_EQ(office.quotas[1],
            (policy::Quota{QuotaUnit::recipients, 10000, 24h, policy::QuotaWindow::rolling}));

  const auto gmail = builtin_profile("gmail");
  ASSERT_EQ(gmail.quotas.size(), 1u);
  EXPECT_EQ(gmail.quotas[0],
            (policy::Quota{QuotaUnit::messages, 500, 24h, policy::QuotaWindow::rolling}));

  const auto workspace = builtin_profile("google-workspace");
  EXPECT_EQ(workspace.host, "smtp-relay.gmail.com");
  EXPECT_EQ(workspace.recipients_per_message, 100u);
  ASSERT_EQ(workspace.quotas.size(), 1u);
  EXPECT_EQ(workspace.quotas[0].count, 10000u);
  EXPECT_EQ(workspace.quotas[0].unit, QuotaUnit::recipients);

  const auto sendgrid = builtin_profile("sendgrid");
  EXPECT_EQ(sendgrid.username, "apikey");
  EXPECT_EQ(sendgrid.messages_per_connection, 5000u);

  const auto ses = builtin_profile("ses");
  EXPECT_EQ(ses.host, "email-smtp.${POSTERN_SES_REGION}.amazonaws.com");
  EXPECT_EQ(ses.max_message_size, 40'000'000u);
  ASSERT_EQ(ses.quotas.size(), 2u);
  EXPECT_EQ(ses.quotas[0],
            (policy::Quota{QuotaUnit::recipients, 1, 1s, policy::QuotaWindow::rolling}));
  EXPECT_EQ(ses.quotas[1],
            (policy::Quota{QuotaUnit::recipients, 200, 24h, policy::QuotaWindow::rolling}));

  EXPECT_EQ(builtin_profile("mailgun").recipients_per_message, 1000u);
  EXPECT_EQ(builtin_profile("mailgun-eu").host, "smtp.eu.mailgun.org");
}

struct BadProfile {
  const char* text;
  const char* reason_prefix;
};

TEST(ParseProfile, ErrorsNameTheSourceAndTheKey) {
  const BadProfile cases[] = {
      {"host = \"a\"", "name: required"},
      {"name = \"x\"\nhots = \"a\"", "hots: unknown key"},
      {"name = \"x\"\nauth = [\"CRAM-MD5\"]", "auth: 'CRAM-MD5' is not PLAIN, LOGIN or XOAUTH2"},
      {"name = \"x\"\nauth = []", "auth: required"},
      {"name = \"x\"\nauth = [\"PLAIN\"]\nport = 0", "port: must be a positive integer"},
      {"name = \"x\"\nauth = [\"PLAIN\"]\ntls = \"maybe\"", "tls: must be one of: required, none"},
      {"name = \"x\"\nkind = \"pigeon\"", "kind: must be one of: smtp, capture"},
      {"name = \"x\"\nkind = \"capture\"\nhost = \"a\"", "host: unknown key"},
      {"name = \"x\"\nauth = [\"PLAIN\"]\nmax_message_size = \"big\"",
       "max_message_size: must be a size"},
      {"name = \"x\"\nauth = [\"PLAIN\"]\n[[quota]]\ncount = 5", "quota period: required"},
      {"name = \"x\"\nauth = [\"PLAIN\"]\n[[quota]]\ncount = 5\nperiod = \"1h\"\nwindow = "
       "\"utc_day\"",
       "quota period: must be 24h for window utc_day"},
      {"name = \"x\"\nauth = [\"PLAIN\"]\n[[quota]]\nunit = \"bytes\"\ncount = 5\nperiod = \"1h\"",
       "quota unit: must be one of: messages, recipients"},
      {"name = \"x\"\nauth = [\"PLAIN\"]\n[[reply]]\ncodes = [\"550\"]\nreason = \"r\"",
       "reply #1 outcome: required"},
      {"name = \"x\"\nauth = [\"PLAIN\"]\n[[reply]]\ncodes = [\"550\"]\noutcome = "
       "\"delivered\"\nreason = \"r\"",
       "reply #1 outcome: must be one of: temporary, permanent"},
      {"name = \"x\"\nauth = [\"PLAIN\"]\n[[reply]]\ncodes = [\"55\"]\noutcome = "
       "\"permanent\"\nreason = \"r\"",
       "reply #1 codes: '55' is not like 550 or 4xx"},
      {"name = \"x\"\nauth = [\"PLAIN\"]\n[[reply]]\noutcome = \"permanent\"\nreason = \"r\"",
       "reply #1 codes: a row needs codes, text_prefixes or text_contains"},
      {"name = \"x\"\nauth = [\"PLAIN\"]\n[[reply]]\ncodes = [\"550\"]\noutcome = "
       "\"temporary\"\neffect = \"panic\"\nreason = \"r\"",
       "reply #1 effect: must be one of"},
      {"name = \"x\"\nauth = [\"PLAIN\"]\n[[reply]]\ncodes = [\"550\"]\nphases = "
       "[\"helo\"]\noutcome = \"temporary\"\nreason = \"r\"",
       "reply #1 phases: 'helo' is not one of"},
      {"name = \"x\"\nauth = [\"PLAIN\"]\n[[reply]]\ncodes = [\"550\"]\noutcome = "
       "\"temporary\"\npause = \"soon\"\nreason = \"r\"",
       "reply #1 pause: must be a duration"},
      {"name = \"x\"\nauth = [\"PLAIN\"]\n[[reply]]\ncodes = [\"550\"]\noutcome = "
       "\"temporary\"\nalert = \"yes\"\nreason = \"r\"",
       "reply #1 alert: must be true or false"},
      {"name = \"x\"\nauth = [\"PLAIN\"]\nreply = 5", "reply: must be an array of tables"},
  };
  for (const BadProfile& c : cases) {
    SCOPED_TRACE(c.text);
    try {
      (void)parse_profile(c.text, "my.toml");
      ADD_FAILURE() << "no error";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), "my.toml") << e.what();
      EXPECT_EQ(e.reason().rfind(c.reason_prefix, 0), 0u) << e.what();
    }
  }
}

TEST(ParseProfile, SyntaxErrorsNameLineAndColumn) {
  try {
    (void)parse_profile("name = \"x\"\nport = = 5\n", "my.toml");
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key().rfind("my.toml:2:", 0), 0u) << e.what();
  }
}

TEST(ParseProfile, RowFieldsAndDefaults) {
  const policy::ProviderProfile p = parse_profile(R"(
name = "x"
host = "smtp.x.test"
auth = ["LOGIN"]
[[reply]]
codes = ["451"]
text_prefixes = ["4.7.1"]
text_contains = ["credits"]
phases = ["mail", "final_dot"]
outcome = "temporary"
effect = "pause_until_window"
pause = "2h"
utc_day_reset = true
split_recipients = true
consumes_attempt = false
alert = true
reason = "all fields"
[[reply]]
codes = ["550"]
outcome = "permanent"
reason = "defaults"
)",
                                                  "x.toml");
  ASSERT_GE(p.replies.rules.size(), 2u);
  const policy::ReplyRule& a = p.replies.rules[0];
  EXPECT_EQ(a.match.codes, std::vector<std::string>{"451"});
  EXPECT_EQ(a.match.text_prefixes, std::vector<std::string>{"4.7.1"});
  EXPECT_EQ(a.match.text_contains, std::vector<std::string>{"credits"});
  EXPECT_EQ(a.match.phases,
            (std::vector<policy::Phase>{policy::Phase::mail, policy::Phase::final_dot}));
  EXPECT_EQ(a.action.route_effect, policy::RouteEffect::pause_until_window);
  EXPECT_EQ(a.action.pause, 2h);
  EXPECT_TRUE(a.action.until_utc_day_reset && a.action.split_recipients && a.action.alert);
  EXPECT_FALSE(a.action.consumes_attempt);
  const policy::ReplyRule& b = p.replies.rules[1];
  EXPECT_EQ(b.action.route_effect, policy::RouteEffect::none);
  EXPECT_EQ(b.action.pause, 0s);
  EXPECT_TRUE(b.action.consumes_attempt);
  EXPECT_FALSE(b.action.alert || b.action.split_recipients || b.action.until_utc_day_reset);
  // Defaults: port 587, TLS required, the common rows appended.
  EXPECT_EQ(p.port, 587);
  EXPECT_EQ(p.tls, policy::UpstreamTls::required);
  EXPECT_GT(p.replies.rules.size(), 2u);
}

}  // namespace
}  // namespace postern::config
