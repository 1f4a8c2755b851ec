#pragma once
// What one delivery attempt means for each recipient: the upstream's replies, classified by
// the profile's table (policy/classify.hpp, not by first digit), become durable recipient
// states — delivered, deferred to a next attempt (retry schedule, or the route's window), or
// failed — plus at most one DSN for the failed ones (mime/dsn.hpp). Pure: no I/O, no clock.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "delivery/job.hpp"
#include "policy/classify.hpp"
#include "policy/retry.hpp"
#include "smtp/client_session.hpp"
#include "store/store.hpp"

namespace postern::delivery {

struct DecisionContext {
  const policy::ReplyTable* replies = nullptr;
  const policy::RetrySchedule* retry = nullptr;
  std::string reporting_host;   // our host name, for DSNs
  std::string remote_host;      // the upstream, for DSNs
  std::chrono::system_clock::time_point now;
  // When the route may send again, if it is paused (deferrals that do not consume an
  // attempt are due then).
  std::chrono::system_clock::time_point route_resume_at;
  std::function<double()> random01;  // uniform in [0, 1], for jitter
};

struct Decision {
  std::vector<store::RecipientOutcome> outcomes;  // one per job recipient
  std::optional<store::NewMessage> dsn;           // for the failed recipients, if wanted
  // The most severe classification seen, for the route (auth broken beats pause, …).
  std::optional<policy::Classification> route_signal;
  std::size_t delivered = 0;
  std::size_t deferred = 0;
  std::size_t failed = 0;
};

// After a transaction: `content` is the stored message (for the DSN's header copy).
[[nodiscard]] Decision decide_transaction(const Job& job, const smtp::TransactionResult& result,
                                          std::string_view content,
                                          const DecisionContext& context);

// When the session failed before the transaction could start (greeting, TLS, AUTH, …):
// `reply` is the failure reply if there was one.
[[nodiscard]] Decision decide_session_failure(const Job& job, smtp::SessionFailure failure,
                                              const std::optional<smtp::Reply>& reply,
                                              std::string_view content,
                                              const DecisionContext& context);

// "connection lost", "421 4.7.0 Try again later", … for logs and last_reply.
[[nodiscard]] std::string describe_reply(const smtp::Reply& reply);
[[nodiscard]] std::string_view to_string(smtp::SessionFailure failure);

}  // namespace postern::delivery
