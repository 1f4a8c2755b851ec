#pragma once
// Script pieces the ClientSession tests share (see client_script.hpp for the format).

#include <string>

#include "smtp/client_session.hpp"

namespace postern::smtp::testing {

// base64 of "\0app@example.com\0s3cret-pass", "app@example.com", "s3cret-pass".
inline const std::string kPlainB64 = "AGFwcEBleGFtcGxlLmNvbQBzM2NyZXQtcGFzcw==";
inline const std::string kUserB64 = "YXBwQGV4YW1wbGUuY29t";
inline const std::string kPasswordB64 = "czNjcmV0LXBhc3M=";

// Greeting, EHLO with STARTTLS, STARTTLS, handshake, up to the second EHLO.
inline const std::string kToTls = R"(S: 220 smtp.provider.test ESMTP ready
! timeout-is command
C: EHLO relay.test
S: 250-smtp.provider.test Hello
S: 250-SIZE 35882577
S: 250-8BITMIME
S: 250-STARTTLS
S: 250-ENHANCEDSTATUSCODES
S: 250 PIPELINING
C: STARTTLS
S: 220 2.0.0 Ready to start TLS
! not-ready
! tls
C: EHLO relay.test
)";

// The EHLO after TLS with PIPELINING, then AUTH PLAIN and 235.
inline const std::string kPipelinedAuth = R"(S: 250-smtp.provider.test Hello
S: 250-SIZE 35882577
S: 250-8BITMIME
S: 250-AUTH LOGIN PLAIN XOAUTH2
S: 250-ENHANCEDSTATUSCODES
S: 250-PIPELINING
S: 250 SMTPUTF8
C: AUTH PLAIN )" + kPlainB64 + R"(
! not-ready
S: 235 2.7.0 Accepted
! ready
)";

// The same without PIPELINING.
inline const std::string kPlainAuth = R"(S: 250-smtp.provider.test Hello
S: 250-SIZE 35882577
S: 250-8BITMIME
S: 250 AUTH PLAIN LOGIN
C: AUTH PLAIN )" + kPlainB64 + R"(
S: 235 2.7.0 Accepted
! ready
)";

inline const std::string kReadyPipelined = kToTls + kPipelinedAuth;
inline const std::string kReadyOneByOne = kToTls + kPlainAuth;

// QUIT at the end of a healthy session.
inline const std::string kQuit = R"(! quit
! not-ready
C: QUIT
S: 221 2.0.0 Bye
! close
! failure none
)";

// Two recipients; content size (RFC 1870) 22.
inline OutgoingMessage message(std::vector<std::string> rcpt_to = {"a@example.net",
                                                                   "b@example.net"}) {
  OutgoingMessage m;
  m.mail_from = "app@example.com";
  m.rcpt_to = std::move(rcpt_to);
  m.content = "Subject: hi\r\n\r\nHello\r\n";
  return m;
}

inline const std::string kBody = R"(C: Subject: hi
C:
C: Hello
C: .
)";

}  // namespace postern::smtp::testing
