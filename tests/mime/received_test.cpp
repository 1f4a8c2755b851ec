#include "mime/received.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace postern::mime {
namespace {

const std::chrono::system_clock::time_point kTime{std::chrono::seconds(1795953600)};

ReceivedInfo submission() {
  ReceivedInfo info;
  info.helo = "client.example";
  info.client_rdns = "host-1.isp.example";
  info.client_ip = "192.0.2.1";
  info.by_host = "mail.example";
  info.queue_id = "01JD2S3ZK5Q8W7E4C9XN";
  info.tls = true;
  info.tls_version = "TLSv1.3";
  info.tls_cipher = "TLS_AES_256_GCM_SHA384";
  info.authenticated = true;
  info.auth_user = "alice";
  info.time = kTime;
  return info;
}

// Every line of a header field: < 79 characters before CRLF, continuation lines start with TAB.
void expect_well_folded(const std::string& field) {
  ASSERT_GE(field.size(), 2u);
  ASSERT_EQ(field.substr(field.size() - 2), "\r\n");
  std::size_t start = 0;
  bool first = true;
  while (start < field.size()) {
    const std::size_t end = field.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    const std::string line = field.substr(start, end - start);
    EXPECT_LE(line.size(), 78u) << line;
    EXPECT_EQ(line.find_first_of("\r\n"), std::string::npos);
    if (!first) {
      EXPECT_EQ(line.front(), '\t') << line;
    }
    first = false;
    start = end + 2;
  }
}

TEST(Received, SubmissionOverTlsWithAuth) {
  const std::string field = make_received_header(submission());
  EXPECT_EQ(field,
            "Received: from client.example (host-1.isp.example [192.0.2.1])\r\n"
            "\tby mail.example (Postern) with ESMTPSA id 01JD2S3ZK5Q8W7E4C9XN\r\n"
            "\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384)\r\n"
            "\t; Sun, 29 Nov 2026 12:00:00 +0000\r\n");
  expect_well_folded(field);
  EXPECT_EQ(field.find("alice"), std::string::npos);  // no account name by default
}

TEST(Received, AuthUserOnlyWhenAsked) {
  ReceivedInfo info = submission();
  info.show_auth_user = true;
  info.auth_user = "alice (x)\r\nBcc: evil";
  const std::string field = make_received_header(info);
  EXPECT_NE(field.find("\t(Authenticated sender: alice__x___Bcc:_evil)\r\n"), std::string::npos)
      << field;
}

TEST(Received, ProtocolKeywords) {
  struct Case {
    bool esmtp, tls, auth;
    const char* want;
  };
  for (const Case c : {Case{false, false, false, "SMTP"}, Case{true, false, false, "ESMTP"},
                       Case{true, true, false, "ESMTPS"}, Case{true, false, true, "ESMTPA"},
                       Case{true, true, true, "ESMTPSA"}}) {
    ReceivedInfo info = submission();
    info.esmtp = c.esmtp;
    info.tls = c.tls;
    info.authenticated = c.auth;
    EXPECT_EQ(with_protocol(info), c.want);
    const std::string field = make_received_header(info);
    EXPECT_NE(field.find(std::string(" with ") + c.want + " id "), std::string::npos) << field;
    EXPECT_EQ(field.find("version="), c.tls ? field.find("(version=") + 1 : std::string::npos);
  }
}

TEST(Received, Ipv6AndUnknownRdns) {
  ReceivedInfo info = submission();
  info.client_rdns = {};
  info.client_ip = "2001:db8::1";
  const std::string field = make_received_header(info);
  EXPECT_EQ(field.substr(0, field.find("\r\n")),
            "Received: from client.example ([IPv6:2001:db8::1])");
}

TEST(Received, HostileHeloCannotInjectSyntax) {
  ReceivedInfo info = submission();
  info.helo = "evil; by x (y)\r\nX-Injected: 1";
  const std::string field = make_received_header(info);
  EXPECT_EQ(field.find("X-Injected: 1"), std::string::npos);
  EXPECT_EQ(field.find(';'), field.rfind(';'));  // only the date separator
  EXPECT_NE(field.find("from evil__by_x__y___X-Injected:_1 "), std::string::npos) << field;
  expect_well_folded(field);
}

TEST(Received, LongNamesAreFolded) {
  ReceivedInfo info = submission();
  const std::string long_helo(60, 'h');
  const std::string long_rdns(50, 'r');
  const std::string long_host(70, 'b');
  info.helo = long_helo;
  info.client_rdns = long_rdns;
  info.by_host = long_host;
  const std::string field = make_received_header(info);
  expect_well_folded(field);
  EXPECT_NE(field.find("Received: from " + long_helo + "\r\n\t(" + long_rdns + " [192.0.2.1])"),
            std::string::npos)
      << field;
}

TEST(Received, NoClientPartForLocalInjection) {
  ReceivedInfo info = submission();
  info.helo = {};
  info.client_ip = {};
  info.client_rdns = {};
  info.tls = false;
  info.authenticated = false;
  EXPECT_EQ(make_received_header(info),
            "Received: by mail.example (Postern) with ESMTP id 01JD2S3ZK5Q8W7E4C9XN\r\n"
            "\t; Sun, 29 Nov 2026 12:00:00 +0000\r\n");
}

}  // namespace
}  // namespace postern::mime
