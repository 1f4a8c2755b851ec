#include "mime/prepare.hpp"

#include <gtest/gtest.h>

#include "mime/header_view.hpp"

namespace postern::mime {
namespace {

using namespace std::string_literals;

const std::chrono::system_clock::time_point kTime{std::chrono::seconds(1795953600)};
constexpr std::string_view kMessageId = "Message-ID: <01JD2S3ZK5Q8W7E4C9XN@mail.example>\r\n";
constexpr std::string_view kDate = "Date: Sun, 29 Nov 2026 12:00:00 +0000\r\n";

PrepareInput input() {
  PrepareInput in;
  in.received.helo = "client.example";
  in.received.client_ip = "192.0.2.1";
  in.received.by_host = "mail.example";
  in.received.queue_id = "01JD2S3ZK5Q8W7E4C9XN";
  in.received.time = kTime;
  return in;
}

std::string received() { return make_received_header(input().received); }

TEST(MessageId, Format) {
  EXPECT_EQ(make_message_id("01JD2S3ZK5Q8W7E4C9XN", "mail.example"),
            "<01JD2S3ZK5Q8W7E4C9XN@mail.example>");
  EXPECT_EQ(make_message_id("Q1", "bad host>name."), "<Q1@bad-host-name>");
  EXPECT_EQ(make_message_id("Q1", ""), "<Q1@localhost>");
}

struct PrepareCase {
  const char* name;
  std::string content;
  std::string want_after_received;
};

TEST(PrepareForQueue, Table) {
  const std::string mid(kMessageId);
  const std::string date(kDate);
  const PrepareCase cases[] = {
      {"complete message is untouched",
       "From: a@b\r\nMessage-ID: <x@y>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\nbody\r\n",
       "From: a@b\r\nMessage-ID: <x@y>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\nbody\r\n"},
      {"both missing", "From: a@b\r\nSubject: s\r\n\r\nbody\r\n",
       "From: a@b\r\nSubject: s\r\n" + mid + date + "\r\nbody\r\n"},
      {"date missing", "message-id: <x@y>\r\n\r\nb\r\n", "message-id: <x@y>\r\n" + date + "\r\nb\r\n"},
      {"id missing, folded last field", "DATE: x\r\nSubject: a\r\n b\r\n\r\n",
       "DATE: x\r\nSubject: a\r\n b\r\n" + mid + "\r\n"},
      {"empty message", "", mid + date},
      {"fields only", "Subject: s\r\n", "Subject: s\r\n" + mid + date},
      {"fields only, no final CRLF", "Subject: s", "Subject: s\r\n" + mid + date},
      {"body only, no separator", "Hello\r\n", mid + date + "\r\nHello\r\n"},
      {"empty header section", "\r\nbody\r\n", mid + date + "\r\nbody\r\n"},
      {"invalid line ends the header section", "Subject: s\r\nno colon here\r\nmore\r\n",
       "Subject: s\r\n" + mid + date + "\r\nno colon here\r\nmore\r\n"},
      {"body bytes are kept exactly", "Subject: s\r\n\r\n\x00\xff\r\n..\r\n\r\n\r\n"s,
       "Subject: s\r\n" + mid + date + "\r\n\x00\xff\r\n..\r\n\r\n\r\n"s},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(prepare_for_queue(c.content, input()), received() + c.want_after_received) << c.name;
  }
}

TEST(PrepareForQueue, CompleteMessageKeepsEveryByteWithoutSeparator) {
  // Even a complete message without a body separator that ends unterminated stays exact when
  // nothing is added.
  const std::string content = "Message-ID: <x@y>\r\nDate: d";
  EXPECT_EQ(prepare_for_queue(content, input()), received() + content);
}

TEST(PrepareForQueue, AddingCanBeTurnedOff) {
  PrepareInput in = input();
  in.add_message_id = false;
  in.add_date = false;
  EXPECT_EQ(prepare_for_queue("Subject: s\r\n\r\nb\r\n", in), received() + "Subject: s\r\n\r\nb\r\n");
}

TEST(PrepareForQueue, ResultInspectsAsComplete) {
  const std::string stored = prepare_for_queue("From: a@b.test\r\n\r\nhi\r\n", input());
  const HeaderView view = inspect_headers(stored);
  EXPECT_TRUE(view.has_message_id);
  EXPECT_EQ(view.message_id, "<01JD2S3ZK5Q8W7E4C9XN@mail.example>");
  EXPECT_TRUE(view.has_date);
  EXPECT_EQ(view.from_count, 1u);
  EXPECT_TRUE(view.has_separator);
  EXPECT_EQ(stored.substr(stored.size() - 6), "\r\nhi\r\n");
}

}  // namespace
}  // namespace postern::mime
