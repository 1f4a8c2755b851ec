#include "smtp/reply.hpp"

#include <gtest/gtest.h>

#include "smtp/replies.hpp"

namespace postern::smtp {
namespace {

struct FormatCase {
  Reply reply;
  const char* wire;
};

TEST(Reply, FormatsSingleAndMultiLine) {
  const FormatCase cases[] = {
      {{250, "2.0.0 Ok"}, "250 2.0.0 Ok\r\n"},
      {{250, "a\nb"}, "250-a\r\n250 b\r\n"},
      {{250, "a\nb\nc"}, "250-a\r\n250-b\r\n250 c\r\n"},
      {{334, ""}, "334 \r\n"},
      {{250, "a\n"}, "250-a\r\n250 \r\n"},
  };
  for (const auto& c : cases) EXPECT_EQ(format_reply(c.reply), c.wire) << c.reply.text;
}

TEST(Reply, EhloAdvertisesByTlsState) {
  EXPECT_EQ(format_reply(replies::ehlo("mx.test", 1000, false)),
            "250-mx.test\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
            "250-ENHANCEDSTATUSCODES\r\n250 STARTTLS\r\n");
  EXPECT_EQ(format_reply(replies::ehlo("mx.test", 1000, true)),
            "250-mx.test\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
            "250-ENHANCEDSTATUSCODES\r\n250 AUTH PLAIN LOGIN\r\n");
}

// The replies pinned by the smtp-checklist, spelled exactly.
TEST(Reply, PinnedTexts) {
  EXPECT_EQ(format_reply(replies::starttls_required()),
            "530 5.7.0 Must issue a STARTTLS command first\r\n");
  EXPECT_EQ(format_reply(replies::auth_required()), "530 5.7.0 Authentication required\r\n");
  EXPECT_EQ(format_reply(replies::bare_line_ending_in_message()),
            "554 5.5.2 bare CR or LF in message\r\n");
  const struct {
    Reply reply;
    int code;
    const char* enhanced;
  } prefixes[] = {
      {replies::tls_already_active(), 503, "5.5.1 "},
      {replies::auth_cancelled(), 501, "5.0.0 "},
      {replies::auth_bad_base64(), 501, "5.5.2 "},
      {replies::auth_malformed(), 501, "5.5.2 "},
      {replies::auth_failed(), 535, "5.7.8 "},
      {replies::too_many_auth_failures(), 421, "4.7.0 "},
      {replies::sender_not_allowed(), 550, "5.7.1 "},
      {replies::command_too_long(), 500, "5.5.6 "},
      {replies::bare_line_ending_in_command(), 500, "5.5.2 "},
      {replies::too_many_recipients(), 452, "4.5.3 "},
      {replies::message_too_big(), 552, "5.3.4 "},
      {replies::address_too_long(), 501, "5.1.3 "},
      {replies::store_failed(), 451, "4.3.0 "},
      {replies::store_full(), 452, "4.3.1 "},
      {replies::vrfy(), 252, "2.5.0 "},
      {replies::bye(), 221, "2.0.0 "},
      {replies::timeout("h"), 421, "4.4.2 "},
      {replies::too_many_errors(), 421, "4.7.0 "},
      {replies::bad_sender_syntax(), 501, "5.1.7 "},
      {replies::bad_recipient_syntax(), 501, "5.1.3 "},
      {replies::unsupported_parameter(), 555, "5.5.4 "},
  };
  for (const auto& p : prefixes) {
    EXPECT_EQ(p.reply.code, p.code) << p.reply.text;
    EXPECT_EQ(p.reply.text.rfind(p.enhanced, 0), 0U) << p.reply.text;
  }
}

TEST(Reply, ClosingCodes) {
  EXPECT_TRUE(closes_connection(replies::timeout("h")));
  EXPECT_FALSE(closes_connection(replies::store_failed()));
}

TEST(ReplyDeathTest, RefusesMalformedReply) {
  EXPECT_DEATH((void)format_reply({99, "x"}), "");
  EXPECT_DEATH((void)format_reply({250, "a\rb"}), "");
}

}  // namespace
}  // namespace postern::smtp
