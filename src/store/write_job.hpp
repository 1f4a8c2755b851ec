#pragma once
// A write request as the writer thread sees it. The writer applies every queued job inside one
// transaction, each in its own SAVEPOINT, commits once, then (after the WAL sync) calls
// finish() on each.

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/result.hpp"
#include "store/sqlite_db.hpp"
#include "store/store.hpp"

namespace postern::store {

class ContentHandoff;

// The prepared statements of the write connection (see sqlite_writer.cpp for the SQL).
struct WriterStatements {
  sqlite3* db = nullptr;  // the write connection, for sqlite3_last_insert_rowid / changes
  Stmt begin, commit, rollback;
  Stmt savepoint, release, rollback_to;
  Stmt insert_message, insert_recipient;
  Stmt select_due, set_lease;
  Stmt record_outcome, recipient_exists;
  Stmt select_message;
  Stmt insert_capture, captures_beyond, delete_capture, delete_if_final;
  Stmt hold, release_held, retry, flush, count_recipients, delete_message;
  Stmt prune_candidates, delete_if_done_before;

  [[nodiscard]] int prepare(sqlite3* db);
};

// What apply() made of its part of the transaction.
struct JobResult {
  core::Status status;  // empty: the job's changes stay in the batch
  bool fatal = false;   // the connection can no longer be trusted: abort the batch, stop

  static JobResult ok() { return {}; }
  static JobResult rejected(core::Errc errc) { return {make_error_code(errc), false}; }
  static JobResult sqlite_failure(int extended_rc);
};

class WriteJob {
 public:
  virtual ~WriteJob() = default;

  // Runs inside the batch transaction, within this job's savepoint. On a non-fatal failure the
  // writer rolls back to the savepoint. May run more than once (the writer re-runs a batch if
  // SQLite rolled the whole transaction back), so it must start from scratch each time.
  [[nodiscard]] virtual JobResult apply(WriterStatements& stmts) = 0;

  // Called exactly once, after the batch committed and its WAL sync returned (status empty) or
  // after it failed; on the writer thread, or on the syncer's when that ran the sync. Only then
  // may the caller learn its result.
  virtual void finish(core::Status status) = 0;

  // Messages this job adds to the queue, for StoreStats.
  [[nodiscard]] virtual std::uint64_t messages() const { return 0; }
  // Finished messages this job deleted (retention), for StoreStats.
  [[nodiscard]] virtual std::uint64_t pruned() const { return 0; }
};

// --- helpers shared by the jobs (write_jobs.cpp) ---

// A uint64 time or size as SQLite's signed 64-bit integer (saturating).
[[nodiscard]] std::int64_t as_int(std::uint64_t v);

// Runs a statement that returns no rows; its bindings are already in place.
[[nodiscard]] JobResult step_done(Stmt& stmt);

// Inserts `message` as `kind` with its recipients, queued and due at received_at.
// invalid_argument without a queue id or a recipient.
[[nodiscard]] JobResult insert_new_message(WriterStatements& s, const NewMessage& message,
                                           MessageKind kind);

struct MessageKey {
  std::int64_t id = 0;  // messages.id
  MessageKind kind = MessageKind::message;
  bool null_sender = false;  // mail_from is <>
};

// Looks up a message by queue id; not_found if absent.
[[nodiscard]] JobResult find_message(WriterStatements& s, const std::string& queue_id,
                                     MessageKey& key);

// Records one outcome (statement kRecordOutcome). `changed` tells whether the recipient moved
// (false: it was final already). not_found if the recipient does not exist.
[[nodiscard]] JobResult record_outcome(WriterStatements& s, const RecipientOutcome& outcome,
                                       bool& changed);

// --- the jobs ---

// Once committed, the content goes to `handoff` (when given) before `done` is called.
[[nodiscard]] std::unique_ptr<WriteJob> make_commit_job(
    NewMessage message, std::function<void(core::Status)> done,
    ContentHandoff* handoff = nullptr);

[[nodiscard]] std::unique_ptr<WriteJob> make_lease_job(
    LeaseRequest request,
    std::function<void(core::Result<std::vector<LeasedRecipient>>)> done);

// `dsn`, if any, is committed in the same transaction (Store::async_record_outcomes).
[[nodiscard]] std::unique_ptr<WriteJob> make_outcomes_job(
    std::vector<RecipientOutcome> outcomes, std::optional<NewMessage> dsn,
    std::function<void(core::Status)> done);

[[nodiscard]] std::unique_ptr<WriteJob> make_capture_job(
    CaptureRequest request, std::function<void(core::Status)> done);

[[nodiscard]] std::unique_ptr<WriteJob> make_operator_job(
    OperatorRequest request, std::function<void(core::Result<std::size_t>)> done);

[[nodiscard]] std::unique_ptr<WriteJob> make_prune_job(
    PruneRequest request, std::function<void(core::Result<PruneResult>)> done);

}  // namespace postern::store
