// ClientSession transactions: MAIL, RCPT, DATA with and without PIPELINING (RFC 2920), the
// body, per-recipient results, RSET after an abnormal end, the ambiguous window after the
// final dot. Each script runs fed as written and byte by byte.
#include <gtest/gtest.h>

#include <string>

#include "client_fixtures.hpp"
#include "client_script.hpp"
#include "smtp/client_session.hpp"

namespace postern::smtp {
namespace {

using namespace testing;

const Reply kMailOk{250, "2.1.0 Ok"};
const Reply kRcptOk{250, "2.1.5 Ok"};
const Reply kGoAhead{354, "Go ahead"};
const Reply kQueued{250, "2.0.0 OK 1700000000 queued"};

// The provider accepted everything: both paths produce the same result.
void expect_delivered(const TransactionResult& r) {
  EXPECT_EQ(r.mail_reply, kMailOk);
  ASSERT_EQ(r.recipients.size(), 2U);
  EXPECT_EQ(r.recipients[0].address, "a@example.net");
  EXPECT_EQ(r.recipients[0].reply, kRcptOk);
  EXPECT_EQ(r.recipients[1].address, "b@example.net");
  EXPECT_EQ(r.recipients[1].reply, kRcptOk);
  EXPECT_EQ(r.data_reply, kGoAhead);
  EXPECT_EQ(r.final_reply, kQueued);
  EXPECT_FALSE(r.ambiguous);
}

// RFC 2920 §3.1: MAIL, every RCPT and DATA in one write, replies read in order.
TEST(ClientTransaction, PipelinedHappyPath) {
  ClientScript s = run_script(kReadyPipelined + R"(! send 0
! not-ready
C: MAIL FROM:<app@example.com> SIZE=22
C: RCPT TO:<a@example.net>
C: RCPT TO:<b@example.net>
C: DATA
! timeout-is command
S: 250 2.1.0 Ok
S: 250 2.1.5 Ok
S: 250 2.1.5 Ok
! timeout-is data_start
S: 354 Go ahead
)" + kBody + R"(! timeout-is final_dot
S: 250 2.0.0 OK 1700000000 queued
! ready
)" + kQuit,
                              script_config(), {message()});
  ASSERT_EQ(s.results.size(), 1U);
  expect_delivered(s.results[0]);
}

TEST(ClientTransaction, OneCommandPerReplyWithoutPipelining) {
  ClientScript s = run_script(kReadyOneByOne + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=22
S: 250 2.1.0 Ok
C: RCPT TO:<a@example.net>
S: 250 2.1.5 Ok
C: RCPT TO:<b@example.net>
S: 250 2.1.5 Ok
C: DATA
! timeout-is data_start
S: 354 Go ahead
)" + kBody + R"(S: 250 2.0.0 OK 1700000000 queued
! ready
)" + kQuit,
                              script_config(), {message()});
  ASSERT_EQ(s.results.size(), 1U);
  expect_delivered(s.results[0]);
}

TEST(ClientTransaction, MixedRecipientResults) {
  ClientScript s =
      run_script(kReadyPipelined + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=22
C: RCPT TO:<a@example.net>
C: RCPT TO:<b@example.net>
C: RCPT TO:<c@example.net>
C: RCPT TO:<d@example.net>
C: DATA
S: 250 2.1.0 Ok
S: 250 2.1.5 Ok
S: 450 4.2.1 Mailbox busy
S: 550 5.1.1 User unknown
S: 250 2.1.5 Ok
S: 354 Go ahead
)" + kBody + R"(S: 250 2.0.0 OK 1700000000 queued
! ready
)",
                 script_config(),
                 {message({"a@example.net", "b@example.net", "c@example.net", "d@example.net"})});
  ASSERT_EQ(s.results.size(), 1U);
  const TransactionResult& r = s.results[0];
  ASSERT_EQ(r.recipients.size(), 4U);
  EXPECT_EQ(r.recipients[0].reply, kRcptOk);
  EXPECT_EQ(r.recipients[1].reply, (Reply{450, "4.2.1 Mailbox busy"}));
  EXPECT_EQ(r.recipients[2].reply, (Reply{550, "5.1.1 User unknown"}));
  EXPECT_EQ(r.recipients[3].reply, kRcptOk);
  EXPECT_EQ(r.recipients[3].address, "d@example.net");
  EXPECT_EQ(r.final_reply, kQueued);
}

// No recipient accepted. Pipelined: DATA went out anyway and is refused (RFC 2920 §3.1); one
// by one: no DATA. Either way the session is ready at once and RSET waits for the next MAIL
// (none before QUIT).
TEST(ClientTransaction, AllRecipientsRefused) {
  ClientScript pipelined = run_script(kReadyPipelined + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=22
C: RCPT TO:<a@example.net>
C: RCPT TO:<b@example.net>
C: DATA
S: 250 2.1.0 Ok
S: 550 5.1.1 User unknown
S: 550 5.1.1 User unknown
S: 554 5.5.1 No valid recipients
! ready
)" + kQuit,
                                      script_config(), {message()});
  ASSERT_EQ(pipelined.results.size(), 1U);
  EXPECT_EQ(pipelined.results[0].data_reply, (Reply{554, "5.5.1 No valid recipients"}));
  EXPECT_FALSE(pipelined.results[0].final_reply);
  EXPECT_FALSE(pipelined.results[0].ambiguous);

  ClientScript one_by_one = run_script(kReadyOneByOne + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=22
S: 250 2.1.0 Ok
C: RCPT TO:<a@example.net>
S: 550 5.1.1 User unknown
C: RCPT TO:<b@example.net>
S: 450 4.2.1 Try later
! ready
)" + kQuit,
                                       script_config(), {message()});
  ASSERT_EQ(one_by_one.results.size(), 1U);
  EXPECT_FALSE(one_by_one.results[0].data_reply);
  EXPECT_EQ(one_by_one.results[0].recipients[1].reply, (Reply{450, "4.2.1 Try later"}));
}

// A pipelining server that says 354 with no recipient accepted: a lone "." ends the empty
// message (RFC 2920 §3.1); its reply is not a final reply; RSET before the next MAIL.
TEST(ClientTransaction, Unexpected354GetsALoneDot) {
  ClientScript s = run_script(kReadyPipelined + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=22
C: RCPT TO:<a@example.net>
C: RCPT TO:<b@example.net>
C: DATA
S: 250 2.1.0 Ok
S: 550 5.1.1 User unknown
S: 550 5.1.1 User unknown
S: 354 Go ahead
C: .
! timeout-is final_dot
S: 554 5.5.1 No valid recipients
! ready
! send 0
C: RSET
C: MAIL FROM:<app@example.com> SIZE=22
C: RCPT TO:<a@example.net>
C: RCPT TO:<b@example.net>
C: DATA
)",
                              script_config(), {message()});
  ASSERT_EQ(s.results.size(), 1U);
  EXPECT_EQ(s.results[0].data_reply, kGoAhead);
  EXPECT_FALSE(s.results[0].final_reply);
  EXPECT_EQ(s.wire.find("Subject"), std::string::npos);  // the content never went out
}

TEST(ClientTransaction, RefusalsAtTheFinalDot) {
  const Reply refusals[] = {
      {451, "4.3.0 Temporary failure"},
      {452, "4.3.1 Insufficient system storage"},
      {554, "5.7.1 Message rejected: spam"},
      {550, "5.4.5 Daily user sending limit exceeded"},
  };
  for (const Reply& refusal : refusals) {
    SCOPED_TRACE(refusal.text);
    // The transaction is over at the server either way (RFC 5321 §4.1.1.4): no RSET.
    ClientScript s = run_script(kReadyPipelined + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=22
C: RCPT TO:<a@example.net>
C: RCPT TO:<b@example.net>
C: DATA
S: 250 2.1.0 Ok
S: 250 2.1.5 Ok
S: 250 2.1.5 Ok
S: 354 Go ahead
)" + kBody + "S: " + std::to_string(refusal.code) +
                                    " " + refusal.text + R"(
! ready
)" + kQuit,
                                script_config(), {message()});
    ASSERT_EQ(s.results.size(), 1U);
    EXPECT_EQ(s.results[0].final_reply, refusal);
    EXPECT_EQ(s.results[0].recipients[0].reply, kRcptOk);
    EXPECT_FALSE(s.results[0].ambiguous);
  }
}

// DATA sent, its reply half read: the body was never sent, so the outcome is certain.
TEST(ClientTransaction, ConnectionLostDuringDataIsNotAmbiguous) {
  ClientScript s = run_script(kReadyPipelined + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=22
C: RCPT TO:<a@example.net>
C: RCPT TO:<b@example.net>
C: DATA
S: 250 2.1.0 Ok
S: 250 2.1.5 Ok
S: 250 2.1.5 Ok
S~ 35
! lost
! failure connection_lost
! closed
! not-ready
)",
                              script_config(), {message()});
  ASSERT_EQ(s.results.size(), 1U);
  EXPECT_FALSE(s.results[0].data_reply);
  EXPECT_FALSE(s.results[0].final_reply);
  EXPECT_FALSE(s.results[0].ambiguous);
  EXPECT_EQ(s.results[0].recipients[0].reply, kRcptOk);
}

// After the final dot and before its reply the provider may hold the message.
TEST(ClientTransaction, LostOrTimedOutAfterTheDotIsAmbiguous) {
  const struct {
    const char* event;
    const char* failure;
    const char* end;
  } cases[] = {
      {"! lost", "connection_lost", "! closed"},
      {"! timeout", "timed_out", "! close"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.event);
    ClientScript s = run_script(kReadyPipelined + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=22
C: RCPT TO:<a@example.net>
C: RCPT TO:<b@example.net>
C: DATA
S: 250 2.1.0 Ok
S: 250 2.1.5 Ok
S: 250 2.1.5 Ok
S: 354 Go ahead
)" + kBody + "S~ 250 2.0.0 OK\n" + c.event +
                                    "\n! failure " + c.failure + "\n" + c.end + "\n",
                                script_config(), {message()});
    ASSERT_EQ(s.results.size(), 1U);
    EXPECT_EQ(s.results[0].data_reply, kGoAhead);
    EXPECT_FALSE(s.results[0].final_reply);
    EXPECT_TRUE(s.results[0].ambiguous);
  }
}

// A malformed reply to the final dot is as good as none: ambiguous.
TEST(ClientTransaction, MalformedFinalReplyIsAmbiguous) {
  ClientScript s = run_script(kReadyPipelined + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=22
C: RCPT TO:<a@example.net>
C: RCPT TO:<b@example.net>
C: DATA
S: 250 2.1.0 Ok
S: 250 2.1.5 Ok
S: 250 2.1.5 Ok
S: 354 Go ahead
)" + kBody + R"(S~ 250 2.0.0 OK\n
! failure protocol_error
! close
)",
                              script_config(), {message()});
  ASSERT_EQ(s.results.size(), 1U);
  EXPECT_TRUE(s.results[0].ambiguous);
}

// 421 mid-group: recorded where it came; the rest never comes; the session ends.
TEST(ClientTransaction, ServerClosingMidTransaction) {
  ClientScript s = run_script(kReadyPipelined + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=22
C: RCPT TO:<a@example.net>
C: RCPT TO:<b@example.net>
C: DATA
S: 250 2.1.0 Ok
S: 421 4.7.0 Try again later, closing connection
! failure connection_lost
! close
)",
                              script_config(), {message()});
  ASSERT_EQ(s.results.size(), 1U);
  EXPECT_EQ(s.results[0].recipients[0].reply,
            (Reply{421, "4.7.0 Try again later, closing connection"}));
  EXPECT_EQ(s.results[0].recipients[1].reply.code, 0);
  EXPECT_FALSE(s.results[0].ambiguous);
  EXPECT_EQ(s.session().failure_reply(), (Reply{421, "4.7.0 Try again later, closing connection"}));
  // 421 at the final dot: a definite answer, not ambiguous.
  ClientScript at_dot = run_script(kReadyOneByOne + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=22
S: 250 2.1.0 Ok
C: RCPT TO:<a@example.net>
S: 250 2.1.5 Ok
C: RCPT TO:<b@example.net>
S: 250 2.1.5 Ok
C: DATA
S: 354 Go ahead
)" + kBody + R"(S: 421 4.4.5 Server busy
! failure connection_lost
! close
)",
                                   script_config(), {message()});
  ASSERT_EQ(at_dot.results.size(), 1U);
  EXPECT_EQ(at_dot.results[0].final_reply, (Reply{421, "4.4.5 Server busy"}));
  EXPECT_FALSE(at_dot.results[0].ambiguous);
}

// MAIL refused: the result carries it and the session is ready at once; RSET opens the next
// transaction (in its pipelined group, or answered first without PIPELINING).
TEST(ClientTransaction, RsetAfterAFailedTransaction) {
  OutgoingMessage second = message({"c@example.net"});
  second.mail_from = "other@example.com";
  ClientScript pipelined = run_script(kReadyPipelined + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=22
C: RCPT TO:<a@example.net>
C: RCPT TO:<b@example.net>
C: DATA
S: 550 5.7.1 Sender not allowed
S: 503 5.5.1 Need MAIL command
S: 503 5.5.1 Need MAIL command
S: 503 5.5.1 Need MAIL command
! ready
! send 1
C: RSET
C: MAIL FROM:<other@example.com> SIZE=22
C: RCPT TO:<c@example.net>
C: DATA
S: 250 2.0.0 Ok
S: 250 2.1.0 Ok
S: 250 2.1.5 Ok
S: 354 Go ahead
)" + kBody + R"(S: 250 2.0.0 OK 1700000000 queued
! ready
)" + kQuit,
                                      script_config(), {message(), second});
  ASSERT_EQ(pipelined.results.size(), 2U);
  EXPECT_EQ(pipelined.results[0].mail_reply, (Reply{550, "5.7.1 Sender not allowed"}));
  EXPECT_FALSE(pipelined.results[0].final_reply);
  EXPECT_EQ(pipelined.results[1].final_reply, kQueued);

  ClientScript one_by_one = run_script(kReadyOneByOne + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=22
S: 550 5.7.1 Sender not allowed
! ready
! send 1
C: RSET
! timeout-is command
S: 250 2.0.0 Ok
C: MAIL FROM:<other@example.com> SIZE=22
S: 250 2.1.0 Ok
C: RCPT TO:<c@example.net>
S: 250 2.1.5 Ok
C: DATA
S: 354 Go ahead
)" + kBody + R"(S: 250 2.0.0 OK 1700000000 queued
! ready
)",
                                       script_config(), {message(), second});
  ASSERT_EQ(one_by_one.results.size(), 2U);
  EXPECT_EQ(one_by_one.results[0].recipients[0].reply.code, 0);  // never sent
  EXPECT_EQ(one_by_one.results[1].recipients[0].reply, kRcptOk);
}

// DATA refused although recipients were accepted: the server still holds the envelope.
TEST(ClientTransaction, RsetAfterDataRefused) {
  ClientScript s = run_script(kReadyOneByOne + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=22
S: 250 2.1.0 Ok
C: RCPT TO:<a@example.net>
S: 250 2.1.5 Ok
C: RCPT TO:<b@example.net>
S: 250 2.1.5 Ok
C: DATA
S: 451 4.3.0 Try later
! ready
! send 0
C: RSET
S: 250 2.0.0 Ok
C: MAIL FROM:<app@example.com> SIZE=22
S: 250 2.1.0 Ok
C: RCPT TO:<a@example.net>
S: 250 2.1.5 Ok
C: RCPT TO:<b@example.net>
S: 250 2.1.5 Ok
C: DATA
S: 354 Go ahead
)" + kBody + R"(S: 250 2.0.0 OK 1700000000 queued
! ready
)",
                              script_config(), {message()});
  ASSERT_EQ(s.results.size(), 2U);
  EXPECT_EQ(s.results[0].data_reply, (Reply{451, "4.3.0 Try later"}));
  expect_delivered(s.results[1]);
}

// RSET must succeed; if it does not the session ends, and the transaction behind it with it.
TEST(ClientTransaction, RsetRefusedEndsTheSession) {
  ClientScript s = run_script(kReadyOneByOne + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=22
S: 550 5.7.1 No
! send 0
C: RSET
S: 500 5.5.2 What
! failure protocol_error
! close
)",
                              script_config(), {message()});
  ASSERT_EQ(s.results.size(), 2U);
  EXPECT_FALSE(s.results[1].mail_reply);
  EXPECT_FALSE(s.results[1].ambiguous);
  EXPECT_EQ(s.session().failure_reply(), (Reply{500, "5.5.2 What"}));
}

// Two messages in a row need no RSET between them when the first ended normally.
TEST(ClientTransaction, TwoMessagesOnOneConnection) {
  OutgoingMessage second = message({"c@example.net"});
  second.content = "Subject: two\r\n\r\nAgain\r\n";
  ClientScript s = run_script(kReadyOneByOne + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=22
S: 250 2.1.0 Ok
C: RCPT TO:<a@example.net>
S: 250 2.1.5 Ok
C: RCPT TO:<b@example.net>
S: 250 2.1.5 Ok
C: DATA
S: 354 Go ahead
)" + kBody + R"(S: 250 2.0.0 OK 1700000000 queued
! ready
! send 1
C: MAIL FROM:<app@example.com> SIZE=23
S: 250 2.1.0 Ok
C: RCPT TO:<c@example.net>
S: 250 2.1.5 Ok
C: DATA
S: 354 Go ahead
C: Subject: two
C:
C: Again
C: .
S: 250 2.0.0 OK 1700000001 queued
! ready
)" + kQuit,
                              script_config(), {message(), second});
  ASSERT_EQ(s.results.size(), 2U);
  expect_delivered(s.results[0]);
  EXPECT_EQ(s.results[1].final_reply, (Reply{250, "2.0.0 OK 1700000001 queued"}));
  EXPECT_EQ(s.wire.find("RSET"), std::string::npos);
}

// Dot-stuffing and canonical CRLF through the session: ".", "..", bare LF, bare CR, a
// smuggled end of data, no final CRLF.
TEST(ClientTransaction, BodyIsStuffedAndCanonical) {
  OutgoingMessage m = message({"a@example.net"});
  m.content = ".\r\n..\nbare\rcr\r\n\n.\nMAIL FROM:<evil@x>\r\n.x";
  run_script(kReadyOneByOne + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=46
S: 250 2.1.0 Ok
C: RCPT TO:<a@example.net>
S: 250 2.1.5 Ok
C: DATA
S: 354 Go ahead
C: ..
C: ...
C: bare
C: cr
C:
C: ..
C: MAIL FROM:<evil@x>
C: ..x
C: .
S: 250 2.0.0 OK
! ready
)",
             script_config(), {m});
}

TEST(ClientTransaction, MailParameters) {
  const struct {
    bool body_8bitmime;
    bool smtputf8;
    const char* ehlo;
    const char* mail;
  } cases[] = {
      {true, true, "S: 250-8BITMIME\nS: 250-SMTPUTF8\nS: 250-SIZE\n",
       "MAIL FROM:<app@example.com> BODY=8BITMIME SMTPUTF8 SIZE=22"},
      {true, true, "", "MAIL FROM:<app@example.com>"},  // not offered: not sent
      {false, false, "S: 250-8BITMIME\nS: 250-SMTPUTF8\n", "MAIL FROM:<app@example.com>"},
      {true, false, "S: 250-8BITMIME\nS: 250-SIZE 100\n",
       "MAIL FROM:<app@example.com> BODY=8BITMIME SIZE=22"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.mail);
    OutgoingMessage m = message({"a@example.net"});
    m.body_8bitmime = c.body_8bitmime;
    m.smtputf8 = c.smtputf8;
    run_script(kToTls + "S: 250-smtp.provider.test\n" + c.ehlo +
                   "S: 250 AUTH PLAIN\nC: AUTH PLAIN " + kPlainB64 +
                   "\nS: 235 2.7.0 Ok\n! send 0\nC: " + c.mail + "\n",
               script_config(), {m});
  }
}

TEST(ClientTransaction, NullReversePath) {
  OutgoingMessage dsn = message({"a@example.net"});
  dsn.mail_from = "";
  run_script(kReadyOneByOne + "! send 0\nC: MAIL FROM:<> SIZE=22\n", script_config(), {dsn});
}

// An address that would smuggle a command never reaches the wire.
TEST(ClientTransaction, UnsafeAddressesAreRefusedLocally) {
  OutgoingMessage m = message({"a@example.net>\r\nRSET", "b@example.net", "c@x\n"});
  ClientScript s = run_script(kReadyPipelined + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=22
C: RCPT TO:<b@example.net>
C: DATA
S: 250 2.1.0 Ok
S: 250 2.1.5 Ok
S: 354 Go ahead
)" + kBody + R"(S: 250 2.0.0 OK 1700000000 queued
! ready
)",
                              script_config(), {m});
  ASSERT_EQ(s.results.size(), 1U);
  EXPECT_EQ(s.results[0].recipients[0].reply.code, 501);
  EXPECT_TRUE(s.results[0].recipients[0].reply.text.ends_with("(local)"));
  EXPECT_EQ(s.results[0].recipients[1].reply, kRcptOk);
  EXPECT_EQ(s.results[0].recipients[2].reply.code, 501);

  OutgoingMessage bad_sender = message();
  bad_sender.mail_from = "x@y> SIZE=1";
  ClientScript sender =
      run_script(kReadyPipelined + "! send 0\n! ready\n", script_config(), {bad_sender});
  ASSERT_EQ(sender.results.size(), 1U);
  EXPECT_EQ(sender.results[0].mail_reply->code, 501);
  EXPECT_EQ(sender.wire.find("MAIL"), std::string::npos);
}

// quit() during a transaction: it finishes first. After a failed one, no RSET before QUIT.
TEST(ClientTransaction, QuitWaitsForTheTransaction) {
  ClientScript s = run_script(kReadyPipelined + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=22
C: RCPT TO:<a@example.net>
C: RCPT TO:<b@example.net>
C: DATA
! quit
S: 250 2.1.0 Ok
S: 250 2.1.5 Ok
S: 250 2.1.5 Ok
S: 354 Go ahead
)" + kBody + R"(S: 250 2.0.0 OK 1700000000 queued
C: QUIT
S: 221 2.0.0 Bye
! close
! failure none
)",
                              script_config(), {message()});
  ASSERT_EQ(s.results.size(), 1U);
  expect_delivered(s.results[0]);

  run_script(kReadyOneByOne + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=22
! quit
S: 550 5.7.1 No
C: QUIT
S: 221 2.0.0 Bye
! close
)",
             script_config(), {message()});
  run_script(kReadyOneByOne + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=22
S: 550 5.7.1 No
! ready
)" + kQuit,
             script_config(), {message()});
  // quit() while RSET opens the next transaction: that transaction runs, then QUIT.
  run_script(kReadyOneByOne + R"(! send 0
C: MAIL FROM:<app@example.com> SIZE=22
S: 550 5.7.1 No
! send 0
C: RSET
! quit
S: 250 2.0.0 Ok
C: MAIL FROM:<app@example.com> SIZE=22
S: 550 5.7.1 Still no
C: QUIT
S: 221 2.0.0 Bye
! close
)",
             script_config(), {message()});
}

}  // namespace
}  // namespace postern::smtp
