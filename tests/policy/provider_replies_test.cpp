// The shipped reply tables (profiles/*.toml, embedded) against providers.md "Replies that do
// not mean what their first digit says", row by row, with the replies the providers send.

#include <gtest/gtest.h>

#include "config/profiles.hpp"
#include "policy/classify.hpp"

namespace postern::policy {
namespace {

using namespace std::chrono_literals;

const ProviderProfile& profile(const std::string& name) {
  static std::map<std::string, ProviderProfile> cache;
  auto it = cache.find(name);
  if (it == cache.end()) it = cache.emplace(name, config::builtin_profile(name)).first;
  return it->second;
}

struct RowCase {
  const char* providers_md_row;  // what the row of providers.md says
  std::vector<std::string> profiles;
  smtp::Reply reply;
  Phase phase;
  Outcome outcome;
  RouteEffect effect;
  bool consumes_attempt;
  bool split = false;
  bool utc_day = false;
  bool alert = false;
};

const std::vector<std::string> kSmtpProfiles = {
    "gmail", "google-workspace", "office365", "sendgrid", "mailgun", "mailgun-eu", "ses", "custom"};

std::vector<RowCase> rows() {
  using O = Outcome;
  using E = RouteEffect;
  const std::vector<std::string> google = {"gmail", "google-workspace"};
  return {
      {"550 5.4.5 Daily user sending limit exceeded (Gmail): defer, pause, not a bounce",
       google,
       {550,
        "5.4.5 Daily user sending limit exceeded. For more information, go to\n5.4.5 "
        "https://support.google.com/mail/?p=ReachedLimit"},
       Phase::mail,
       O::temporary,
       E::pause_until_window,
       false},
      {"550 5.4.5 at the final dot too",
       google,
       {550, "5.4.5 Daily user sending quota exceeded."},
       Phase::final_dot,
       O::temporary,
       E::pause_until_window,
       false},
      {"550 5.7.1 Daily SMTP relay limit exceeded (Gmail relay): pause, defer",
       {"google-workspace"},
       {550, "5.7.1 Daily SMTP relay limit exceeded for user. For more information, go to"},
       Phase::rcpt,
       O::temporary,
       E::pause_until_window,
       false},
      {"450 4.2.1 Peak SMTP relay limit exceeded (Gmail relay): slow the route",
       {"google-workspace"},
       {450, "4.2.1 Peak SMTP relay limit exceeded for customer. To protect our users"},
       Phase::rcpt,
       O::temporary,
       E::slow_down,
       false},
      {"421 4.7.0 Try again later: back off",
       kSmtpProfiles,
       {421, "4.7.0 Try again later, closing connection."},
       Phase::mail,
       O::temporary,
       E::back_off,
       true},
      {"421 4.4.5 Server busy: back off",
       kSmtpProfiles,
       {421, "4.4.5 Server busy, try again later."},
       Phase::connect,
       O::temporary,
       E::back_off,
       true},
      {"452 4.5.3 too many recipients: split the list",
       kSmtpProfiles,
       {452, "4.5.3 Your message has too many recipients."},
       Phase::rcpt,
       O::temporary,
       E::none,
       false,
       true},
      {"454 4.7.0 Too many login attempts: reuse connections, pause AUTH",
       kSmtpProfiles,
       {454, "4.7.0 Too many login attempts, please try again later."},
       Phase::auth,
       O::temporary,
       E::back_off,
       false},
      {"432 4.3.2 concurrent connections (Office 365): lower concurrency",
       {"office365"},
       {432, "4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded"},
       Phase::final_dot,
       O::temporary,
       E::reduce_concurrency,
       false},
      {"554 5.2.0 SubmissionQuotaExceeded (Office 365): defer to the next window",
       {"office365"},
       {554,
        "5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to "
        "process message due to a permanent exception"},
       Phase::final_dot,
       O::temporary,
       E::pause_until_window,
       false},
      {"550 5.2.251 sender throttled (Office 365): stop, alert",
       {"office365"},
       {550, "5.2.251 Sender throttled after repeated errors"},
       Phase::mail,
       O::temporary,
       E::pause_until_window,
       false,
       false,
       false,
       true},
      {"550 5.2.253 sender throttled (Office 365)",
       {"office365"},
       {550, "5.2.253 Sender throttled"},
       Phase::rcpt,
       O::temporary,
       E::pause_until_window,
       false,
       false,
       false,
       true},
      {"550 5.2.255 sender throttled (Office 365)",
       {"office365"},
       {550, "5.2.255 Sender throttled"},
       Phase::rcpt,
       O::temporary,
       E::pause_until_window,
       false,
       false,
       false,
       true},
      {"535 5.7.139 SMTP AUTH disabled (Office 365): stop, alert",
       {"office365"},
       {535,
        "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
        "Tenant."},
       Phase::auth,
       O::temporary,
       E::auth_broken,
       false,
       false,
       false,
       true},
      {"550 5.7.30 Basic auth disabled (Office 365): stop, alert",
       {"office365"},
       {550, "5.7.30 Basic authentication is not supported for Client Submission."},
       Phase::mail,
       O::temporary,
       E::auth_broken,
       false,
       false,
       false,
       true},
      {"535 any other: bad credentials, stop the route",
       kSmtpProfiles,
       {535, "5.7.8 Username and Password not accepted."},
       Phase::auth,
       O::temporary,
       E::auth_broken,
       false,
       false,
       false,
       true},
      {"535 without enhanced code (SES)",
       {"ses"},
       {535, "Authentication Credentials Invalid"},
       Phase::auth,
       O::temporary,
       E::auth_broken,
       false,
       false,
       false,
       true},
      {"454 Throttling failure: Maximum sending rate exceeded (SES): slow the route",
       {"ses"},
       {454, "Throttling failure: Maximum sending rate exceeded."},
       Phase::final_dot,
       O::temporary,
       E::slow_down,
       false},
      {"454 Throttling failure: Daily message quota exceeded (SES): defer to the window",
       {"ses"},
       {454, "Throttling failure: Daily message quota exceeded."},
       Phase::final_dot,
       O::temporary,
       E::pause_until_window,
       false},
      {"451 Maximum credits exceeded (SendGrid): pause until the UTC day resets",
       {"sendgrid"},
       {451, "Authentication failed: Maximum credits exceeded"},
       Phase::auth,
       O::temporary,
       E::pause_until_window,
       false,
       false,
       true,
       true},
      {"403 not authorized to send from that address (SendGrid): fail the message",
       {"sendgrid"},
       {403, "You are not authorized to send from that email address"},
       Phase::mail,
       O::permanent,
       E::none,
       true},
      {"550 not a verified Sender Identity (SendGrid): fail the message",
       {"sendgrid"},
       {550,
        "The from address does not match a verified Sender Identity. Mail cannot be sent "
        "until this error is resolved."},
       Phase::final_dot,
       O::permanent,
       E::none,
       true},
      {"550 SendAs denied (Office 365): fail the message",
       {"office365"},
       {550, "5.7.60 SMTP; Client does not have permissions to send as this sender"},
       Phase::mail,
       O::permanent,
       E::none,
       true},
      {"554 5.2.0 SendAsDenied (Office 365): fail the message, not a quota",
       {"office365"},
       {554, "5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied"},
       Phase::final_dot,
       O::permanent,
       E::none,
       true},
      // Generic fallbacks.
      {"any 4xx: temporary",
       kSmtpProfiles,
       {451, "4.3.0 Temporary server error"},
       Phase::rcpt,
       O::temporary,
       E::none,
       true},
      {"any 5xx: permanent",
       kSmtpProfiles,
       {550, "5.1.1 The email account does not exist"},
       Phase::rcpt,
       O::permanent,
       E::none,
       true},
      {"421 without enhanced code: back off",
       kSmtpProfiles,
       {421, "Service not available"},
       Phase::data,
       O::temporary,
       E::back_off,
       true},
      {"5xx before any message concerns the route, not the message",
       kSmtpProfiles,
       {554, "5.7.1 No SMTP service here"},
       Phase::connect,
       O::temporary,
       E::back_off,
       false,
       false,
       false,
       true},
      {"4xx at EHLO: back off",
       kSmtpProfiles,
       {451, "4.3.0 try later"},
       Phase::ehlo,
       O::temporary,
       E::back_off,
       true},
      {"530 authentication required: auth broken",
       kSmtpProfiles,
       {530, "5.7.0 Authentication required"},
       Phase::mail,
       O::temporary,
       E::auth_broken,
       false,
       false,
       false,
       true},
      {"534 application-specific password required (Gmail): auth broken",
       google,
       {534, "5.7.9 Application-specific password required."},
       Phase::auth,
       O::temporary,
       E::auth_broken,
       false,
       false,
       false,
       true},
  };
}

TEST(ProviderReplies, EveryProvidersMdRow) {
  for (const RowCase& row : rows()) {
    for (const std::string& name : row.profiles) {
      SCOPED_TRACE(name + ": " + row.providers_md_row);
      const Classification c = classify(profile(name).replies, row.reply, row.phase);
      EXPECT_EQ(c.outcome, row.outcome) << c.reason;
      EXPECT_EQ(c.route_effect, row.effect) << c.reason;
      EXPECT_EQ(c.consumes_attempt, row.consumes_attempt) << c.reason;
      EXPECT_EQ(c.split_recipients, row.split) << c.reason;
      EXPECT_EQ(c.until_utc_day_reset, row.utc_day) << c.reason;
      EXPECT_EQ(c.alert, row.alert) << c.reason;
      EXPECT_FALSE(c.reason.empty());
      if (c.route_effect == RouteEffect::pause_until_window && !c.until_utc_day_reset) {
        EXPECT_GT(c.pause, 0s) << "a pause needs a duration";
      }
    }
  }
}

TEST(ProviderReplies, QuotaRowsAreProviderSpecific) {
  // The same reply means a bounce where the provider gives it no special meaning.
  const smtp::Reply gmail_quota{550, "5.4.5 Daily user sending limit exceeded."};
  EXPECT_EQ(classify(profile("sendgrid").replies, gmail_quota, Phase::mail).outcome,
            Outcome::permanent);
  const smtp::Reply relay_denied{550, "5.7.1 Relaying denied"};
  EXPECT_EQ(classify(profile("google-workspace").replies, relay_denied, Phase::rcpt).outcome,
            Outcome::permanent);
  const smtp::Reply ses_rate{454, "Throttling failure: Maximum sending rate exceeded."};
  EXPECT_EQ(classify(profile("gmail").replies, ses_rate, Phase::final_dot).route_effect,
            RouteEffect::none);
  // Gmail's per-recipient rate 4.2.1 is not the relay's burst cap.
  const smtp::Reply rcpt_rate{450,
                              "4.2.1 The user you are trying to contact is receiving mail "
                              "too quickly."};
  EXPECT_EQ(classify(profile("google-workspace").replies, rcpt_rate, Phase::rcpt).route_effect,
            RouteEffect::none);
  // 454 4.7.0 at STARTTLS is RFC 3207's "TLS not available", not the login-attempts row.
  const smtp::Reply tls_unavailable{454, "4.7.0 TLS not available due to temporary reason"};
  const Classification c = classify(profile("gmail").replies, tls_unavailable, Phase::starttls);
  EXPECT_EQ(c.outcome, Outcome::temporary);
  EXPECT_EQ(c.route_effect, RouteEffect::back_off);
  EXPECT_EQ(c.pause, 1min);
}

// Every row of every shipped table is reachable: a reply built from the row itself is
// classified by that row, so no row is shadowed by an earlier one.
TEST(ProviderReplies, NoRowIsShadowed) {
  for (const std::string& name : config::builtin_profile_names()) {
    const ProviderProfile& p = profile(name);
    for (std::size_t i = 0; i < p.replies.rules.size(); ++i) {
      const ReplyRule& r = p.replies.rules[i];
      std::string code = r.match.codes.empty() ? "550" : r.match.codes.front();
      for (char& ch : code) ch = ch == 'x' ? '0' : ch;
      std::string text = r.match.text_prefixes.empty() ? "" : r.match.text_prefixes.front();
      if (!r.match.text_contains.empty()) text += " " + r.match.text_contains.front();
      const Phase phase = r.match.phases.empty() ? Phase::rcpt : r.match.phases.front();
      const Classification got = classify(p.replies, {std::stoi(code), text}, phase);
      EXPECT_EQ(got, r.action) << name << " row " << i << ": " << r.action.reason
                               << " shadowed by: " << got.reason;
    }
  }
}

}  // namespace
}  // namespace postern::policy
