// Leases of due recipients and recorded outcomes (the delivery scheduler's side).
#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

namespace postern::store {
namespace {

using testing::commit;
using testing::lease;
using testing::make_message;
using testing::must_open;
using testing::options_for;
using testing::record;
using testing::TempDir;

constexpr std::uint64_t kT0 = 1'700'000'000'000;  // received_at of make_message
constexpr std::uint64_t kLease = 60'000;

class StoreDelivery : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = must_open(options_for(dir_));
    ASSERT_FALSE(commit(*store_, make_message("M1", "one", {"a@x", "b@x"})));
    ASSERT_FALSE(commit(*store_, make_message("M2", "two", {"c@x"})));
  }
  RecipientRecord recipient(const std::string& id, std::size_t index) {
    return store_->load_message(id)->recipients.at(index);
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreDelivery, LeasesOnlyDueUnleasedRecipientsUpToTheLimit) {
  EXPECT_TRUE(lease(*store_, {"n1", kT0 - 1, kLease, 10})->empty());  // not yet due
  auto first = lease(*store_, {"n1", kT0, kLease, 2});
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].queue_id, "M1");
  EXPECT_EQ((*first)[0].rcpt_index, 0u);
  EXPECT_EQ((*first)[0].address, "a@x");
  EXPECT_EQ((*first)[1].rcpt_index, 1u);
  EXPECT_EQ((*first)[0].lease_expires_at_ms, kT0 + kLease);
  // What the scheduler needs from the message comes with the lease.
  EXPECT_EQ((*first)[0].mail_from, "sender@example.com");
  EXPECT_EQ((*first)[0].received_at_ms, kT0);
  EXPECT_EQ((*first)[0].size, 3u);  // "one"
  EXPECT_EQ((*first)[0].kind, MessageKind::message);
  EXPECT_FALSE((*first)[0].body_8bitmime);
  EXPECT_FALSE((*first)[0].smtputf8);
  auto rest = lease(*store_, {"n2", kT0, kLease, 10});
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].queue_id, "M2");
  EXPECT_TRUE(lease(*store_, {"n2", kT0 + kLease - 1, kLease, 10})->empty());
  // An expired lease (its node died) is taken over.
  EXPECT_EQ(lease(*store_, {"n3", kT0 + kLease, kLease, 10})->size(), 3u);
  EXPECT_EQ(lease(*store_, {"", kT0, kLease, 10}).error(), core::Errc::invalid_argument);
}

TEST_F(StoreDelivery, OutcomesMoveStatesAndClearLeases) {
  ASSERT_EQ(lease(*store_, {"n1", kT0, kLease, 10})->size(), 3u);
  const std::uint64_t later = kT0 + 10 * kLease;
  ASSERT_FALSE(record(*store_, {
      {"M1", 0, RecipientState::delivered, 0, "250 2.0.0 ok", kT0 + 5},
      {"M1", 1, RecipientState::queued, later, "451 4.3.0 try later", kT0 + 5},
      {"M2", 0, RecipientState::failed, 0, "550 5.1.1 no such user", kT0 + 5},
  }));
  const RecipientRecord a = recipient("M1", 0);
  EXPECT_EQ(a.state, RecipientState::delivered);
  EXPECT_EQ(a.attempts, 1);
  EXPECT_EQ(a.last_reply, "250 2.0.0 ok");
  EXPECT_EQ(a.updated_at_ms, kT0 + 5);
  const RecipientRecord b = recipient("M1", 1);
  EXPECT_EQ(b.state, RecipientState::queued);
  EXPECT_EQ(b.next_attempt_at_ms, later);
  EXPECT_EQ(recipient("M2", 0).state, RecipientState::failed);

  // The lease is gone, but the deferred one is not due before `later`.
  EXPECT_TRUE(lease(*store_, {"n2", later - 1, kLease, 10})->empty());
  auto retry = lease(*store_, {"n2", later, kLease, 10});
  ASSERT_EQ(retry->size(), 1u);
  EXPECT_EQ((*retry)[0].address, "b@x");
  EXPECT_EQ((*retry)[0].attempts, 1);
}

TEST_F(StoreDelivery, LeaseCarriesTheMessageFlags) {
  NewMessage m = make_message("M3", "three!", {"d@x"});
  m.body_8bitmime = true;
  m.smtputf8 = true;
  m.received_at_ms = kT0 - 7;
  ASSERT_FALSE(commit(*store_, m));
  auto leased = lease(*store_, {"n1", kT0, kLease, 1});  // M3 is due first
  ASSERT_EQ(leased->size(), 1u);
  EXPECT_EQ((*leased)[0].queue_id, "M3");
  EXPECT_TRUE((*leased)[0].body_8bitmime);
  EXPECT_TRUE((*leased)[0].smtputf8);
  EXPECT_EQ((*leased)[0].received_at_ms, kT0 - 7);
  EXPECT_EQ((*leased)[0].size, 6u);
}

TEST_F(StoreDelivery, FinalStatesAreNeverOverwritten) {
  ASSERT_FALSE(record(*store_, {{"M1", 0, RecipientState::delivered, 0, "250 ok", kT0}}));
  ASSERT_FALSE(record(*store_, {{"M1", 0, RecipientState::queued, kT0 + 1, "451", kT0 + 1}}));
  const RecipientRecord a = recipient("M1", 0);
  EXPECT_EQ(a.state, RecipientState::delivered);
  EXPECT_EQ(a.attempts, 1);
  EXPECT_EQ(a.last_reply, "250 ok");
}

TEST_F(StoreDelivery, UnknownRecipientFailsTheWholeRecord) {
  EXPECT_EQ(record(*store_, {{"M1", 0, RecipientState::delivered, 0, "250", kT0},
                             {"M1", 9, RecipientState::delivered, 0, "250", kT0}}),
            core::Errc::not_found);
  EXPECT_EQ(record(*store_, {{"NOPE", 0, RecipientState::failed, 0, "550", kT0}}),
            core::Errc::not_found);
  EXPECT_EQ(record(*store_, {{"M1", 0, RecipientState::held, 0, "", kT0}}),
            core::Errc::invalid_argument);
  EXPECT_EQ(recipient("M1", 0).state, RecipientState::queued);  // all or none
  EXPECT_EQ(recipient("M1", 0).attempts, 0);
}

}  // namespace
}  // namespace postern::store
