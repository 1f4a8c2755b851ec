#include "delivery/job.hpp"

#include <gtest/gtest.h>

namespace postern::delivery {
namespace {

store::LeasedRecipient leased(std::string id, std::uint32_t index) {
  store::LeasedRecipient r;
  r.queue_id = std::move(id);
  r.rcpt_index = index;
  r.address = "r" + std::to_string(index) + "@example.net";
  r.mail_from = "alice@example.com";
  return r;
}

TEST(PlanJobs, GroupsByMessageKeepingOrder) {
  auto jobs = plan_jobs({leased("A", 0), leased("B", 0), leased("A", 1), leased("A", 2)}, 100);
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].queue_id, "A");
  ASSERT_EQ(jobs[0].recipients.size(), 3u);
  EXPECT_EQ(jobs[0].recipients[2].rcpt_index, 2u);
  EXPECT_EQ(jobs[1].queue_id, "B");
  EXPECT_EQ(jobs[0].mail_from, "alice@example.com");
}

TEST(PlanJobs, SplitsAtTheRecipientCap) {
  std::vector<store::LeasedRecipient> all;
  for (std::uint32_t i = 0; i < 5; ++i) all.push_back(leased("A", i));
  auto jobs = plan_jobs(all, 2);
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[0].recipients.size(), 2u);
  EXPECT_EQ(jobs[1].recipients.size(), 2u);
  EXPECT_EQ(jobs[2].recipients.size(), 1u);
  EXPECT_EQ(jobs[2].recipients[0].rcpt_index, 4u);
}

TEST(PlanJobs, MarksDsns) {
  auto r = leased("D", 0);
  r.kind = store::MessageKind::dsn;
  EXPECT_TRUE(plan_jobs({r}, 10)[0].is_dsn);
}

}  // namespace
}  // namespace postern::delivery
