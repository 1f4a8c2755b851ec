#include "policy/egress.hpp"

#include <gtest/gtest.h>

namespace postern::policy {
namespace {

struct EgressCase {
  const char* host;
  std::uint16_t port;
  UpstreamTls tls;
  bool loopback;
  std::optional<EgressError> want;
};

TEST(CheckEgress, Table) {
  using E = EgressError;
  constexpr auto req = UpstreamTls::required;
  constexpr auto none = UpstreamTls::none;
  const EgressCase cases[] = {
      {"smtp.gmail.com", 587, req, false, std::nullopt},
      {"smtp.gmail.com", 25, req, false, E::port_25_blocked},
      {"smtp.gmail.com", 465, req, false, E::port_465_blocked},
      {"smtp.gmail.com", 2525, req, false, E::not_submission_port},
      {"smtp.gmail.com", 588, req, false, E::not_submission_port},
      {"smtp.gmail.com", 587, none, false, E::plaintext_not_loopback},
      {"smtp.gmail.com", 25, none, false, E::port_25_blocked},  // the port is named first
      {"192.0.2.10", 587, req, false, std::nullopt},
      // Loopback: any port, plaintext when configured.
      {"127.0.0.1", 25, req, true, std::nullopt},
      {"127.0.0.1", 465, none, true, std::nullopt},
      {"127.0.0.1", 2525, none, true, std::nullopt},
      {"::1", 1025, none, true, std::nullopt},
      {"localhost", 587, none, true, std::nullopt},
  };
  for (const EgressCase& c : cases) {
    const auto got = check_egress(c.host, c.port, c.tls, c.loopback);
    ASSERT_EQ(got.has_value(), c.want.has_value()) << c.host << ":" << c.port;
    if (got) {
      EXPECT_EQ(got->error, *c.want) << c.host << ":" << c.port;
      EXPECT_FALSE(got->message.empty());
    }
  }
}

TEST(CheckEgress, MessagesExplainTheWayOut) {
  EXPECT_EQ(check_egress("smtp.example.com", 25, UpstreamTls::required, false)->message,
            "port 25 is blocked by the platform; use the provider's submission port 587 with "
            "STARTTLS");
  EXPECT_EQ(check_egress("smtp.example.com", 465, UpstreamTls::required, false)->message,
            "port 465 is blocked by the platform; use the provider's submission port 587 with "
            "STARTTLS");
  const std::string other =
      check_egress("smtp.example.com", 2525, UpstreamTls::required, false)->message;
  EXPECT_NE(other.find("smtp.example.com:2525"), std::string::npos) << other;
  EXPECT_NE(other.find("587"), std::string::npos) << other;
  EXPECT_NE(other.find("loopback"), std::string::npos) << other;
  const std::string plain =
      check_egress("smtp.example.com", 587, UpstreamTls::none, false)->message;
  EXPECT_NE(plain.find("tls = none"), std::string::npos) << plain;
  EXPECT_NE(plain.find("STARTTLS"), std::string::npos) << plain;
}

TEST(IsLoopbackHost, Table) {
  for (const char* yes : {"localhost", "LOCALHOST", "localhost.", "127.0.0.1", "127.1.2.3", "::1",
                          "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(is_loopback_host(yes)) << yes;
  }
  for (const char* no :
       {"", "smtp.gmail.com", "128.0.0.1", "10.0.0.1", "::2", "::", "localhost.example.com",
        "127.0.0.1.nip.io", "0.0.0.0", "::ffff:10.0.0.1", "[127.0.0.1"}) {
    EXPECT_FALSE(is_loopback_host(no)) << no;
  }
}

}  // namespace
}  // namespace postern::policy
