// The accept pipeline against a real SQLite store in a temporary directory.

#include "server/accept.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>

#include "store/store_test_support.hpp"

namespace postern::server {
namespace {

using store::testing::TempDir;

struct Outcome {
  smtp::Reply reply;
  std::string queue_id;
};

class AcceptTest : public ::testing::Test {
 protected:
  void open(std::optional<std::uint32_t> max_pages = std::nullopt) {
    auto options = store::testing::options_for(dir_);
    options.max_page_count = max_pages;
    store_ = store::testing::must_open(options);
  }

  Outcome accept(std::string content, std::string mail_from = "alice@example.com") {
    smtp::StoreMessage message;
    message.envelope.helo = "client.example";
    message.envelope.esmtp = true;
    message.envelope.mail_from = std::move(mail_from);
    message.envelope.rcpt_to = {"bob@example.net"};
    message.account = "alice";
    message.content = std::move(content);
    ClientFacts client{.address = "192.0.2.7",
                       .tls_version = "TLSv1.3",
                       .tls_cipher = "TLS_AES_256_GCM_SHA384",
                       .authenticated = true};
    std::promise<Outcome> done;
    accept_message(AcceptOptions{.hostname = "postern.test"}, *store_, rules_, client,
                   std::move(message), std::chrono::system_clock::now(),
                   [&](smtp::Reply reply, std::string id) {
                     done.set_value({std::move(reply), std::move(id)});
                   });
    return done.get_future().get();
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  policy::SenderRules rules_ = *policy::SenderRules::parse("alice@example.com");
};

TEST_F(AcceptTest, StoresTheMessageWithAddedHeadersAndAnswers250) {
  open();
  const std::string body = "From: alice@example.com\r\nSubject: hi\r\n\r\n..dot\r\n";
  Outcome outcome = accept(body);
  ASSERT_EQ(outcome.reply.code, 250) << outcome.reply.text;
  EXPECT_EQ(outcome.reply.text, "2.0.0 Ok: queued as " + outcome.queue_id);
  auto stored = store_->load_message(outcome.queue_id);
  ASSERT_TRUE(stored.ok());
  const std::string& content = stored->content;
  EXPECT_THAT(content, ::testing::StartsWith("Received: from client.example ([192.0.2.7])\r\n"));
  EXPECT_THAT(content, ::testing::HasSubstr("with ESMTPSA id " + outcome.queue_id));
  EXPECT_THAT(content, ::testing::HasSubstr("\r\nMessage-ID: <" + outcome.queue_id +
                                                "@postern.test>\r\n"));
  EXPECT_THAT(content, ::testing::HasSubstr("\r\nDate: "));
  // The added fields close the header section; the submitted bytes are otherwise untouched.
  EXPECT_THAT(content, ::testing::HasSubstr("\r\nFrom: alice@example.com\r\nSubject: hi\r\n"
                                            "Message-ID: "));
  EXPECT_THAT(content, ::testing::EndsWith("\r\n\r\n..dot\r\n"));
  EXPECT_EQ(stored->mail_from, "alice@example.com");
  ASSERT_EQ(stored->recipients.size(), 1u);
  EXPECT_EQ(stored->recipients[0].address, "bob@example.net");
}

TEST_F(AcceptTest, HeaderFromOfAnotherAccountIsRefusedAndNothingStored) {
  open();
  Outcome outcome = accept("From: mallory@example.com\r\n\r\nx\r\n");
  EXPECT_EQ(outcome.reply.code, 550);
  EXPECT_THAT(outcome.reply.text, ::testing::StartsWith("5.7.1 "));
  EXPECT_TRUE(outcome.queue_id.empty());
  EXPECT_TRUE(store_->list_messages(10)->empty());
}

TEST_F(AcceptTest, EveryFromAddressMustBeAllowed) {
  open();
  EXPECT_EQ(accept("From: alice@example.com, eve@example.com\r\n\r\nx\r\n").reply.code, 550);
  EXPECT_EQ(accept("From: undisclosed:;\r\n\r\nx\r\n").reply.code, 550);  // no mailbox
  EXPECT_EQ(accept("Subject: no from at all\r\n\r\nx\r\n").reply.code, 250);
}

TEST_F(AcceptTest, FullStoreAnswers452AndKeepsNothing) {
  open(64);  // pages of 4 KiB: far below one 1 MiB message
  Outcome outcome = accept("From: alice@example.com\r\n\r\n" + std::string(1 << 20, 'x') + "\r\n");
  EXPECT_EQ(outcome.reply.code, 452);
  EXPECT_EQ(outcome.reply.text, "4.3.1 Insufficient system storage");
  EXPECT_TRUE(store_->list_messages(10)->empty());
  // A small message still fits afterwards.
  EXPECT_EQ(accept("From: alice@example.com\r\n\r\nsmall\r\n").reply.code, 250);
}

}  // namespace
}  // namespace postern::server
