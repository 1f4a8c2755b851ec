#include "mime/header_view.hpp"

#include "mime/address_list.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace postern::mime {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(HeaderView, TypicalSubmission) {
  const HeaderView view = inspect_headers(
      "From: \"Alice A.\" <alice@example.com>\r\n"
      "To: bob@example.org\r\n"
      "Subject: hello\r\n"
      "Message-ID: <123@example.com>\r\n"
      "Date: Sun, 29 Nov 2026 12:00:00 +0000\r\n"
      "\r\n"
      "From: not-a-header@body.example\r\n");
  EXPECT_TRUE(view.has_message_id);
  EXPECT_EQ(view.message_id, "<123@example.com>");
  EXPECT_TRUE(view.has_date);
  EXPECT_EQ(view.from_count, 1u);
  EXPECT_THAT(view.from_addresses, ElementsAre("alice@example.com"));
  EXPECT_FALSE(view.from_malformed);
  EXPECT_TRUE(view.has_separator);
}

TEST(HeaderView, FoldedFromAndCaseInsensitiveNames) {
  const HeaderView view = inspect_headers(
      "FROM: Alice\r\n <alice@example.com>,\r\n\t\"Bob\r\n Jr\" <bob@example.org>\r\n"
      "message-id:\r\n <abc@x>\r\n"
      "\r\n");
  EXPECT_THAT(view.from_addresses, ElementsAre("alice@example.com", "bob@example.org"));
  EXPECT_FALSE(view.from_malformed);
  EXPECT_TRUE(view.has_message_id);
  EXPECT_EQ(view.message_id, "<abc@x>");
  EXPECT_FALSE(view.has_date);
}

TEST(HeaderView, MissingHeaders) {
  const HeaderView view = inspect_headers("Subject: x\r\n\r\nbody\r\n");
  EXPECT_FALSE(view.has_message_id);
  EXPECT_FALSE(view.has_date);
  EXPECT_EQ(view.from_count, 0u);
  EXPECT_THAT(view.from_addresses, IsEmpty());
  EXPECT_FALSE(view.from_malformed);
}

TEST(HeaderView, SeveralFromFieldsAreCounted) {
  const HeaderView view = inspect_headers("From: a@x.test\r\nFrom: b@y.test\r\n\r\n");
  EXPECT_EQ(view.from_count, 2u);
  EXPECT_THAT(view.from_addresses, ElementsAre("a@x.test", "b@y.test"));
}

TEST(HeaderView, EmptyOrJunkFromIsMalformed) {
  EXPECT_TRUE(inspect_headers("From:\r\n\r\n").from_malformed);
  EXPECT_TRUE(inspect_headers("From: nobody\r\n\r\n").from_malformed);
  EXPECT_TRUE(inspect_headers("From: undisclosed:;\r\n\r\n").from_malformed);
}

TEST(HeaderView, NoHeaderSectionAtAll) {
  for (const char* message : {"", "\r\n", "just a body line\r\n", "\r\nFrom: a@b\r\n"}) {
    const HeaderView view = inspect_headers(message);
    EXPECT_EQ(view.from_count, 0u) << message;
    EXPECT_FALSE(view.has_message_id) << message;
    EXPECT_FALSE(view.has_date) << message;
  }
}

TEST(HeaderView, HeadersAfterAnInvalidLineAreBody) {
  const HeaderView view = inspect_headers("Subject: x\r\nnot a header\r\nFrom: a@b.test\r\n\r\n");
  EXPECT_EQ(view.from_count, 0u);
  EXPECT_FALSE(view.has_separator);
}

TEST(HeaderView, ManyFromFieldsKeepAtMostTheLimit) {
  std::string message;
  for (std::size_t i = 0; i < kMaxAddresses + 3; ++i) message += "From: a@b.test\r\n";
  const HeaderView view = inspect_headers(message);
  EXPECT_EQ(view.from_count, kMaxAddresses + 3);
  EXPECT_EQ(view.from_addresses.size(), kMaxAddresses);
  EXPECT_TRUE(view.from_malformed);
}

}  // namespace
}  // namespace postern::mime
