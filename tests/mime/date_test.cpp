#include "mime/date.hpp"

#include <gtest/gtest.h>

namespace postern::mime {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;

struct DateCase {
  long long unix_ms;
  const char* want;
};

TEST(Rfc5322Date, KnownTimestamps) {
  const DateCase cases[] = {
      {0, "Thu, 1 Jan 1970 00:00:00 +0000"},
      {1795953600000, "Sun, 29 Nov 2026 12:00:00 +0000"},
      {951782400000, "Tue, 29 Feb 2000 00:00:00 +0000"},        // leap day of a century
      {2147483647000, "Tue, 19 Jan 2038 03:14:07 +0000"},       // past 32-bit time_t
      {1700000000999, "Tue, 14 Nov 2023 22:13:20 +0000"},       // milliseconds truncated
      {-1000, "Wed, 31 Dec 1969 23:59:59 +0000"},
      {-1, "Wed, 31 Dec 1969 23:59:59 +0000"},                  // floor, not toward zero
      {4102444800000, "Fri, 1 Jan 2100 00:00:00 +0000"},
      {7258118399000, "Tue, 31 Dec 2199 23:59:59 +0000"},
  };
  for (const auto& c : cases) {
    const system_clock::time_point t{std::chrono::duration_cast<system_clock::duration>(
        milliseconds(c.unix_ms))};
    EXPECT_EQ(format_rfc5322_date(t), c.want) << c.unix_ms;
  }
}

TEST(Rfc5322Date, EveryWeekdayAndMonthName) {
  // 2026-01-04 was a Sunday; step a week and a day at a time through a year.
  const system_clock::time_point start{seconds(1767484800)};
  std::string all;
  for (int i = 0; i < 7; ++i) all += format_rfc5322_date(start + std::chrono::days(i)).substr(0, 3);
  EXPECT_EQ(all, "SunMonTueWedThuFriSat");
  std::string months;
  for (int m = 0; m < 12; ++m) {
    const auto text = format_rfc5322_date(start + std::chrono::days(31 * m));
    months += text.substr(text.find(' ', 5) + 1, 3);
  }
  EXPECT_EQ(months, "JanFebMarAprMayJunJulAugSepOctNovDec");
}

}  // namespace
}  // namespace postern::mime
