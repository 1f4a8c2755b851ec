// Commit a message and lease due recipients, plus the helpers every job shares.
#include <algorithm>
#include <limits>
#include <utility>

#include "store/content_handoff.hpp"
#include "store/schema.hpp"
#include "store/write_job.hpp"

namespace postern::store {

std::int64_t as_int(std::uint64_t v) {
  return static_cast<std::int64_t>(std::min<std::uint64_t>(
      v, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())));
}

JobResult step_done(Stmt& stmt) {
  const int rc = stmt.step();
  return rc == SQLITE_DONE ? JobResult::ok() : JobResult::sqlite_failure(rc);
}

JobResult insert_new_message(WriterStatements& s, const NewMessage& m, MessageKind kind) {
  if (m.queue_id.empty() || m.rcpt_to.empty()) {
    return JobResult::rejected(core::Errc::invalid_argument);
  }
  {
    StmtUse use(s.insert_message);
    s.insert_message.bind_text(1, m.queue_id);
    s.insert_message.bind_text(2, m.account);
    s.insert_message.bind_text(3, m.client_address);
    s.insert_message.bind_text(4, m.mail_from);
    s.insert_message.bind(5, message_flags(m.body_8bitmime, m.smtputf8, kind));
    s.insert_message.bind(6, as_int(m.received_at_ms));
    s.insert_message.bind(7, as_int(m.content.size()));
    s.insert_message.bind_blob(8, m.content);
    if (auto r = step_done(s.insert_message); r.status) return r;
  }
  const std::int64_t message_id = sqlite3_last_insert_rowid(s.db);
  for (std::size_t i = 0; i < m.rcpt_to.size(); ++i) {
    StmtUse use(s.insert_recipient);
    s.insert_recipient.bind(1, message_id);
    s.insert_recipient.bind(2, static_cast<std::int64_t>(i));
    s.insert_recipient.bind_text(3, m.rcpt_to[i]);
    s.insert_recipient.bind(4, as_int(m.received_at_ms));
    if (auto r = step_done(s.insert_recipient); r.status) return r;
  }
  return JobResult::ok();
}

JobResult find_message(WriterStatements& s, const std::string& queue_id, MessageKey& key) {
  StmtUse use(s.select_message);
  s.select_message.bind_text(1, queue_id);
  const int rc = s.select_message.step();
  if (rc == SQLITE_DONE) return JobResult::rejected(core::Errc::not_found);
  if (rc != SQLITE_ROW) return JobResult::sqlite_failure(rc);
  key.id = s.select_message.column_int(0);
  key.kind = kind_from_flags(s.select_message.column_int(1));
  key.null_sender = s.select_message.column_bytes(2).empty();
  return JobResult::ok();
}

JobResult record_outcome(WriterStatements& s, const RecipientOutcome& o, bool& changed) {
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
  changed = sqlite3_changes(s.db) > 0;
  if (changed) return JobResult::ok();
  // Nothing changed: either the recipient is final already (ignored) or it does not exist.
  StmtUse use(s.recipient_exists);
  s.recipient_exists.bind_text(1, o.queue_id);
  s.recipient_exists.bind(2, o.rcpt_index);
  const int rc = s.recipient_exists.step();
  if (rc == SQLITE_ROW) return JobResult::ok();
  if (rc == SQLITE_DONE) return JobResult::rejected(core::Errc::not_found);
  return JobResult::sqlite_failure(rc);
}

namespace {

class CommitJob final : public WriteJob {
 public:
  CommitJob(NewMessage message, std::function<void(core::Status)> done, ContentHandoff* handoff)
      : message_(std::move(message)), done_(std::move(done)), handoff_(handoff) {}

  JobResult apply(WriterStatements& s) override {
    return insert_new_message(s, message_, message_.kind);
  }

  void finish(core::Status status) override {
    if (!status && handoff_ != nullptr)
      handoff_->put(message_.queue_id, std::move(message_.content));
    done_(status);
  }
  std::uint64_t messages() const override { return 1; }

 private:
  NewMessage message_;
  std::function<void(core::Status)> done_;
  ContentHandoff* handoff_;
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
    Stmt& q = s.select_due;
    StmtUse use(q);
    q.bind(1, as_int(request_.now_ms));
    q.bind(2, as_int(request_.limit));
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) {
      keys_.push_back(q.column_int(0));
      LeasedRecipient r;
      r.rcpt_index = static_cast<std::uint32_t>(q.column_int(1));
      r.queue_id = q.column_bytes(2);
      r.address = q.column_bytes(3);
      r.attempts = static_cast<int>(q.column_int(4));
      r.mail_from = q.column_bytes(5);
      r.received_at_ms = static_cast<std::uint64_t>(q.column_int(6));
      r.size = static_cast<std::uint64_t>(q.column_int(7));
      const std::int64_t flags = q.column_int(8);
      r.body_8bitmime = (flags & kFlag8BitMime) != 0;
      r.smtputf8 = (flags & kFlagSmtpUtf8) != 0;
      r.kind = kind_from_flags(flags);
      leased_.push_back(std::move(r));
    }
    return rc == SQLITE_DONE ? JobResult::ok() : JobResult::sqlite_failure(rc);
  }

  LeaseRequest request_;
  Done done_;
  std::vector<LeasedRecipient> leased_;
  std::vector<std::int64_t> keys_;  // messages.id of each leased_ entry
};

}  // namespace

std::unique_ptr<WriteJob> make_commit_job(NewMessage message,
                                          std::function<void(core::Status)> done,
                                          ContentHandoff* handoff) {
  return std::make_unique<CommitJob>(std::move(message), std::move(done), handoff);
}

std::unique_ptr<WriteJob> make_lease_job(
    LeaseRequest request, std::function<void(core::Result<std::vector<LeasedRecipient>>)> done) {
  return std::make_unique<LeaseJob>(std::move(request), std::move(done));
}

}  // namespace postern::store
