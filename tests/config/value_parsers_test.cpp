#include "config/value_parsers.hpp"

#include <gtest/gtest.h>

namespace postern::config {
namespace {

using std::chrono::milliseconds;

TEST(ParseSize, Table) {
  struct Case {
    const char* text;
    std::optional<std::uint64_t> want;
  } cases[] = {
      {"0", 0},
      {"1000", 1000},
      {"25MiB", 25ull << 20},
      {"25mib", 25ull << 20},
      {"25 MiB", 25ull << 20},
      {"512KiB", 512ull << 10},
      {"1GiB", 1ull << 30},
      {"10MB", 10'000'000},
      {"10M", 10'000'000},
      {"3k", 3000},
      {"2G", 2'000'000'000},
      {"7B", 7},
      {"", std::nullopt},
      {"MiB", std::nullopt},
      {"-1", std::nullopt},
      {"1.5MiB", std::nullopt},
      {"25 furlongs", std::nullopt},
      {" 25MiB", std::nullopt},
      {"25MiB ", std::nullopt},
      {"18446744073709551615", 18446744073709551615ull},
      {"18446744073709551616", std::nullopt},
      {"17179869184GiB", std::nullopt},  // overflows when multiplied
  };
  for (const Case& c : cases) {
    std::string why;
    EXPECT_EQ(parse_size(c.text, why), c.want) << "'" << c.text << "'";
    if (!c.want) {
      EXPECT_FALSE(why.empty());
    }
  }
}

TEST(ParseDuration, Table) {
  struct Case {
    const char* text;
    std::optional<milliseconds> want;
  } cases[] = {
      {"30s", milliseconds(30'000)},
      {"5m", milliseconds(300'000)},
      {"1h", milliseconds(3'600'000)},
      {"250ms", milliseconds(250)},
      {"1m30s", milliseconds(90'000)},
      {"1h0m5s", milliseconds(3'605'000)},
      {"45", milliseconds(45'000)},
      {"5M", milliseconds(300'000)},
      {"0s", milliseconds(0)},
      {"", std::nullopt},
      {"s", std::nullopt},
      {"5", milliseconds(5000)},
      {"5 m", std::nullopt},
      {"5min", std::nullopt},
      {"1.5s", std::nullopt},
      {"-5s", std::nullopt},
      {"5d", milliseconds(432'000'000)},
      {"1d12h", milliseconds(129'600'000)},
      {"5w", std::nullopt},
      {"99999999999999h", std::nullopt},
      {"99999999999999999999s", std::nullopt},
  };
  for (const Case& c : cases) {
    std::string why;
    EXPECT_EQ(parse_duration(c.text, why), c.want) << "'" << c.text << "'";
  }
}

TEST(ParseListen, Table) {
  struct Case {
    const char* text;
    std::optional<ListenAddress> want;
    const char* why = "";
  } cases[] = {
      {"0.0.0.0:587", ListenAddress{"0.0.0.0", 587}},
      {"127.0.0.1:2525", ListenAddress{"127.0.0.1", 2525}},
      {"localhost:1", ListenAddress{"localhost", 1}},
      {"[::1]:587", ListenAddress{"::1", 587}},
      {"[::]:65535", ListenAddress{"::", 65535}},
      {"127.0.0.1:0", ListenAddress{"127.0.0.1", 0}},
      {"mail.example.com:587", std::nullopt, "host must be an IP address or localhost"},
      {"0.0.0.0:65536", std::nullopt, "port must be 0-65535"},
      {"0.0.0.0:70000", std::nullopt, "port must be 0-65535"},
      {"0.0.0.0:smtp", std::nullopt, "port must be 0-65535"},
      {"0.0.0.0:", std::nullopt, "port must be 0-65535"},
      {"0.0.0.0", std::nullopt, "must be host:port"},
      {":587", std::nullopt, "must be host:port"},
      {"::1:587", std::nullopt, "must be host:port"},
      {"[127.0.0.1]:587", std::nullopt, "must be host:port"},
      {"[::1:587", std::nullopt, "must be host:port"},
      {"host name:587", std::nullopt, "must be host:port"},
  };
  for (const Case& c : cases) {
    std::string why;
    EXPECT_EQ(parse_listen(c.text, why), c.want) << c.text;
    if (!c.want) {
      EXPECT_EQ(why.rfind(c.why, 0), 0u) << c.text << ": " << why;
    }
  }
}

TEST(CheckHostname, Table) {
  for (const char* good : {"localhost", "mail.example.com", "a-b.c1", "x", "MX1.Example.COM"}) {
    EXPECT_EQ(check_hostname(good), "") << good;
  }
  for (const char* bad : {"", "bad_host", "-a.com", "a-.com", "a..com", ".a.com", "a.com.", "a com",
                          "\xc3\xa9.com"}) {
    EXPECT_NE(check_hostname(bad), "") << bad;
  }
  EXPECT_NE(check_hostname(std::string(64, 'a') + ".com"), "");
  EXPECT_EQ(check_hostname(std::string(63, 'a') + ".com"), "");
}

TEST(Format, SizesAndDurationsRoundTrip) {
  EXPECT_EQ(format_size(25ull << 20), "25MiB");
  EXPECT_EQ(format_size(1ull << 30), "1GiB");
  EXPECT_EQ(format_size(1536), "1536");
  EXPECT_EQ(format_size(2048), "2KiB");
  EXPECT_EQ(format_size(1000), "1000");
  EXPECT_EQ(format_duration(milliseconds(300'000)), "5m");
  EXPECT_EQ(format_duration(milliseconds(90'000)), "90s");
  EXPECT_EQ(format_duration(milliseconds(250)), "250ms");
  EXPECT_EQ(format_duration(std::chrono::hours(24)), "24h");
  for (std::uint64_t n : {1ull, 1000ull, 1024ull, 25ull << 20, 3ull << 30, 123457ull}) {
    std::string why;
    EXPECT_EQ(parse_size(format_size(n), why), n);
  }
  for (long ms : {1L, 999L, 1000L, 61'000L, 3'600'000L, 5'400'000L}) {
    std::string why;
    EXPECT_EQ(parse_duration(format_duration(milliseconds(ms)), why), milliseconds(ms));
  }
  EXPECT_EQ(format_listen({"::1", 587}), "[::1]:587");
  EXPECT_EQ(format_listen({"0.0.0.0", 25}), "0.0.0.0:25");
}

}  // namespace
}  // namespace postern::config
