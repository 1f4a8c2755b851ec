// The classifier's matching rules and its last resort, on hand-written tables. The shipped
// tables (profiles/*.toml) are tested row by row in provider_replies_test.cpp.

#include "policy/classify.hpp"

#include <gtest/gtest.h>

namespace postern::policy {
namespace {

using namespace std::chrono_literals;

ReplyRule rule(ReplyMatch match, Outcome outcome, RouteEffect effect, std::string reason) {
  Classification c;
  c.outcome = outcome;
  c.route_effect = effect;
  c.reason = std::move(reason);
  return {std::move(match), c};
}

struct MatchCase {
  ReplyMatch match;
  int code;
  const char* text;
  Phase phase;
  bool want;
};

TEST(ReplyMatching, Table) {
  const MatchCase cases[] = {
      {{{"550"}, {}, {}, {}}, 550, "5.1.1 no", Phase::rcpt, true},
      {{{"550"}, {}, {}, {}}, 551, "5.1.1 no", Phase::rcpt, false},
      {{{"5xx"}, {}, {}, {}}, 554, "x", Phase::rcpt, true},
      {{{"5xx"}, {}, {}, {}}, 454, "x", Phase::rcpt, false},
      {{{"4x1"}, {}, {}, {}}, 451, "x", Phase::rcpt, true},
      {{{"4x1"}, {}, {}, {}}, 452, "x", Phase::rcpt, false},
      {{{"421", "454"}, {}, {}, {}}, 454, "", Phase::auth, true},
      {{{"bad"}, {}, {}, {}}, 550, "", Phase::rcpt, false},
      {{{"55"}, {}, {}, {}}, 550, "", Phase::rcpt, false},
      // Prefixes: case-insensitive, on the first line, whole enhanced codes only.
      {{{}, {"5.4.5"}, {}, {}}, 550, "5.4.5 Daily user sending limit exceeded", Phase::mail, true},
      {{{}, {"5.4.5"}, {}, {}}, 550, "5.4.50 something else", Phase::mail, false},
      {{{}, {"5.4.5"}, {}, {}}, 550, "5.4.5", Phase::mail, true},
      {{{}, {"5.4"}, {}, {}}, 550, "5.4.5 x", Phase::mail, true},
      {{{}, {"5.4.5"}, {}, {}}, 550, "5.4.", Phase::mail, false},
      {{{}, {"throttling"}, {}, {}}, 454, "Throttling failure", Phase::data, true},
      {{{}, {"5.7.1"}, {}, {}}, 550, "first line\n5.7.1 second", Phase::rcpt, false},
      {{{}, {"5.2.251", "5.2.255"}, {}, {}}, 550, "5.2.255 blocked", Phase::rcpt, true},
      // Contains: case-insensitive, across lines joined by a space.
      {{{}, {}, {"maximum credits"}, {}},
       451,
       "Authentication failed: Maximum credits exceeded",
       Phase::mail,
       true},
      {{{}, {}, {"limit exceeded"}, {}},
       550,
       "5.7.1 Daily SMTP relay limit\nexceeded for user",
       Phase::mail,
       true},
      {{{}, {}, {"nothing"}, {}}, 550, "5.7.1 no", Phase::mail, false},
      // Phases.
      {{{"454"}, {}, {}, {Phase::auth}}, 454, "4.7.0 x", Phase::auth, true},
      {{{"454"}, {}, {}, {Phase::auth}}, 454, "4.7.0 x", Phase::starttls, false},
      {{{"5xx"}, {}, {}, {Phase::connect, Phase::ehlo}}, 554, "x", Phase::ehlo, true},
      // All conditions must hold.
      {{{"550"}, {"5.7.1"}, {"relay limit"}, {}},
       550,
       "5.7.1 Daily SMTP relay limit",
       Phase::rcpt,
       true},
      {{{"550"}, {"5.7.1"}, {"relay limit"}, {}}, 550, "5.7.1 Relaying denied", Phase::rcpt, false},
      {{{"550"}, {"5.7.1"}, {"relay limit"}, {}},
       554,
       "5.7.1 Daily SMTP relay limit",
       Phase::rcpt,
       false},
  };
  for (const MatchCase& c : cases) {
    EXPECT_EQ(matches(c.match, smtp::Reply{c.code, c.text}, c.phase), c.want)
        << c.code << " " << c.text << " in " << to_string(c.phase);
  }
}

TEST(Classify, FirstMatchingRowWins) {
  ReplyTable table;
  table.rules.push_back(rule({{"550"}, {"5.4.5"}, {}, {}}, Outcome::temporary,
                             RouteEffect::pause_until_window, "quota"));
  table.rules.push_back(rule({{"5xx"}, {}, {}, {}}, Outcome::permanent, RouteEffect::none, "5xx"));
  EXPECT_EQ(classify(table, {550, "5.4.5 Daily limit"}, Phase::mail).reason, "quota");
  EXPECT_EQ(classify(table, {550, "5.1.1 User unknown"}, Phase::rcpt).reason, "5xx");
}

TEST(Classify, PositiveRepliesNeverConsultTheTable) {
  ReplyTable table;
  table.rules.push_back(rule({{"2xx"}, {}, {}, {}}, Outcome::permanent, RouteEffect::none, "x"));
  for (int code : {220, 250, 235, 354, 334}) {
    const Classification c = classify(table, {code, "ok"}, Phase::final_dot);
    EXPECT_EQ(c.outcome, Outcome::delivered) << code;
    EXPECT_EQ(c.route_effect, RouteEffect::none);
    EXPECT_FALSE(c.consumes_attempt);
  }
}

TEST(Classify, LastResortByFirstDigitWhenNoRowMatches) {
  const ReplyTable empty;
  struct Case {
    int code;
    Outcome outcome;
    RouteEffect effect;
  };
  const Case cases[] = {
      {250, Outcome::delivered, RouteEffect::none},
      {421, Outcome::temporary, RouteEffect::none},
      {451, Outcome::temporary, RouteEffect::none},
      {550, Outcome::permanent, RouteEffect::none},
      {554, Outcome::permanent, RouteEffect::none},
      {0, Outcome::temporary, RouteEffect::back_off},    // no reply at all
      {199, Outcome::temporary, RouteEffect::back_off},  // not an SMTP class
      {600, Outcome::temporary, RouteEffect::back_off},
  };
  for (const Case& c : cases) {
    const Classification got = classify(empty, {c.code, "text"}, Phase::rcpt);
    EXPECT_EQ(got.outcome, c.outcome) << c.code;
    EXPECT_EQ(got.route_effect, c.effect) << c.code;
    EXPECT_FALSE(got.reason.empty());
  }
}

TEST(RouteResumeAt, FixedPauseAndUtcDayReset) {
  using std::chrono::system_clock;
  // 2026-11-29 13:45:10 UTC.
  const system_clock::time_point now =
      system_clock::time_point(std::chrono::sys_days(std::chrono::year(2026) / 11 / 29)) + 13h +
      45min + 10s;
  Classification c;
  c.route_effect = RouteEffect::pause_until_window;
  c.pause = 1h;
  EXPECT_EQ(route_resume_at(c, now), now + 1h);
  c.until_utc_day_reset = true;
  EXPECT_EQ(route_resume_at(c, now),
            system_clock::time_point(std::chrono::sys_days(std::chrono::year(2026) / 11 / 30)));
  // Exactly at midnight: the next one, never "now".
  const auto midnight =
      system_clock::time_point(std::chrono::sys_days(std::chrono::year(2026) / 11 / 30));
  EXPECT_EQ(route_resume_at(c, midnight), midnight + 24h);
}

TEST(Names, RoundTrip) {
  for (Phase p : {Phase::connect, Phase::ehlo, Phase::starttls, Phase::auth, Phase::mail,
                  Phase::rcpt, Phase::data, Phase::final_dot}) {
    EXPECT_EQ(parse_phase(to_string(p)), p);
  }
  for (Outcome o : {Outcome::delivered, Outcome::temporary, Outcome::permanent}) {
    EXPECT_EQ(parse_outcome(to_string(o)), o);
  }
  for (RouteEffect e :
       {RouteEffect::none, RouteEffect::slow_down, RouteEffect::pause_until_window,
        RouteEffect::back_off, RouteEffect::auth_broken, RouteEffect::reduce_concurrency}) {
    EXPECT_EQ(parse_route_effect(to_string(e)), e);
  }
  EXPECT_FALSE(parse_phase("DATA"));
  EXPECT_FALSE(parse_route_effect("pause"));
}

TEST(CodePatterns, Validity) {
  for (const char* ok : {"550", "5xx", "xxx", "4x1", "403", "250"}) {
    EXPECT_TRUE(valid_code_pattern(ok)) << ok;
  }
  for (const char* bad : {"", "55", "5500", "650", "150", "5X0", "a50", "5.5"}) {
    EXPECT_FALSE(valid_code_pattern(bad)) << bad;
  }
}

}  // namespace
}  // namespace postern::policy
