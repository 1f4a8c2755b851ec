// ClientSession against the project's own ServerSession, in-process: the two state machines
// must agree on STARTTLS, AUTH, pipelining, recipient limits and the body, whatever the size
// of the pieces the bytes travel in. The content the server stores must be the canonical
// form of what the client was given (bare CR/LF turned into CRLF, dots unstuffed again).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "smtp/client_session.hpp"
#include "smtp/replies.hpp"
#include "smtp/server_session.hpp"

namespace postern::smtp {
namespace {

class Loopback {
 public:
  Loopback(ClientConfig client_config, SessionConfig server_config, std::size_t piece)
      : client_(std::move(client_config)), server_(std::move(server_config)), piece_(piece) {
    server_.on_connect();
  }

  // Moves bytes and performs actions until neither side has anything to say.
  void settle() {
    for (int round = 0; round < 10000; ++round) {
      bool moved = deliver(server_.take_output(), [&](std::string_view b) { client_.on_bytes(b); });
      moved |= deliver(client_.take_output(), [&](std::string_view b) { server_.on_bytes(b); });
      moved |= server_actions();
      moved |= client_actions();
      if (!moved) return;
    }
    FAIL() << "the sessions never settled";
  }

  ClientSession& client() { return client_; }
  std::vector<StoreMessage> stored;
  bool client_closed_action = false;

 private:
  template <typename Sink>
  bool deliver(const std::string& bytes, Sink sink) {
    for (std::size_t i = 0; i < bytes.size(); i += piece_)
      sink(std::string_view(bytes).substr(i, piece_));
    return !bytes.empty();
  }

  bool server_actions() {
    bool any = false;
    while (auto action = server_.take_action()) {
      any = true;
      if (std::holds_alternative<StartTls>(*action)) {
        server_tls_pending_ = true;
      } else if (const auto* check = std::get_if<CheckCredentials>(&*action)) {
        const bool ok = check->username == "app@example.com" && check->password == "s3cret-pass";
        server_.on_credentials_checked({ok, "app", [](std::string_view) { return true; }});
      } else if (const auto* store = std::get_if<StoreMessage>(&*action)) {
        stored.push_back(*store);
        server_.on_message_stored(replies::queued("Q" + std::to_string(stored.size())));
      }
    }
    return any;
  }

  bool client_actions() {
    auto action = client_.take_action();
    if (!action) return false;
    if (std::holds_alternative<StartTlsAction>(*action)) {
      EXPECT_TRUE(server_tls_pending_);  // the server asked for the handshake too
      server_tls_pending_ = false;
      server_.on_tls_established();
      client_.on_tls_established();
    } else {
      client_closed_action = true;
    }
    return true;
  }

  ClientSession client_;
  ServerSession server_;
  std::size_t piece_;
  bool server_tls_pending_ = false;
};

ClientConfig client_config(std::vector<std::string> mechanisms) {
  ClientConfig config;
  config.ehlo_name = "relay.test";
  config.username = "app@example.com";
  config.password = "s3cret-pass";
  config.auth_mechanisms = std::move(mechanisms);
  return config;
}

SessionConfig server_config() {
  SessionConfig config;
  config.hostname = "mx.test";
  config.limits.max_recipients = 2;
  return config;
}

TEST(ClientServer, DeliversThroughTheSubmissionServer) {
  OutgoingMessage first;
  first.mail_from = "app@example.com";
  first.rcpt_to = {"a@example.net", "b@example.net", "c@example.net"};  // 3rd over the limit
  first.content = "Subject: one\r\n\r\n.\r\n..two\nbare\rcr\r\n.\n.x";
  first.body_8bitmime = true;
  OutgoingMessage second;
  second.mail_from = "";
  second.rcpt_to = {"d@example.net"};
  second.content = "Subject: two\r\n\r\nbody";
  const std::string canonical_first = "Subject: one\r\n\r\n.\r\n..two\r\nbare\r\ncr\r\n.\r\n.x\r\n";

  for (const auto& mechanisms : {std::vector<std::string>{"PLAIN"}, {"LOGIN"}}) {
    for (const std::size_t piece : {std::size_t{1}, std::size_t{5}, std::size_t{1} << 20}) {
      SCOPED_TRACE(mechanisms[0] + " pieces of " + std::to_string(piece));
      Loopback link(client_config(mechanisms), server_config(), piece);
      link.settle();
      ASSERT_TRUE(link.client().ready()) << static_cast<int>(link.client().failure());
      EXPECT_TRUE(link.client().tls_active());
      EXPECT_TRUE(link.client().offers_pipelining());

      link.client().send(first);
      link.settle();
      ASSERT_TRUE(link.client().ready());
      link.client().send(second);
      link.settle();
      link.client().quit();
      link.settle();
      EXPECT_TRUE(link.client().closed());
      EXPECT_TRUE(link.client_closed_action);
      EXPECT_EQ(link.client().failure(), SessionFailure::none);

      ASSERT_EQ(link.stored.size(), 2U);
      EXPECT_EQ(link.stored[0].content, canonical_first);
      EXPECT_EQ(link.stored[0].envelope.rcpt_to,
                (std::vector<std::string>{"a@example.net", "b@example.net"}));
      EXPECT_TRUE(link.stored[0].envelope.body_8bitmime);
      EXPECT_EQ(link.stored[0].envelope.declared_size, canonical_first.size());
      EXPECT_EQ(link.stored[1].content, "Subject: two\r\n\r\nbody\r\n");
      EXPECT_EQ(link.stored[1].envelope.mail_from, "");

      const auto r1 = link.client().take_result();
      ASSERT_TRUE(r1);
      EXPECT_EQ(r1->recipients[0].reply, replies::recipient_ok());
      EXPECT_EQ(r1->recipients[2].reply, replies::too_many_recipients());
      EXPECT_EQ(r1->final_reply, replies::queued("Q1"));
      const auto r2 = link.client().take_result();
      ASSERT_TRUE(r2);
      EXPECT_EQ(r2->final_reply, replies::queued("Q2"));
      EXPECT_FALSE(link.client().take_result());
    }
  }
}

TEST(ClientServer, WrongPasswordIsAuthFailed) {
  ClientConfig config = client_config({"PLAIN"});
  config.password = "wrong";
  Loopback link(config, server_config(), 3);
  link.settle();
  EXPECT_EQ(link.client().failure(), SessionFailure::auth_failed);
  EXPECT_EQ(link.client().failure_reply(), replies::auth_failed());
  EXPECT_TRUE(link.client().closed());
}

}  // namespace
}  // namespace postern::smtp
