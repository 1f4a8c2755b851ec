// Retention: finished messages leave the store some time after their last outcome
// (StoreOptions::keep_done). Only finished ones — every recipient delivered or failed — so
// invariant 2 holds: they ended delivered or bounced. Captured messages are left to the
// capture mailbox's own limit.
#include <utility>
#include <vector>

#include "store/write_job.hpp"

namespace postern::store {
namespace {

class PruneJob final : public WriteJob {
 public:
  using Done = std::function<void(core::Result<PruneResult>)>;
  PruneJob(PruneRequest request, Done done) : request_(request), done_(std::move(done)) {}

  // Collects the candidates first, then deletes: rows change only after the SELECT finished.
  JobResult apply(WriterStatements& s) override {
    result_ = PruneResult{};
    std::vector<std::int64_t> candidates;
    bool pass_complete = true;
    {
      StmtUse use(s.prune_candidates);
      s.prune_candidates.bind(1, request_.cursor);
      s.prune_candidates.bind(2, as_int(request_.scan_limit));
      int rc;
      std::size_t scanned = 0;
      while ((rc = s.prune_candidates.step()) == SQLITE_ROW) {
        ++scanned;
        const std::int64_t id = s.prune_candidates.column_int(0);
        const auto received_at = static_cast<std::uint64_t>(s.prune_candidates.column_int(1));
        if (received_at >= request_.before_ms) break;  // nothing newer qualifies: pass over
        candidates.push_back(id);
        result_.cursor = id;
        if (scanned == request_.scan_limit) pass_complete = false;
      }
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return JobResult::sqlite_failure(rc);
    }
    if (pass_complete) result_.cursor = 0;
    for (std::int64_t id : candidates) {
      StmtUse use(s.delete_if_done_before);
      s.delete_if_done_before.bind(1, id);
      s.delete_if_done_before.bind(2, as_int(request_.before_ms));
      if (auto r = step_done(s.delete_if_done_before); r.status) return r;
      result_.deleted += static_cast<std::size_t>(sqlite3_changes(s.db));
    }
    return JobResult::ok();
  }

  void finish(core::Status status) override {
    if (status) {
      done_(status);
    } else {
      done_(result_);
    }
  }

  [[nodiscard]] std::uint64_t pruned() const override { return result_.deleted; }

 private:
  PruneRequest request_;
  Done done_;
  PruneResult result_;
};

}  // namespace

std::unique_ptr<WriteJob> make_prune_job(PruneRequest request,
                                         std::function<void(core::Result<PruneResult>)> done) {
  return std::make_unique<PruneJob>(request, std::move(done));
}

}  // namespace postern::store
