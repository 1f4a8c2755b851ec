#include "delivery/outcomes.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/clock.hpp"

namespace postern::delivery {
namespace {

using namespace std::chrono_literals;
using store::RecipientState;
using ::testing::HasSubstr;

const auto kNow = std::chrono::system_clock::time_point{} + 24h * 20000;
const std::string kContent = "From: alice@example.com\r\nSubject: s\r\n\r\nbody\r\n";

class OutcomesTest : public ::testing::Test {
 protected:
  OutcomesTest() {
    context_.replies = &table_;
    context_.retry = &retry_;
    context_.reporting_host = "postern.test";
    context_.remote_host = "smtp.example.net";
    context_.now = kNow;
    context_.route_resume_at = kNow;
    context_.random01 = [] { return 0.5; };
  }

  Job job(std::vector<std::string> rcpts, std::string from = "alice@example.com") {
    Job j;
    j.queue_id = "Q1";
    j.mail_from = std::move(from);
    j.received_at_ms = core::to_unix_ms(kNow - 1h);
    for (std::uint32_t i = 0; i < rcpts.size(); ++i) j.recipients.push_back({i, rcpts[i], 0});
    return j;
  }

  static smtp::TransactionResult accepted_transaction(std::vector<smtp::Reply> rcpt_replies,
                                                      smtp::Reply final_reply) {
    smtp::TransactionResult r;
    r.mail_reply = smtp::Reply{250, "2.1.0 Ok"};
    for (auto& reply : rcpt_replies) r.recipients.push_back({"", reply});
    r.data_reply = smtp::Reply{354, "go ahead"};
    r.final_reply = final_reply;
    return r;
  }

  policy::ReplyTable table_;  // empty: the built-in last resort (4xx temporary, 5xx permanent)
  policy::RetrySchedule retry_;
  DecisionContext context_;
};

TEST_F(OutcomesTest, EveryRecipientDeliveredWhenRcptAndFinalDotAre2xx) {
  auto d = decide_transaction(job({"a@x.net", "b@x.net"}),
                              accepted_transaction({{250, "2.1.5 Ok"}, {250, "2.1.5 Ok"}},
                                                   {250, "2.0.0 queued"}),
                              kContent, context_);
  ASSERT_EQ(d.outcomes.size(), 2u);
  EXPECT_EQ(d.outcomes[0].state, RecipientState::delivered);
  EXPECT_EQ(d.outcomes[1].state, RecipientState::delivered);
  EXPECT_EQ(d.outcomes[1].last_reply, "250 2.0.0 queued");
  EXPECT_FALSE(d.dsn);
  EXPECT_EQ(d.delivered, 2u);
}

TEST_F(OutcomesTest, MixedRecipientsGiveOneDsnForTheFailedOnly) {
  auto d = decide_transaction(
      job({"ok@x.net", "later@x.net", "gone@x.net"}),
      accepted_transaction({{250, "2.1.5 Ok"}, {450, "4.2.1 busy"}, {550, "5.1.1 no such user"}},
                           {250, "2.0.0 queued"}),
      kContent, context_);
  ASSERT_EQ(d.outcomes.size(), 3u);
  EXPECT_EQ(d.outcomes[0].state, RecipientState::delivered);
  EXPECT_EQ(d.outcomes[1].state, RecipientState::queued);
  // First retry: 1 minute ±10 %; random01 = 0.5 gives the nominal delay.
  EXPECT_EQ(d.outcomes[1].next_attempt_at_ms, core::to_unix_ms(kNow + 1min));
  EXPECT_EQ(d.outcomes[2].state, RecipientState::failed);
  ASSERT_TRUE(d.dsn);
  EXPECT_EQ(d.dsn->mail_from, "");
  EXPECT_EQ(d.dsn->rcpt_to, std::vector<std::string>{"alice@example.com"});
  EXPECT_THAT(d.dsn->content, HasSubstr("Final-Recipient: rfc822; gone@x.net"));
  EXPECT_THAT(d.dsn->content, ::testing::Not(HasSubstr("later@x.net")));
}

TEST_F(OutcomesTest, AmbiguousEndOfDataIsRetriedNotLost) {
  auto result = accepted_transaction({{250, "2.1.5 Ok"}}, {250, "unused"});
  result.final_reply.reset();
  result.ambiguous = true;
  auto d = decide_transaction(job({"a@x.net"}), result, kContent, context_);
  EXPECT_EQ(d.outcomes[0].state, RecipientState::queued);
  EXPECT_THAT(d.outcomes[0].last_reply, HasSubstr("ambiguous"));
  EXPECT_FALSE(d.dsn);
}

TEST_F(OutcomesTest, TemporaryFailurePastTheLifetimeExpiresWithADsn) {
  Job j = job({"a@x.net"});
  j.received_at_ms = core::to_unix_ms(kNow - 24h * 6);
  auto d = decide_transaction(j, accepted_transaction({{250, "ok"}}, {451, "4.3.0 try later"}),
                              kContent, context_);
  EXPECT_EQ(d.outcomes[0].state, RecipientState::failed);
  EXPECT_THAT(d.outcomes[0].last_reply, HasSubstr("expired"));
  ASSERT_TRUE(d.dsn);
  EXPECT_THAT(d.dsn->content, HasSubstr("Status: 5.4.7"));
}

TEST_F(OutcomesTest, NextAttemptNeverGoesPastTheLifetime) {
  Job j = job({"a@x.net"});
  j.received_at_ms = core::to_unix_ms(kNow - 24h * 5 + 10s);
  auto d = decide_transaction(j, accepted_transaction({{250, "ok"}}, {451, "4.3.0 later"}),
                              kContent, context_);
  EXPECT_EQ(d.outcomes[0].state, RecipientState::queued);
  EXPECT_EQ(d.outcomes[0].next_attempt_at_ms, core::to_unix_ms(kNow + 10s));
}

TEST_F(OutcomesTest, NoDsnForTheNullSenderOrForADsn) {
  auto failing = accepted_transaction({{550, "5.1.1 no"}}, {250, "ok"});
  auto d = decide_transaction(job({"a@x.net"}, ""), failing, kContent, context_);
  EXPECT_EQ(d.outcomes[0].state, RecipientState::failed);
  EXPECT_FALSE(d.dsn);
  Job dsn_job = job({"a@x.net"});
  dsn_job.is_dsn = true;
  EXPECT_FALSE(decide_transaction(dsn_job, failing, kContent, context_).dsn);
}

TEST_F(OutcomesTest, QuotaDeferralWaitsForTheRouteWindowInsteadOfFailing) {
  // The providers.md row: Gmail 550 5.4.5 is a quota, not a bounce.
  policy::ReplyRule rule;
  rule.match.codes = {"550"};
  rule.match.text_prefixes = {"5.4.5"};
  rule.action.outcome = policy::Outcome::temporary;
  rule.action.route_effect = policy::RouteEffect::pause_until_window;
  rule.action.consumes_attempt = false;
  table_.rules.push_back(rule);
  context_.route_resume_at = kNow + 3h;
  auto d = decide_transaction(
      job({"a@x.net"}),
      accepted_transaction({{250, "ok"}}, {550, "5.4.5 Daily user sending limit exceeded"}),
      kContent, context_);
  EXPECT_EQ(d.outcomes[0].state, RecipientState::queued);
  EXPECT_EQ(d.outcomes[0].next_attempt_at_ms, core::to_unix_ms(kNow + 3h));
  ASSERT_TRUE(d.route_signal);
  EXPECT_EQ(d.route_signal->route_effect, policy::RouteEffect::pause_until_window);
  EXPECT_FALSE(d.dsn);
}

TEST_F(OutcomesTest, SessionFailuresNeverBounceTheMessage) {
  context_.route_resume_at = kNow + 5min;
  auto d = decide_session_failure(job({"a@x.net"}), smtp::SessionFailure::auth_failed,
                                  smtp::Reply{535, "5.7.8 bad credentials"}, kContent, context_);
  EXPECT_EQ(d.outcomes[0].state, RecipientState::queued);
  EXPECT_EQ(d.outcomes[0].next_attempt_at_ms, core::to_unix_ms(kNow + 5min));
  EXPECT_FALSE(d.dsn);
  auto lost = decide_session_failure(job({"a@x.net"}), smtp::SessionFailure::starttls_not_offered,
                                     std::nullopt, kContent, context_);
  EXPECT_EQ(lost.outcomes[0].state, RecipientState::queued);
  EXPECT_EQ(lost.outcomes[0].last_reply, "STARTTLS not offered");
}

}  // namespace
}  // namespace postern::delivery
