// ServerSession behaviour that dialog files cannot express: store outcomes other than
// success, timeouts, the action contract, secrets, and configuration variants.
#include "smtp/server_session.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/base64.hpp"
#include "dialog_script.hpp"
#include "smtp/replies.hpp"
#include "smtp/sasl.hpp"

namespace postern::smtp {
namespace {

using testing::DialogRunner;
using testing::parse_dialog;

// The preamble up to an authenticated session inside TLS (see tests/dialogs/).
const std::string kReady = R"(S: 220 postern.test ESMTP Postern
C: EHLO client.example
S~ ^250-.*
S~ ^250-.*
S~ ^250-.*
S~ ^250-.*
S~ ^250-.*
S~ ^250-.*
S: 250 STARTTLS
C: STARTTLS
S: 220 2.0.0 Ready to start TLS
! tls
C: EHLO client.example
S~ ^250-.*
S~ ^250-.*
S~ ^250-.*
S~ ^250-.*
S~ ^250-.*
S~ ^250-.*
S: 250 AUTH PLAIN LOGIN
C: AUTH PLAIN AGFsaWNlAGFsaWNlLXNlY3JldA==
! auth ok user=alice senders=alice@example.com,*@example.org
S: 235 2.7.0 Authentication successful
)";

const std::string kOneMessage = R"(C: MAIL FROM:<alice@example.com>
S: 250 2.1.0 Ok
C: RCPT TO:<bob@example.net>
S: 250 2.1.5 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: Subject: x
C:
C: ..dotted
C: .
)";

void expect_pass(DialogRunner& runner, const std::string& script) {
  for (const std::string& failure : runner.run(parse_dialog(script))) ADD_FAILURE() << failure;
}

TEST(ServerSession, StoreFailuresAreRelayedAndEndTheTransaction) {
  for (const Reply& failure : {replies::store_failed(), replies::store_full()}) {
    DialogRunner runner;
    runner.store = [&](const StoreMessage&) { return failure; };
    expect_pass(runner, kReady + kOneMessage + "S: " +
                            format_reply(failure).substr(0, format_reply(failure).size() - 2) +
                            "\nC: RCPT TO:<bob@example.net>\nS: 503 5.5.1 Need MAIL command\n"
                            "C: QUIT\nS: 221 2.0.0 Bye\n! closed\n");
    EXPECT_EQ(runner.stored.size(), 1U);
  }
}

TEST(ServerSession, Store421ClosesTheSession) {
  DialogRunner runner;
  runner.store = [](const StoreMessage&) { return Reply{421, "4.3.0 Acceptance stopped"}; };
  expect_pass(runner, kReady + kOneMessage + "S: 421 4.3.0 Acceptance stopped\n! closed\n");
}

TEST(ServerSession, StoredMessageCarriesTheEnvelope) {
  DialogRunner runner;
  expect_pass(runner, kReady + R"(C: MAIL FROM:<alice+x@example.com> BODY=8BITMIME SMTPUTF8 SIZE=42
S: 250 2.1.0 Ok
C: RCPT TO:<bob@example.net>
S: 250 2.1.5 Ok
C: RCPT TO:<@hop.example:carol@example.net>
S: 250 2.1.5 Ok
C: RCPT TO:<bob@example.net>
S: 250 2.1.5 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: Subject: x
C:
C: ..dotted
C: .
S~ ^250 2\.0\.0 Ok: queued as .*
)");
  ASSERT_EQ(runner.stored.size(), 1U);
  const StoreMessage& m = runner.stored[0];
  EXPECT_EQ(m.account, "alice");
  EXPECT_EQ(m.envelope.helo, "client.example");
  EXPECT_TRUE(m.envelope.esmtp);
  EXPECT_EQ(m.envelope.mail_from, "alice+x@example.com");
  EXPECT_EQ(m.envelope.rcpt_to, (std::vector<std::string>{"bob@example.net", "carol@example.net"}));
  EXPECT_TRUE(m.envelope.body_8bitmime);
  EXPECT_TRUE(m.envelope.smtputf8);
  EXPECT_EQ(m.envelope.declared_size, 42U);
  EXPECT_EQ(m.content, "Subject: x\r\n\r\n.dotted\r\n");
}

TEST(ServerSession, NormalizePolicyStoresBareLfAsCrlf) {
  SessionConfig config = testing::dialog_config();
  config.bare_line_policy = BareLinePolicy::normalize;
  DialogRunner runner(config);
  expect_pass(runner, kReady + R"(C: MAIL FROM:<alice@example.com>
S: 250 2.1.0 Ok
C: RCPT TO:<bob@example.net>
S: 250 2.1.5 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C~ a\nb\n.\nc\r\n.\r\n
S~ ^250 .*
C~ MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.net>\r\nDATA\r\nx\ry\r\n.\r\n
S: 250 2.1.0 Ok
S: 250 2.1.5 Ok
S: 354 End data with <CR><LF>.<CR><LF>
S: 554 5.5.2 bare CR or LF in message
)");
  ASSERT_EQ(runner.stored.size(), 1U);
  EXPECT_EQ(runner.stored[0].content, "a\r\nb\r\n.\r\nc\r\n");
}

// Drives a session by hand up to an authenticated, TLS-protected state.
class Session : public ::testing::Test {
 protected:
  void SetUp() override { start(testing::dialog_config()); }

  void start(SessionConfig config) {
    session_.emplace(std::move(config));
    session_->on_connect();
    (void)session_->take_output();
  }
  std::string send(std::string_view bytes) {
    session_->on_bytes(bytes);
    return session_->take_output();
  }
  void to_authenticated() {
    send("EHLO c.example\r\nSTARTTLS\r\n");
    ASSERT_TRUE(std::holds_alternative<StartTls>(*session_->take_action()));
    session_->on_tls_established();
    send("EHLO c.example\r\nAUTH PLAIN AGFsaWNlAGFsaWNlLXNlY3JldA==\r\n");
    ASSERT_TRUE(std::holds_alternative<CheckCredentials>(*session_->take_action()));
    session_->on_credentials_checked({true, "alice", [](std::string_view) { return true; }});
    EXPECT_EQ(session_->take_output(), "235 2.7.0 Authentication successful\r\n");
  }

  std::optional<ServerSession> session_;
};

TEST_F(Session, TimeoutsFollowThePhase) {
  const Limits limits;
  EXPECT_EQ(session_->timeout(), limits.unauthenticated_command);
  to_authenticated();
  EXPECT_TRUE(session_->authenticated());
  EXPECT_EQ(session_->account(), "alice");
  EXPECT_EQ(session_->timeout(), limits.command);
  send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n");
  EXPECT_EQ(session_->timeout(), limits.data_block);
  send("x\r\n.\r\n");
  EXPECT_EQ(session_->timeout(), limits.command);
}

TEST_F(Session, TimeoutSends421AndCloses) {
  session_->on_timeout();
  EXPECT_EQ(session_->take_output(),
            "421 4.4.2 postern.test Timeout exceeded, closing connection\r\n");
  EXPECT_TRUE(session_->closed());
  EXPECT_TRUE(std::holds_alternative<CloseConnection>(*session_->take_action()));
  EXPECT_EQ(send("NOOP\r\n"), "");  // nothing after the close
}

// RFC 5321 §3.8: a stopping server says 421 — between commands at once, otherwise only after
// what is in progress (here a message in DATA, then its store result) has finished.
TEST_F(Session, ShutdownSays421BetweenCommandsOnly) {
  to_authenticated();
  EXPECT_TRUE(session_->between_commands());
  send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\nDATA\r\nhalf a bo");
  EXPECT_FALSE(session_->between_commands());
  EXPECT_FALSE(session_->on_shutdown());
  EXPECT_EQ(session_->take_output(), "");
  send("dy\r\n.\r\n");
  ASSERT_TRUE(std::holds_alternative<StoreMessage>(*session_->take_action()));
  EXPECT_FALSE(session_->on_shutdown());  // the store result is awaited
  session_->on_message_stored(replies::queued("X"));
  EXPECT_EQ(session_->take_output().substr(0, 4), "250 ");
  EXPECT_TRUE(session_->on_shutdown());
  EXPECT_EQ(session_->take_output(),
            "421 4.3.2 postern.test Service shutting down, closing connection\r\n");
  EXPECT_TRUE(session_->closed());
  EXPECT_TRUE(std::holds_alternative<CloseConnection>(*session_->take_action()));
}

TEST_F(Session, ShutdownWaitsForAPartialCommandLine) {
  to_authenticated();
  send("NOO");
  EXPECT_FALSE(session_->on_shutdown());
  EXPECT_EQ(send("P\r\n").substr(0, 4), "250 ");
  EXPECT_TRUE(session_->on_shutdown());
}

TEST_F(Session, ResultsAfterATimeoutAreIgnored) {
  to_authenticated();
  send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\nDATA\r\nx\r\n.\r\n");
  ASSERT_TRUE(std::holds_alternative<StoreMessage>(*session_->take_action()));
  session_->on_timeout();
  (void)session_->take_output();
  session_->on_message_stored(replies::queued("X"));
  EXPECT_EQ(session_->take_output(), "");
}

TEST_F(Session, InputWaitsWhileCredentialsAreChecked) {
  send("EHLO c.example\r\nSTARTTLS\r\n");
  (void)session_->take_action();
  session_->on_tls_established();
  EXPECT_EQ(send("EHLO c.example\r\n").substr(0, 16), "250-postern.test");
  EXPECT_EQ(send("AUTH PLAIN AGFsaWNlAGFsaWNlLXNlY3JldA==\r\nMAIL FROM:<a@example.com>\r\n"), "");
  EXPECT_EQ(send("RCPT TO:<b@example.net>\r\n"), "");
  const auto action = session_->take_action();
  ASSERT_TRUE(action && std::holds_alternative<CheckCredentials>(*action));
  EXPECT_FALSE(session_->take_action());  // one action at a time
  session_->on_credentials_checked({true, "alice", [](std::string_view) { return true; }});
  EXPECT_EQ(session_->take_output(),
            "235 2.7.0 Authentication successful\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n");
}

TEST_F(Session, CredentialsCarryTheSecretButTheOutputNever) {
  send("EHLO c.example\r\nSTARTTLS\r\n");
  (void)session_->take_action();
  session_->on_tls_established();
  (void)send("EHLO c.example\r\n");
  const std::string out = send("AUTH LOGIN\r\nYWxpY2U=\r\nYWxpY2Utc2VjcmV0\r\n");
  EXPECT_EQ(out, "334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n");
  const auto action = session_->take_action();
  ASSERT_TRUE(action);
  const auto& credentials = std::get<CheckCredentials>(*action);
  EXPECT_EQ(credentials.mechanism, "LOGIN");
  EXPECT_EQ(credentials.username, "alice");
  EXPECT_EQ(credentials.password, "alice-secret");
  session_->on_credentials_checked({false, "", nullptr});
  const std::string after = session_->take_output();
  EXPECT_EQ(after, "535 5.7.8 Authentication credentials invalid\r\n");
  EXPECT_EQ(after.find("alice-secret"), std::string::npos);
  EXPECT_EQ(after.find("YWxpY2Utc2VjcmV0"), std::string::npos);
}

TEST_F(Session, NoSenderRuleMeansNoSender) {
  send("EHLO c.example\r\nSTARTTLS\r\n");
  (void)session_->take_action();
  session_->on_tls_established();
  (void)send("EHLO c.example\r\nAUTH PLAIN AGFsaWNlAGFsaWNlLXNlY3JldA==\r\n");
  (void)session_->take_action();
  session_->on_credentials_checked({true, "alice", nullptr});
  (void)session_->take_output();
  EXPECT_EQ(send("MAIL FROM:<alice@example.com>\r\n"),
            "550 5.7.1 Sender address not allowed for this account\r\n");
}

TEST_F(Session, BytesDuringTheHandshakeAreDiscarded) {
  EXPECT_EQ(send("EHLO c.example\r\n").substr(0, 3), "250");
  EXPECT_EQ(send("STARTTLS\r\n"), "220 2.0.0 Ready to start TLS\r\n");
  EXPECT_EQ(send("NOOP\r\nNOOP\r\n"), "");  // arrives before the handshake: dropped
  ASSERT_TRUE(std::holds_alternative<StartTls>(*session_->take_action()));
  session_->on_tls_established();
  EXPECT_TRUE(session_->tls_active());
  EXPECT_EQ(session_->take_output(), "");
  EXPECT_EQ(send("NOOP\r\n"), "250 2.0.0 Ok\r\n");
}

TEST_F(Session, PartialLineBeforeStarttlsDoesNotSurviveIt) {
  send("EHLO c.example\r\n");
  EXPECT_EQ(send("STARTTLS\r\nMAIL FR"), "220 2.0.0 Ready to start TLS\r\n");
  (void)session_->take_action();
  session_->on_tls_established();
  EXPECT_EQ(send("NOOP\r\n"), "250 2.0.0 Ok\r\n");  // not "MAIL FRNOOP"
}

TEST_F(Session, ImplicitTlsAdvertisesAuth) {
  SessionConfig config = testing::dialog_config();
  config.tls_active = true;
  start(config);
  EXPECT_TRUE(session_->tls_active());
  const std::string ehlo = send("EHLO c.example\r\n");
  EXPECT_NE(ehlo.find("250 AUTH PLAIN LOGIN\r\n"), std::string::npos);
  EXPECT_EQ(ehlo.find("STARTTLS"), std::string::npos);
  EXPECT_EQ(send("STARTTLS\r\n"), "503 5.5.1 TLS already active\r\n");
}

TEST_F(Session, ErrorLimitIsConfigurable) {
  SessionConfig config = testing::dialog_config();
  config.limits.max_errors = 2;
  start(config);
  EXPECT_EQ(send("X\r\n"), "500 5.5.2 Syntax error, command unrecognized\r\n");
  EXPECT_EQ(send("Y\r\nNOOP\r\n"),
            "500 5.5.2 Syntax error, command unrecognized\r\n421 4.7.0 Too many errors, closing "
            "connection\r\n");
  EXPECT_TRUE(session_->closed());
}

TEST_F(Session, RecipientLimitIsConfigurable) {
  SessionConfig config = testing::dialog_config();
  config.limits.max_recipients = 1;
  start(config);
  to_authenticated();
  EXPECT_EQ(
      send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net>\r\n"),
      "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n452 4.5.3 Too many recipients\r\n");
}

TEST_F(Session, AuthResponseOverTheSaslLimitEndsTheExchange) {
  send("EHLO c.example\r\nSTARTTLS\r\n");
  (void)session_->take_action();
  session_->on_tls_established();
  (void)send("EHLO c.example\r\n");
  EXPECT_EQ(send("AUTH PLAIN\r\n"), "334 \r\n");
  EXPECT_EQ(send(std::string(kMaxSaslLine, 'A') + "\r\n"), "500 5.5.6 Command line too long\r\n");
  EXPECT_EQ(send("NOOP\r\n"), "250 2.0.0 Ok\r\n");  // a command again, not a response
}

// RFC 4954 §4: the longest PLAIN response (255-octet names and password: 1024 octets of
// base64) must be taken, after 334 and as an initial response (smtplib always sends one).
TEST_F(Session, LongestPlainResponseIsTakenBothWays) {
  const std::string user(255, 'u');
  const std::string password(255, 'p');
  const std::string response =
      core::base64_encode(std::string(255, 'z') + '\0' + user + '\0' + password);
  ASSERT_GT(response.size(), 1000u);
  for (bool initial : {false, true}) {
    SCOPED_TRACE(initial ? "initial response" : "after 334");
    start(testing::dialog_config());
    send("EHLO c.example\r\nSTARTTLS\r\n");
    ASSERT_TRUE(std::holds_alternative<StartTls>(*session_->take_action()));
    session_->on_tls_established();
    (void)send("EHLO c.example\r\n");
    if (initial) {
      EXPECT_EQ(send("AUTH PLAIN " + response + "\r\n"), "");
    } else {
      EXPECT_EQ(send("AUTH PLAIN\r\n"), "334 \r\n");
      EXPECT_EQ(send(response + "\r\n"), "");
    }
    auto action = session_->take_action();
    ASSERT_TRUE(action && std::holds_alternative<CheckCredentials>(*action));
    EXPECT_EQ(std::get<CheckCredentials>(*action).username, user);
    EXPECT_EQ(std::get<CheckCredentials>(*action).password, password);
  }
}

// The AUTH allowance is for AUTH lines only: any other command keeps the 512-octet limit,
// and an AUTH line past 12288 octets is refused whole.
TEST_F(Session, OnlyAuthLinesGetTheSaslLimit) {
  send("EHLO c.example\r\nSTARTTLS\r\n");
  (void)session_->take_action();
  session_->on_tls_established();
  (void)send("EHLO c.example\r\n");
  EXPECT_EQ(send("NOOP " + std::string(600, 'x') + "\r\n"), "500 5.5.6 Command line too long\r\n");
  EXPECT_EQ(send("AUTHX " + std::string(600, 'x') + "\r\n"), "500 5.5.6 Command line too long\r\n");
  EXPECT_EQ(send("AUTH PLAIN " + std::string(kMaxSaslLine, 'A') + "\r\n"),
            "500 5.5.6 Command line too long\r\n");
  EXPECT_EQ(send("NOOP\r\n"), "250 2.0.0 Ok\r\n");
}

TEST_F(Session, HugeInputWithoutCrlfStaysBounded) {
  const std::string chunk(64 * 1024, 'a');
  for (int i = 0; i < 64; ++i) EXPECT_EQ(send(chunk), "");
  EXPECT_EQ(send("\r\nNOOP\r\n"), "500 5.5.6 Command line too long\r\n250 2.0.0 Ok\r\n");
}

TEST(ServerSessionDeathTest, ResultWithoutActionAborts) {
  ServerSession session(testing::dialog_config());
  session.on_connect();
  EXPECT_DEATH(session.on_message_stored(replies::queued("X")), "");
  EXPECT_DEATH(session.on_tls_established(), "");
}

TEST(ServerSessionDeathTest, BytesBeforeConnectAbort) {
  ServerSession session(testing::dialog_config());
  EXPECT_DEATH(session.on_bytes("NOOP\r\n"), "");
}

}  // namespace
}  // namespace postern::smtp
