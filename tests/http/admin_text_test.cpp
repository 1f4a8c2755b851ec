// What `postern queue` and `postern capture` print, from the admin API's JSON.
#include "http/admin_text.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "http/admin_json.hpp"

namespace postern::http {
namespace {

namespace json = boost::json;

constexpr std::uint64_t kT0 = 1'700'000'000'000;  // 2023-11-14T22:13:20.000Z

TEST(AdminText, Rfc3339RoundTripsAndRejectsOtherForms) {
  EXPECT_EQ(rfc3339(kT0 + 123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(parse_rfc3339_ms(rfc3339(kT0 + 123)), kT0 + 123);
  EXPECT_EQ(parse_rfc3339_ms("2023-11-14T22:13:20Z"), kT0);
  EXPECT_EQ(parse_rfc3339_ms("2023-11-14T22:13:20.5Z"), kT0 + 500);
  for (const char* bad : {"", "2023-11-14", "2023-11-14T22:13:20", "2023-11-14T22:13:20+01:00",
                          "2023-11-14T22:13:20.123Zjunk", "x"}) {
    EXPECT_FALSE(parse_rfc3339_ms(bad).has_value()) << bad;
  }
}

TEST(AdminText, ShortDurations) {
  const std::pair<std::uint64_t, const char*> cases[] = {
      {0, "0s"},         {59'999, "59s"},     {60'000, "1m"},     {3'599'000, "59m"},
      {3'600'000, "1h"}, {3'900'000, "1h5m"}, {86'400'000, "1d"}, {90'000'000, "1d1h"},
  };
  for (const auto& [ms, want] : cases) EXPECT_EQ(short_duration(ms), want) << ms;
}

store::MessageRecord sample() {
  store::MessageRecord m;
  m.queue_id = "01ABCDEFGHJKMNPQRSTV";
  m.mail_from = "app@example.com";
  m.received_at_ms = kT0;
  m.size = 42;
  m.recipients = {
      {"a@x", store::RecipientState::queued, 1, kT0 + 240'000, "451 4.3.0 later", kT0},
      {"b@x", store::RecipientState::queued, 0, kT0, "", kT0},
      {"c@x", store::RecipientState::delivered, 1, 0, "250 ok", kT0},
  };
  return m;
}

TEST(AdminText, QueueTable) {
  store::MessageRecord held = sample();
  held.queue_id = "HELD";
  held.mail_from = "";
  held.kind = store::MessageKind::dsn;
  for (auto& r : held.recipients) r.state = store::RecipientState::held;
  const json::value body =
      json::object{{"messages", json::array{message_json(sample()), message_json(held)}}};
  EXPECT_EQ(queue_table(body, kT0 + 180'000),
            "QUEUE ID              AGE  SENDER           RECIPIENTS             NEXT ATTEMPT\n"
            "01ABCDEFGHJKMNPQRSTV  3m   app@example.com  2 queued, 1 delivered  now\n"
            "HELD (dsn)            3m   <>               3 held                 -\n");
  EXPECT_EQ(queue_table(json::object{{"messages", json::array{}}}, kT0), "queue is empty\n");
  EXPECT_EQ(states_text(json::object{{"failed", 2}, {"queued", 1}}), "1 queued, 2 failed");
}

TEST(AdminText, MessageShowsEveryRecipient) {
  const std::string text = message_text(message_json(sample()), kT0 + 60'000);
  EXPECT_NE(text.find("Queue ID:   01ABCDEFGHJKMNPQRSTV\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Sender:     <app@example.com>\n"), std::string::npos) << text;
  EXPECT_NE(text.find("(1m ago)"), std::string::npos) << text;
  EXPECT_NE(text.find("<a@x>  queued     1 attempt, next 2023-11-14T22:17:20.000Z (in 3m), "
                      "last reply: 451 4.3.0 later"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("<c@x>  delivered  1 attempt, last reply: 250 ok"), std::string::npos)
      << text;
}

TEST(AdminText, VerbsAndErrors) {
  EXPECT_EQ(verb_text(json::object{{"action", "hold"}, {"changed", 2}, {"queue_id", "Q"}}),
            "held 2 recipients of Q\n");
  EXPECT_EQ(verb_text(json::object{{"action", "flush"}, {"changed", 1}}),
            "flushed: 1 recipient due now\n");
  EXPECT_EQ(reply_error_text({404, "application/json",
                              R"({"error":"not_found","message":"no such message: Q"})"}),
            "no such message: Q");
  EXPECT_EQ(reply_error_text({502, "text/html", "<html>"}), "the admin API answered 502");
  const AdminEndpoint endpoint{"d/admin.sock", "d"};
  EXPECT_NE(call_error_text(endpoint, std::make_error_code(std::errc::device_or_resource_busy))
                .find("does not answer"),
            std::string::npos);
}

TEST(AdminText, MistypedFieldsPrintAsQuestionMarks) {
  const json::value body = json::parse(R"({"messages":[{"queue_id":7,"states":[]}]})");
  const std::string table = queue_table(body, kT0);
  EXPECT_EQ(table.substr(table.find('\n') + 1, 1), "?") << table;  // the id column
  EXPECT_NE(table.find("none"), std::string::npos) << table;       // states not an object
}

}  // namespace
}  // namespace postern::http
