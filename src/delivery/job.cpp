#include "delivery/job.hpp"

#include <cassert>
#include <map>

namespace postern::delivery {

std::vector<Job> plan_jobs(const std::vector<store::LeasedRecipient>& leased,
                           std::size_t max_recipients) {
  assert(max_recipients > 0);
  std::vector<Job> jobs;
  std::map<std::string, std::size_t> open_job;  // queue id -> index of its job being filled
  for (const auto& r : leased) {
    auto it = open_job.find(r.queue_id);
    if (it == open_job.end() || jobs[it->second].recipients.size() >= max_recipients) {
      Job job;
      job.queue_id = r.queue_id;
      job.mail_from = r.mail_from;
      job.received_at_ms = r.received_at_ms;
      job.size = r.size;
      job.body_8bitmime = r.body_8bitmime;
      job.smtputf8 = r.smtputf8;
      job.is_dsn = r.kind == store::MessageKind::dsn;
      jobs.push_back(std::move(job));
      open_job[r.queue_id] = jobs.size() - 1;
      it = open_job.find(r.queue_id);
    }
    jobs[it->second].recipients.push_back({r.rcpt_index, r.address, r.attempts});
  }
  return jobs;
}

}  // namespace postern::delivery
