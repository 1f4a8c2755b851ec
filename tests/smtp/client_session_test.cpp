// ClientSession from the greeting to a ready session, and how it ends: STARTTLS, AUTH,
// refusals, strict replies, timeouts, QUIT. Each script runs fed as written and byte by byte.
#include "smtp/client_session.hpp"

#include <gtest/gtest.h>

#include <string>

#include "client_fixtures.hpp"
#include "client_script.hpp"

namespace postern::smtp {
namespace {

using namespace testing;

TEST(ClientSession, ReachesReadyAndQuits) {
  ClientScript s =
      run_script("! timeout-is greeting\n! not-ready\n" + kReadyPipelined + kQuit, script_config());
  EXPECT_TRUE(s.session().tls_active());
  EXPECT_TRUE(s.session().offers_pipelining());
  EXPECT_EQ(s.session().offered_size(), 35882577U);
  EXPECT_TRUE(s.session().capabilities().smtputf8);
  EXPECT_FALSE(s.session().capabilities().starttls);  // what the EHLO after TLS said
  EXPECT_FALSE(s.session().failure_reply());
}

TEST(ClientSession, MultiLineGreeting) {
  run_script("S: 220-smtp.provider.test ESMTP\nS: 220 second line\n" +
                 kToTls.substr(kToTls.find('\n') + 1) + kPlainAuth + kQuit,
             script_config());
}

TEST(ClientSession, GreetingRefused) {
  // 421: the server closes, so the client closes without a word (RFC 5321 §3.8).
  ClientScript s = run_script(R"(S: 421 4.7.0 Try again later
! failure greeting_refused
! close
)",
                              script_config());
  EXPECT_EQ(s.session().failure_reply(), (Reply{421, "4.7.0 Try again later"}));
  // 554: QUIT, wait for the answer (§3.1).
  run_script(R"(S: 554 5.7.1 No service for you
! failure greeting_refused
! not-ready
C: QUIT
S: 221 2.0.0 Bye
! close
! failure greeting_refused
)",
             script_config());
}

// No STARTTLS on offer: nothing but QUIT is sent, even though AUTH is offered in plaintext.
TEST(ClientSession, StartTlsNotOffered) {
  ClientScript s = run_script(R"(S: 220 smtp.provider.test ESMTP
C: EHLO relay.test
S: 250-smtp.provider.test
S: 250-AUTH PLAIN LOGIN
S: 250 PIPELINING
C: QUIT
! failure starttls_not_offered
S: 221 2.0.0 Bye
! close
)",
                              script_config());
  EXPECT_EQ(s.wire, "EHLO relay.test\r\nQUIT\r\n");
  EXPECT_FALSE(s.session().failure_reply());
}

TEST(ClientSession, StartTlsRefused) {
  ClientScript s = run_script(R"(S: 220 smtp.provider.test ESMTP
C: EHLO relay.test
S: 250-smtp.provider.test
S: 250 STARTTLS
C: STARTTLS
S: 454 4.7.0 TLS not available due to temporary reason
! failure starttls_refused
C: QUIT
S: 221 2.0.0 Bye
! close
)",
                              script_config());
  EXPECT_EQ(s.session().failure_reply(),
            (Reply{454, "4.7.0 TLS not available due to temporary reason"}));
  EXPECT_FALSE(s.session().tls_active());
}

// RFC 3207 §4.2: nothing learnt before TLS survives it, even when the EHLO after it fails.
TEST(ClientSession, EhloRefusedAfterTls) {
  ClientScript s = run_script(kToTls + R"(S: 554 5.7.0 No
! failure ehlo_refused
C: QUIT
S: 221 Bye
! close
)",
                              script_config());
  EXPECT_TRUE(s.session().tls_active());
  EXPECT_FALSE(s.session().capabilities().starttls);
  EXPECT_FALSE(s.session().offers_pipelining());
  EXPECT_FALSE(s.session().offered_size());
}

TEST(ClientSession, TlsHandshakeFailed) {
  run_script(kToTls.substr(0, kToTls.find("! tls")) + R"(! tls-failed
! failure tls_failed
! close
)",
             script_config());
}

// CVE-2011-0411 mirrored: replies injected behind the 220 (same read, later reads before the
// handshake, a partial line) never count; the EHLO after TLS is read fresh. The injected EHLO
// offers PLAIN; the real one only LOGIN, so AUTH LOGIN proves which one was used.
TEST(ClientSession, DiscardsBytesInjectedBeforeTheHandshake) {
  const std::string injected = R"(S: 220 smtp.provider.test ESMTP
C: EHLO relay.test
S: 250-smtp.provider.test
S: 250 STARTTLS
C: STARTTLS
S~ 220 2.0.0 Ready to start TLS\r\n250-injected\r\n250 AUTH PLAIN\r\n
S~ 250-more injected\r\n250 AUTH PLAIN\r\n
S~ 250-partial line
! tls
C: EHLO relay.test
S: 250-smtp.provider.test
S: 250 AUTH LOGIN
C: AUTH LOGIN
S: 334 VXNlcm5hbWU6
C: )" + kUserB64 + R"(
S: 334 UGFzc3dvcmQ6
C: )" + kPasswordB64 + R"(
S: 235 2.7.0 Authentication successful
! ready
)" + kQuit;
  ClientScript s = run_script(injected, script_config());
  EXPECT_EQ(s.session().capabilities().auth_mechanisms, std::vector<std::string>{"LOGIN"});
}

// Office 365 offers LOGIN and XOAUTH2, never PLAIN: the order PLAIN, LOGIN picks LOGIN.
TEST(ClientSession, AuthLoginWhenPlainIsNotOffered) {
  run_script(kToTls + R"(S: 250-smtp.office365.com Hello
S: 250-SIZE 157286400
S: 250-PIPELINING
S: 250-AUTH LOGIN XOAUTH2
S: 250 SMTPUTF8
C: AUTH LOGIN
S: 334 VXNlcm5hbWU6
C: )" + kUserB64 +
                 R"(
! not-ready
S: 334 UGFzc3dvcmQ6
C: )" + kPasswordB64 +
                 R"(
S: 235 2.7.0 Authentication successful
! ready
)" + kQuit,
             script_config());
}

ClientConfig xoauth2_config() {
  ClientConfig config = script_config();
  config.auth_mechanisms = {"XOAUTH2"};
  config.password = "ya29.token";
  return config;
}

// base64("user=app@example.com\x01auth=Bearer ya29.token\x01\x01")
const std::string kXoauth2B64 = "dXNlcj1hcHBAZXhhbXBsZS5jb20BYXV0aD1CZWFyZXIgeWEyOS50b2tlbgEB";

TEST(ClientSession, AuthXoauth2) {
  run_script(kToTls + R"(S: 250-smtp.gmail.com
S: 250 AUTH LOGIN PLAIN XOAUTH2
C: AUTH XOAUTH2 )" +
                 kXoauth2B64 + R"(
S: 235 2.7.0 Accepted
! ready
)" + kQuit,
             xoauth2_config());
}

// An expired token: the 334 challenge carries the error; an empty line asks for the failure.
TEST(ClientSession, AuthXoauth2ErrorChallenge) {
  ClientScript s = run_script(kToTls + R"(S: 250-smtp.gmail.com
S: 250 AUTH LOGIN PLAIN XOAUTH2
C: AUTH XOAUTH2 )" + kXoauth2B64 + R"(
S: 334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==
C:
! not-ready
S: 535 5.7.8 Username and Password not accepted
! failure auth_failed
C: QUIT
S: 221 2.0.0 Bye
! close
)",
                              xoauth2_config());
  EXPECT_EQ(s.session().failure_reply(), (Reply{535, "5.7.8 Username and Password not accepted"}));
}

TEST(ClientSession, AuthRefusedReplies) {
  const Reply refusals[] = {
      {535, "5.7.8 Authentication credentials invalid"},
      {535, "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled"},
      {454, "4.7.0 Too many login attempts, please try again later"},
      {534, "5.7.9 Application-specific password required"},
  };
  for (const Reply& refusal : refusals) {
    ClientScript s = run_script(kToTls + R"(S: 250-smtp.provider.test
S: 250 AUTH PLAIN
C: AUTH PLAIN )" + kPlainB64 +
                                    "\nS: " + std::to_string(refusal.code) + " " + refusal.text +
                                    R"(
! failure auth_failed
! not-ready
C: QUIT
S: 221 2.0.0 Bye
! close
! failure auth_failed
)",
                                script_config());
    EXPECT_EQ(s.session().failure_reply(), refusal);
  }
  // 421 to AUTH: the server is closing, so no QUIT.
  run_script(kToTls + R"(S: 250-smtp.provider.test
S: 250 AUTH PLAIN
C: AUTH PLAIN )" +
                 kPlainB64 + R"(
S: 421 4.7.0 Too many failed authentications, closing connection
! failure auth_failed
! close
)",
             script_config());
}

// A challenge PLAIN does not have (the initial response was sent): cancel with "*".
TEST(ClientSession, UnexpectedChallengeIsCancelled) {
  run_script(kToTls + R"(S: 250-smtp.provider.test
S: 250 AUTH PLAIN
C: AUTH PLAIN )" +
                 kPlainB64 + R"(
S: 334 
C: *
S: 501 5.0.0 Authentication cancelled
! failure auth_failed
C: QUIT
S: 221 2.0.0 Bye
! close
)",
             script_config());
}

TEST(ClientSession, AuthNotOffered) {
  ClientScript s = run_script(kToTls + R"(S: 250-smtp.provider.test
S: 250 AUTH CRAM-MD5 GSSAPI
C: QUIT
! failure auth_not_offered
S: 221 2.0.0 Bye
! close
)",
                              script_config());
  EXPECT_EQ(s.wire.find("AUTH"), std::string::npos);
}

TEST(ClientSession, NoCredentialsNoAuth) {
  ClientConfig config = script_config();
  config.username.clear();
  run_script(kToTls + R"(S: 250-smtp.provider.test
S: 250 AUTH PLAIN
! ready
)" + kQuit,
             config);
}

// Credentials reach the wire and nothing else: not the failure reply, not the results.
TEST(ClientSession, CredentialsOnlyInTheOutput) {
  const std::string secrets[] = {"s3cret-pass", kPlainB64, kPasswordB64, "czNjcmV0"};
  ClientScript s = run_script(kToTls + R"(S: 250-smtp.provider.test
S: 250 AUTH PLAIN
C: AUTH PLAIN )" + kPlainB64 + R"(
S: 535 5.7.8 Authentication credentials invalid
C: QUIT
S: 221 2.0.0 Bye
! close
)",
                              script_config());
  EXPECT_NE(s.wire.find(kPlainB64), std::string::npos);
  ASSERT_TRUE(s.session().failure_reply());
  for (const std::string& secret : secrets) {
    EXPECT_EQ(s.session().failure_reply()->text.find(secret), std::string::npos);
  }
}

// EHLO refused: HELO only where no extension is needed (no TLS, no AUTH).
TEST(ClientSession, EhloRefused) {
  ClientScript refused = run_script(R"(S: 220 smtp.provider.test ESMTP
C: EHLO relay.test
S: 502 5.5.2 Command not recognized
! failure ehlo_refused
C: QUIT
S: 221 Bye
! close
)",
                                    script_config());
  EXPECT_EQ(refused.session().failure_reply(), (Reply{502, "5.5.2 Command not recognized"}));

  ClientConfig plain = script_config();
  plain.tls = ClientTls::none;
  plain.username.clear();
  run_script(R"(S: 220 old.test SMTP
C: EHLO relay.test
S: 500 Syntax error, command unrecognized
C: HELO relay.test
S: 250 old.test
! ready
)" + kQuit,
             plain);
  run_script(R"(S: 220 old.test SMTP
C: EHLO relay.test
S: 500 Syntax error, command unrecognized
C: HELO relay.test
S: 501 No
! failure ehlo_refused
C: QUIT
S: 221 Bye
! close
)",
             plain);
  // 4xx is not "EHLO unknown": no fallback.
  run_script(R"(S: 220 old.test SMTP
C: EHLO relay.test
S: 451 4.3.0 Try later
! failure ehlo_refused
C: QUIT
S: 221 Bye
! close
)",
             plain);
}

// Plaintext (loopback only): no STARTTLS even when offered; AUTH if credentials are set.
TEST(ClientSession, PlaintextSession) {
  ClientConfig config = script_config();
  config.tls = ClientTls::none;
  ClientScript s = run_script(R"(S: 220 sidecar.test ESMTP
C: EHLO relay.test
S: 250-sidecar.test
S: 250-STARTTLS
S: 250 AUTH PLAIN
C: AUTH PLAIN )" + kPlainB64 + R"(
S: 235 2.7.0 Ok
! ready
)" + kQuit,
                              config);
  EXPECT_FALSE(s.session().tls_active());
}

// A malformed or oversized reply ends the session at once: no QUIT into a broken stream.
TEST(ClientSession, StrictRepliesEndTheSession) {
  ClientConfig config = script_config();
  config.max_reply_line = 64;
  config.max_reply_lines = 4;
  const std::string bad_ehlo_replies[] = {
      "S: 250-smtp.provider.test\nS: 250 " + std::string(70, 'x') + "\n",  // too long
      "S: 250-a\nS: 250-b\nS: 250-c\nS: 250-d\nS: 250 STARTTLS\n",         // 5 lines
      "S~ 250-smtp.provider.test\\n250 STARTTLS\\r\\n\n",                  // bare LF
      "S~ 250-smtp.provider.test\\r250 STARTTLS\\r\\n\n",                  // bare CR
      "S: 250-smtp.provider.test\nS: 251 STARTTLS\n",                      // mixed codes
      "S: 250-smtp.provider.test\nS: 250_STARTTLS\n",                      // malformed
      "S: 250-smtp.provider.test\nS: hello\n",                             // not a reply
  };
  for (const std::string& bad : bad_ehlo_replies) {
    SCOPED_TRACE(bad);
    ClientScript s = run_script("S: 220 smtp.provider.test ESMTP\nC: EHLO relay.test\n" + bad +
                                    "! failure protocol_error\n! close\n",
                                config);
    EXPECT_EQ(s.wire, "EHLO relay.test\r\n");
  }
}

TEST(ClientSession, LimitsAreInclusive) {
  ClientConfig config = script_config();
  config.max_reply_line = 64;
  config.max_reply_lines = 4;
  // 62 octets + CRLF = 64; 4 lines.
  run_script("S: 220 " + std::string(58, 'g') + "\nC: EHLO relay.test\n" +
                 "S: 250-a\nS: 250-b\nS: 250-STARTTLS\nS: 250 PIPELINING\nC: STARTTLS\n" +
                 "! failure none\n",
             config);
}

TEST(ClientSession, UnsolicitedReplies) {
  // 421 while idle: the server closes (an idle timeout, a shutdown).
  ClientScript closing = run_script(kReadyPipelined + R"(S: 421 4.4.2 Idle timeout
! failure connection_lost
! close
)",
                                    script_config());
  EXPECT_EQ(closing.session().failure_reply(), (Reply{421, "4.4.2 Idle timeout"}));
  run_script(kReadyPipelined + R"(S: 250 2.0.0 nobody asked
! failure protocol_error
! close
)",
             script_config());
}

TEST(ClientSession, Timeouts) {
  // Each state arms its own timeout; on expiry the session closes without QUIT.
  run_script(R"(! timeout-is greeting
! timeout
! failure timed_out
! close
)",
             script_config());
  run_script(R"(S: 220 smtp.provider.test ESMTP
C: EHLO relay.test
! timeout-is command
! timeout
! failure timed_out
! close
)",
             script_config());
  // During the handshake too (the driver may use it for the handshake).
  run_script(kToTls.substr(0, kToTls.find("! tls")) + R"(! tls-begin
! timeout-is command
! timeout
! failure timed_out
! close
)",
             script_config());
  // Waiting for QUIT's answer after a failure: the failure stays what it was.
  run_script(R"(S: 554 5.7.1 Go away
C: QUIT
! timeout
! failure greeting_refused
! close
)",
             script_config());
}

TEST(ClientSession, ConnectionLostDuringSetup) {
  run_script(R"(S: 220 smtp.provider.test ESMTP
C: EHLO relay.test
S~ 250-smtp.pro
! lost
! failure connection_lost
! closed
)",
             script_config());
}

// quit() before the session is ready: QUIT goes where the next command would have.
TEST(ClientSession, QuitDuringSetup) {
  run_script(R"(! quit
S: 220 smtp.provider.test ESMTP
C: QUIT
S: 221 2.0.0 Bye
! close
! failure none
)",
             script_config());
  run_script(kToTls.substr(0, kToTls.find("! tls")) + R"(! quit
! tls
C: QUIT
S: 221 2.0.0 Bye
! close
)",
             script_config());
}

TEST(ClientSession, EventsAfterCloseAreIgnored) {
  ClientScript s = run_script(kReadyPipelined + kQuit + R"(S: 250 late
! timeout
! lost
! quit
! failure none
)",
                              script_config());
  EXPECT_TRUE(s.session().closed());
  EXPECT_FALSE(s.session().ready());
}

// Lost after QUIT was sent: the session ended as asked, not a failure.
TEST(ClientSession, LostAfterQuitIsNoFailure) {
  run_script(kReadyPipelined + R"(! quit
C: QUIT
! lost
! closed
! failure none
)",
             script_config());
}

}  // namespace
}  // namespace postern::smtp
