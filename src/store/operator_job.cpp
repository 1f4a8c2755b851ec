// Operator verbs (`postern queue hold|release|retry|delete|flush`): one short write job each,
// through the writer like every other write. `remove` is the only way, besides pruning the
// capture mailbox and retention of finished messages, that a message leaves the store
// (invariant 2).
#include <optional>
#include <utility>

#include "store/write_job.hpp"

namespace postern::store {
namespace {

class OperatorJob final : public WriteJob {
 public:
  using Done = std::function<void(core::Result<std::size_t>)>;
  OperatorJob(OperatorRequest request, Done done)
      : request_(std::move(request)), done_(std::move(done)) {}

  JobResult apply(WriterStatements& s) override {
    count_ = 0;
    if (request_.verb == OperatorVerb::flush) return update(s, s.flush, std::nullopt);
    MessageKey key;
    if (auto r = find_message(s, request_.queue_id, key); r.status) return r;
    switch (request_.verb) {
      case OperatorVerb::hold:
        return update(s, s.hold, key.id);
      case OperatorVerb::release:
        return update(s, s.release_held, key.id);
      case OperatorVerb::retry:
        return update(s, s.retry, key.id);
      case OperatorVerb::remove:
        return remove(s, key.id);
      case OperatorVerb::flush:
        break;
    }
    return JobResult::rejected(core::Errc::invalid_argument);
  }

  void finish(core::Status status) override {
    if (status) {
      done_(status);
    } else {
      done_(count_);
    }
  }

 private:
  // Binds ?1 = message id (if any) and the time (?2, or ?1 without an id); counts the rows.
  JobResult update(WriterStatements& s, Stmt& stmt, std::optional<std::int64_t> message_id) {
    StmtUse use(stmt);
    int at = 1;
    if (message_id) stmt.bind(at++, *message_id);
    stmt.bind(at, as_int(request_.now_ms));
    if (auto r = step_done(stmt); r.status) return r;
    count_ = static_cast<std::size_t>(sqlite3_changes(s.db));
    return JobResult::ok();
  }

  // Recipients go with the message (ON DELETE CASCADE), which sqlite3_changes does not count.
  JobResult remove(WriterStatements& s, std::int64_t message_id) {
    {
      StmtUse use(s.count_recipients);
      s.count_recipients.bind(1, message_id);
      const int rc = s.count_recipients.step();
      if (rc != SQLITE_ROW) return JobResult::sqlite_failure(rc);
      count_ = static_cast<std::size_t>(s.count_recipients.column_int(0));
    }
    StmtUse use(s.delete_message);
    s.delete_message.bind(1, message_id);
    return step_done(s.delete_message);
  }

  OperatorRequest request_;
  Done done_;
  std::size_t count_ = 0;
};

}  // namespace

std::unique_ptr<WriteJob> make_operator_job(OperatorRequest request,
                                            std::function<void(core::Result<std::size_t>)> done) {
  return std::make_unique<OperatorJob>(std::move(request), std::move(done));
}

}  // namespace postern::store
