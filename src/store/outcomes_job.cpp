// Recording delivery outcomes, with the bounce (DSN) committed in the same transaction:
// "a bounce is queued durably before the recipient is marked failed" (smtp-checklist,
// "Durability") holds because both become durable at one COMMIT, or neither does.
#include <utility>

#include "store/write_job.hpp"

namespace postern::store {
namespace {

class OutcomesJob final : public WriteJob {
 public:
  OutcomesJob(std::vector<RecipientOutcome> outcomes, std::optional<NewMessage> dsn,
              std::function<void(core::Status)> done)
      : outcomes_(std::move(outcomes)), dsn_(std::move(dsn)), done_(std::move(done)) {}

  JobResult apply(WriterStatements& s) override {
    bool any_failed = false;
    bool moved_to_failed = false;
    for (const RecipientOutcome& o : outcomes_) {
      if (o.state == RecipientState::held) {
        return JobResult::rejected(core::Errc::invalid_argument);  // not a delivery result
      }
      if (o.state == RecipientState::failed) {
        any_failed = true;
        if (dsn_) {
          if (auto r = check_bounceable(s, o.queue_id); r.status) return r;
        }
      }
      bool changed = false;
      if (auto r = record_outcome(s, o, changed); r.status) return r;
      moved_to_failed |= changed && o.state == RecipientState::failed;
    }
    if (!dsn_) return JobResult::ok();
    if (!any_failed) return JobResult::rejected(core::Errc::invalid_argument);
    if (!moved_to_failed) return JobResult::ok();  // a repeat: its DSN exists already
    return insert_new_message(s, *dsn_, MessageKind::dsn);
  }

  void finish(core::Status status) override { done_(status); }

 private:
  // No DSN about a DSN, and none to the null reverse-path (RFC 5321 §4.5.5, RFC 3464 §2).
  static JobResult check_bounceable(WriterStatements& s, const std::string& queue_id) {
    MessageKey key;
    if (auto r = find_message(s, queue_id, key); r.status) return r;
    if (key.kind == MessageKind::dsn || key.null_sender) {
      return JobResult::rejected(core::Errc::invalid_argument);
    }
    return JobResult::ok();
  }

  std::vector<RecipientOutcome> outcomes_;
  std::optional<NewMessage> dsn_;
  std::function<void(core::Status)> done_;
};

}  // namespace

std::unique_ptr<WriteJob> make_outcomes_job(std::vector<RecipientOutcome> outcomes,
                                            std::optional<NewMessage> dsn,
                                            std::function<void(core::Status)> done) {
  return std::make_unique<OutcomesJob>(std::move(outcomes), std::move(dsn), std::move(done));
}

}  // namespace postern::store
