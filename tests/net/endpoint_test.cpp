#include "net/endpoint.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace postern::net {
namespace {

namespace ip = boost::asio::ip;

struct ParseCase {
  const char* text;
  std::optional<std::uint16_t> default_port;
  bool ok;
  const char* host;
  std::uint16_t port;
};

TEST(ParseHostPort, Table) {
  const ParseCase cases[] = {
      {"smtp.gmail.com:587", {}, true, "smtp.gmail.com", 587},
      {"localhost:2525", {}, true, "localhost", 2525},
      {"127.0.0.1:25", {}, true, "127.0.0.1", 25},
      {"[::1]:587", {}, true, "::1", 587},
      {"[2001:db8::1]:65535", {}, true, "2001:db8::1", 65535},
      {"[fe80::1%eth0]:25", {}, true, "fe80::1%eth0", 25},
      {"0.0.0.0:0", {}, true, "0.0.0.0", 0},  // listener: any port
      {"mail.example.:587", {}, true, "mail.example.", 587},
      {"smtp.example", 587, true, "smtp.example", 587},
      {"[::1]", 587, true, "::1", 587},
      {"smtp.example:2525", 587, true, "smtp.example", 2525},
      // errors
      {"", {}, false, "", 0},
      {"smtp.example", {}, false, "", 0},   // port required
      {"[::1]", {}, false, "", 0},
      {"smtp.example:", {}, false, "", 0},
      {":587", {}, false, "", 0},
      {"smtp.example:65536", {}, false, "", 0},
      {"smtp.example:-1", {}, false, "", 0},
      {"smtp.example:+25", {}, false, "", 0},
      {"smtp.example:25x", {}, false, "", 0},
      {"smtp.example:000025", {}, false, "", 0},
      {"::1:587", {}, false, "", 0},        // IPv6 needs brackets
      {"[::1]587", {}, false, "", 0},
      {"[::1:587", {}, false, "", 0},
      {"[not-ip]:587", {}, false, "", 0},
      {"[127.0.0.1]:25", {}, false, "", 0},  // brackets are for IPv6 only
      {"bad_host:25", {}, false, "", 0},
      {"-bad.example:25", {}, false, "", 0},
      {"a..b:25", {}, false, "", 0},
      {"host name:25", {}, false, "", 0},
  };
  for (const auto& c : cases) {
    const auto got = parse_host_port(c.text, c.default_port);
    ASSERT_EQ(got.ok(), c.ok) << c.text;
    if (c.ok) {
      EXPECT_EQ(got->host, c.host) << c.text;
      EXPECT_EQ(got->port, c.port) << c.text;
    } else {
      EXPECT_EQ(got.error(), core::Errc::invalid_argument) << c.text;
    }
  }
}

TEST(ParseHostPort, FormatIsTheInverse) {
  for (const char* text : {"smtp.example:587", "[::1]:25", "192.0.2.1:2525", "[2001:db8::1]:0"}) {
    const auto parsed = parse_host_port(text);
    ASSERT_TRUE(parsed.ok()) << text;
    EXPECT_EQ(format_host_port(parsed->host, parsed->port), text);
  }
}

TEST(Hostname, Validity) {
  EXPECT_TRUE(is_valid_hostname("a"));
  EXPECT_TRUE(is_valid_hostname("mail-1.example.com"));
  EXPECT_TRUE(is_valid_hostname("example.com."));
  EXPECT_TRUE(is_valid_hostname(std::string(63, 'a') + ".com"));
  EXPECT_FALSE(is_valid_hostname(std::string(64, 'a') + ".com"));
  EXPECT_FALSE(is_valid_hostname(""));
  EXPECT_FALSE(is_valid_hostname("."));
  EXPECT_FALSE(is_valid_hostname("a-.example"));
  EXPECT_FALSE(is_valid_hostname("a.-b"));
  EXPECT_FALSE(is_valid_hostname("under_score.example"));
  std::string long_name;
  while (long_name.size() < 254) long_name += "abcdefghi.";
  EXPECT_FALSE(is_valid_hostname(long_name.substr(0, 254)));
}

TEST(Loopback, Addresses) {
  const std::pair<const char*, bool> cases[] = {
      {"127.0.0.1", true},  {"127.255.0.9", true}, {"::1", true},
      {"::ffff:127.0.0.1", true}, {"10.0.0.1", false}, {"0.0.0.0", false},
      {"::", false},        {"::ffff:10.0.0.1", false}, {"2001:db8::1", false},
      {"128.0.0.1", false},
  };
  for (const auto& [text, want] : cases) {
    EXPECT_EQ(is_loopback(ip::make_address(text)), want) << text;
  }
}

TEST(Loopback, Hosts) {
  const std::pair<const char*, bool> cases[] = {
      {"localhost", true}, {"LOCALHOST", true}, {"localhost.", true}, {"127.0.0.2", true},
      {"::1", true},       {"localhost.example", false}, {"mylocalhost", false},
      {"smtp.gmail.com", false}, {"10.1.1.1", false}, {"", false},
  };
  for (const auto& [text, want] : cases) EXPECT_EQ(is_loopback_host(text), want) << text;
}

TEST(AddressLiteral, Rfc5321Forms) {
  EXPECT_EQ(address_literal(ip::make_address("192.0.2.1")), "[192.0.2.1]");
  EXPECT_EQ(address_literal(ip::make_address("2001:db8::1")), "[IPv6:2001:db8::1]");
  EXPECT_EQ(address_literal(ip::make_address("::ffff:192.0.2.1")), "[192.0.2.1]");
  EXPECT_EQ(unmap(ip::make_address("::ffff:192.0.2.1")), ip::make_address("192.0.2.1"));
  EXPECT_EQ(unmap(ip::make_address("::1")), ip::make_address("::1"));
}

}  // namespace
}  // namespace postern::net
