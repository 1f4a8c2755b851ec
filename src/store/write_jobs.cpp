// The three kinds of write: commit a message, lease due recipients, record outcomes.
#include <algorithm>
#include <limits>
#include <utility>

#include "store/schema.hpp"
#include "store/write_job.hpp"

namespace postern::store {
namespace {

std::int64_t as_int(std::uint64_t v) {
  return static_cast<std::int64_t>(std::min<std::uint64_t>(
      v, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())));
}

// Runs a statement that returns no rows; its bindings are already in place.
JobResult step_done(Stmt& stmt) {
  const int rc = stmt.step();
  return rc == SQLITE_DONE ? JobResult::ok() : JobResult::sqlite_failure(rc);
}

class CommitJob final : public WriteJob {
 public:
  CommitJob(NewMessage message, std::function<void(core::Status)> done)
      : message_(std::move(message)), done_(std::move(done)) {}

  JobResult apply(WriterStatements& s) override {
    if (message_.queue_id.empty() || message_.rcpt_to.empty()) {
      return JobResult::rejected(core::Errc::invalid_argument);
    }
    if (auto r = insert_message(s); r.status) return r;
    const std::int64_t message_id = sqlite3_last_insert_rowid(s.db);
    for (std::size_t i = 0; i < message_.rcpt_to.size(); ++i) {
      StmtUse use(s.insert_recipient);
      s.insert_recipient.bind(1, message_id);
      s.insert_recipient.bind(2, static_cast<std::int64_t>(i));
      s.insert_recipient.bind_text(3, message_.rcpt_to[i]);
      s.insert_recipient.bind(4, as_int(message_.received_at_ms));
      if (auto r = step_done(s.insert_recipient); r.status) return r;
    }
    return JobResult::ok();
  }

  void finish(core::Status status) override { done_(status); }
  std::uint64_t messages() const override { return 1; }

 private:
  JobResult insert_message(WriterStatements& s) {
    const std::int64_t flags = (message_.body_8bitmime ? kFlag8BitMime : 0) |
                               (message_.smtputf8 ? kFlagSmtpUtf8 : 0);
    StmtUse use(s.insert_message);
    s.insert_message.bind_text(1, message_.queue_id);
    s.insert_message.bind_text(2, message_.account);
    s.insert_message.bind_text(3, message_.client_address);
    s.insert_message.bind_text(4, message_.mail_from);
    s.insert_message.bind(5, flags);
    s.insert_message.bind(6, as_int(message_.received_at_ms));
    s.insert_message.bind(7, as_int(message_.content.size()));
    s.insert_message.bind_blob(8, message_.content);
    return step_done(s.insert_message);
  }

  NewMessage message_;
  std::function<void(core::Status)> done_;
};

class LeaseJob final : public WriteJob {
 public:
  using Done = std::function<void(core::Result<std::vector<LeasedRecipient>>)>;
  LeaseJob(LeaseRequest request, Done done)
      : request_(std::move(request)), done_(std::move(done)) {}

  JobResult apply(WriterStatements& s) override {
    leased_.clear();
    keys_.clear();
    if (request_.owner.empty()) return JobResult::rejected(core::Errc::invalid_argument);
    if (auto r = select_due(s); r.status) return r;
    const std::uint64_t expires = request_.now_ms + request_.lease_ms;
    for (std::size_t i = 0; i < leased_.size(); ++i) {
      leased_[i].lease_expires_at_ms = expires;
      StmtUse use(s.set_lease);
      s.set_lease.bind(1, keys_[i]);
      s.set_lease.bind(2, leased_[i].rcpt_index);
      s.set_lease.bind_text(3, request_.owner);
      s.set_lease.bind(4, as_int(expires));
      s.set_lease.bind(5, as_int(request_.now_ms));
      if (auto r = step_done(s.set_lease); r.status) return r;
    }
    return JobResult::ok();
  }

  void finish(core::Status status) override {
    if (status) {
      done_(status);
    } else {
      done_(std::move(leased_));
    }
  }

 private:
  // Collects the candidates first: rows are updated only after the SELECT has finished.
  JobResult select_due(WriterStatements& s) {
    StmtUse use(s.select_due);
    s.select_due.bind(1, as_int(request_.now_ms));
    s.select_due.bind(2, as_int(request_.limit));
    int rc;
    while ((rc = s.select_due.step()) == SQLITE_ROW) {
      keys_.push_back(s.select_due.column_int(0));
      LeasedRecipient r;
      r.rcpt_index = static_cast<std::uint32_t>(s.select_due.column_int(1));
      r.queue_id = s.select_due.column_bytes(2);
      r.address = s.select_due.column_bytes(3);
      r.attempts = static_cast<int>(s.select_due.column_int(4));
      leased_.push_back(std::move(r));
    }
    return rc == SQLITE_DONE ? JobResult::ok() : JobResult::sqlite_failure(rc);
  }

  LeaseRequest request_;
  Done done_;
  std::vector<LeasedRecipient> leased_;
  std::vector<std::int64_t> keys_;  // messages.id of each leased_ entry
};

class OutcomesJob final : public WriteJob {
 public:
  OutcomesJob(std::vector<RecipientOutcome> outcomes, std::function<void(core::Status)> done)
      : outcomes_(std::move(outcomes)), done_(std::move(done)) {}

  JobResult apply(WriterStatements& s) override {
    for (const RecipientOutcome& o : outcomes_) {
      if (o.state == RecipientState::held) {
        return JobResult::rejected(core::Errc::invalid_argument);  // not a delivery result
      }
      if (auto r = record(s, o); r.status) return r;
    }
    return JobResult::ok();
  }

  void finish(core::Status status) override { done_(status); }

 private:
  static JobResult record(WriterStatements& s, const RecipientOutcome& o) {
    {
      StmtUse use(s.record_outcome);
      s.record_outcome.bind_text(1, o.queue_id);
      s.record_outcome.bind(2, o.rcpt_index);
      s.record_outcome.bind_text(3, state_name(o.state));
      s.record_outcome.bind(4, as_int(o.next_attempt_at_ms));
      s.record_outcome.bind_text(5, o.last_reply);
      s.record_outcome.bind(6, as_int(o.at_ms));
      if (auto r = step_done(s.record_outcome); r.status) return r;
    }
    if (sqlite3_changes(s.db) > 0) return JobResult::ok();
    // Nothing changed: either the recipient is final already (ignored) or it does not exist.
    StmtUse use(s.recipient_exists);
    s.recipient_exists.bind_text(1, o.queue_id);
    s.recipient_exists.bind(2, o.rcpt_index);
    const int rc = s.recipient_exists.step();
    if (rc == SQLITE_ROW) return JobResult::ok();
    if (rc == SQLITE_DONE) return JobResult::rejected(core::Errc::not_found);
    return JobResult::sqlite_failure(rc);
  }

  std::vector<RecipientOutcome> outcomes_;
  std::function<void(core::Status)> done_;
};

}  // namespace

std::unique_ptr<WriteJob> make_commit_job(NewMessage message,
                                          std::function<void(core::Status)> done) {
  return std::make_unique<CommitJob>(std::move(message), std::move(done));
}

std::unique_ptr<WriteJob> make_lease_job(
    LeaseRequest request,
    std::function<void(core::Result<std::vector<LeasedRecipient>>)> done) {
  return std::make_unique<LeaseJob>(std::move(request), std::move(done));
}

std::unique_ptr<WriteJob> make_outcomes_job(std::vector<RecipientOutcome> outcomes,
                                            std::function<void(core::Status)> done) {
  return std::make_unique<OutcomesJob>(std::move(outcomes), std::move(done));
}

}  // namespace postern::store
