// The capture mailbox: delivery without a provider (architecture.md, "Capture mode"). The
// captured recipients are delivered; the message stays readable until the mailbox holds more
// than keep_limit newer ones. Pruning deletes only messages that are done (every recipient
// delivered or failed), so invariant 2 holds: they ended delivered.
#include <utility>

#include "store/write_job.hpp"

namespace postern::store {
namespace {

constexpr std::string_view kCapturedReply = "250 2.0.0 captured";

class CaptureJob final : public WriteJob {
 public:
  CaptureJob(CaptureRequest request, std::function<void(core::Status)> done)
      : request_(std::move(request)), done_(std::move(done)) {}

  JobResult apply(WriterStatements& s) override {
    MessageKey key;
    if (auto r = find_message(s, request_.queue_id, key); r.status) return r;
    for (std::uint32_t index : request_.rcpt_indices) {
      const RecipientOutcome o{request_.queue_id,           index,
                               RecipientState::delivered,   0,
                               std::string(kCapturedReply), request_.at_ms};
      bool changed = false;
      if (auto r = record_outcome(s, o, changed); r.status) return r;
    }
    {
      StmtUse use(s.insert_capture);
      s.insert_capture.bind(1, key.id);
      s.insert_capture.bind(2, as_int(request_.at_ms));
      if (auto r = step_done(s.insert_capture); r.status) return r;
    }
    return prune(s);
  }

  void finish(core::Status status) override { done_(status); }

 private:
  // Collects the overflow first, then deletes: rows change only after the SELECT finished.
  JobResult prune(WriterStatements& s) {
    std::vector<std::int64_t> beyond;
    {
      StmtUse use(s.captures_beyond);
      s.captures_beyond.bind(1, as_int(request_.keep_limit));
      int rc;
      while ((rc = s.captures_beyond.step()) == SQLITE_ROW) {
        beyond.push_back(s.captures_beyond.column_int(0));
      }
      if (rc != SQLITE_DONE) return JobResult::sqlite_failure(rc);
    }
    for (std::int64_t id : beyond) {
      for (Stmt* stmt : {&s.delete_capture, &s.delete_if_final}) {
        StmtUse use(*stmt);
        stmt->bind(1, id);
        if (auto r = step_done(*stmt); r.status) return r;
      }
    }
    return JobResult::ok();
  }

  CaptureRequest request_;
  std::function<void(core::Status)> done_;
};

}  // namespace

std::unique_ptr<WriteJob> make_capture_job(CaptureRequest request,
                                           std::function<void(core::Status)> done) {
  return std::make_unique<CaptureJob>(std::move(request), std::move(done));
}

}  // namespace postern::store
