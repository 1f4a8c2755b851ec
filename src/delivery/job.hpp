#pragma once
// A delivery job: one message and the recipients of it that are due and leased to us, at most
// the route's recipients-per-message cap. One job is one SMTP transaction upstream.

#include <cstdint>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace postern::delivery {

struct JobRecipient {
  std::uint32_t rcpt_index = 0;
  std::string address;
  int attempts = 0;  // attempts before this one
};

struct Job {
  std::string queue_id;
  std::string mail_from;
  std::uint64_t received_at_ms = 0;
  std::uint64_t size = 0;
  bool body_8bitmime = false;
  bool smtputf8 = false;
  bool is_dsn = false;
  std::vector<JobRecipient> recipients;
};

// Groups leased recipients by message (keeping their order), splitting a message's recipients
// into several jobs of at most `max_recipients` each (a provider's per-message cap, e.g. 100
// for Google Workspace). REQUIRES: max_recipients > 0.
[[nodiscard]] std::vector<Job> plan_jobs(const std::vector<store::LeasedRecipient>& leased,
                                         std::size_t max_recipients);

}  // namespace postern::delivery
