// The in-memory hand-off of committed bodies from acceptance to delivery
// (store/content_handoff.hpp and Store::take_content).

#include "store/content_handoff.hpp"

#include <gtest/gtest.h>

#include "store_test_support.hpp"

namespace postern::store {
namespace {

using testing::commit;
using testing::make_message;
using testing::must_open;
using testing::operate;
using testing::options_for;
using testing::TempDir;

TEST(ContentHandoff, HandsEachBodyOverOnce) {
  ContentHandoff handoff(100);
  handoff.put("A", "body-a");
  EXPECT_EQ(handoff.bytes(), 6u);
  EXPECT_EQ(handoff.take("A"), "body-a");
  EXPECT_EQ(handoff.take("A"), std::nullopt);  // a second job reads the store
  EXPECT_EQ(handoff.take("B"), std::nullopt);
  EXPECT_EQ(handoff.bytes(), 0u);
}

TEST(ContentHandoff, KeepsTheNewestWithinTheBound) {
  ContentHandoff handoff(10);
  handoff.put("A", "aaaa");
  handoff.put("B", "bbbb");
  handoff.put("C", "cccc");  // 12 > 10: A, the oldest, goes
  EXPECT_EQ(handoff.take("A"), std::nullopt);
  EXPECT_EQ(handoff.bytes(), 8u);
  handoff.put("D", std::string(11, 'd'));  // larger than the bound: not kept, nothing evicted
  EXPECT_EQ(handoff.take("D"), std::nullopt);
  EXPECT_EQ(handoff.take("B"), "bbbb");
  EXPECT_EQ(handoff.take("C"), "cccc");
}

TEST(ContentHandoff, TakenBodiesDoNotCountAndOrderStaysBounded) {
  ContentHandoff handoff(8);
  handoff.put("held", "hhhh");  // never taken (an operator hold, say)
  for (int i = 0; i < 10'000; ++i) {
    const std::string id = "m" + std::to_string(i);
    handoff.put(id, "xx");
    EXPECT_EQ(handoff.take(id), "xx");
  }
  EXPECT_EQ(handoff.bytes(), 4u);
  EXPECT_EQ(handoff.take("held"), "hhhh");
}

TEST(ContentHandoff, StoreHandsOverCommittedBodiesWhenEnabled) {
  TempDir dir;
  StoreOptions options = options_for(dir);
  options.handoff_bytes = 1 << 20;
  auto store = must_open(options);
  ASSERT_FALSE(commit(*store, make_message("M1", "Subject: one\r\n\r\nbody\r\n")));
  ASSERT_FALSE(commit(*store, make_message("M2", "Subject: two\r\n\r\nbody\r\n")));
  EXPECT_EQ(store->take_content("M1"), "Subject: one\r\n\r\nbody\r\n");
  EXPECT_EQ(store->take_content("M1"), std::nullopt);
  EXPECT_EQ(store->load_message("M1")->content, "Subject: one\r\n\r\nbody\r\n");  // still stored
  // An operator's delete takes the body out of memory too: it must not be delivered.
  ASSERT_TRUE(operate(*store, {OperatorVerb::remove, "M2", 1}).ok());
  EXPECT_EQ(store->take_content("M2"), std::nullopt);
}

TEST(ContentHandoff, StoreKeepsNothingWhenDisabled) {
  TempDir dir;
  auto store = must_open(options_for(dir));  // handoff_bytes 0: capture mode
  ASSERT_FALSE(commit(*store, make_message("M1")));
  EXPECT_EQ(store->take_content("M1"), std::nullopt);
}

}  // namespace
}  // namespace postern::store
