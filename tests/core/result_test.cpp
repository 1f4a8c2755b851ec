#include "core/result.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace postern::core {
namespace {

Result<int> half(int n) {
  if (n % 2 != 0) return make_error_code(Errc::invalid_argument);
  return n / 2;
}

TEST(Result, CarriesValueOrError) {
  auto good = half(4);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 2);
  auto bad = half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), Errc::invalid_argument);
  EXPECT_EQ(bad.error().message(), "invalid argument");
}

}  // namespace
}  // namespace postern::core
