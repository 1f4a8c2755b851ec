#include "core/ids.hpp"

#include <gtest/gtest.h>

#include <set>

namespace postern::core {
namespace {

TEST(QueueId, IsTwentyCrockfordCharacters) {
  const std::string id = make_queue_id(1'700'000'000'000);
  ASSERT_EQ(id.size(), 20u);
  EXPECT_EQ(id.find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ"), std::string::npos);
}

TEST(QueueId, SortsByTime) {
  EXPECT_LT(make_queue_id(1'700'000'000'000), make_queue_id(1'700'000'000'001));
}

TEST(QueueId, DoesNotRepeatWithinOneMillisecond) {
  std::set<std::string> ids;
  for (int i = 0; i < 10'000; ++i) ids.insert(make_queue_id(42));
  EXPECT_EQ(ids.size(), 10'000u);
}

}  // namespace
}  // namespace postern::core
