// The SQL of the write connection, prepared once when the store opens.
#include <string_view>
#include <utility>

#include "store/write_error.hpp"
#include "store/write_job.hpp"

namespace postern::store {
namespace {

constexpr std::string_view kInsertMessage =
    "INSERT INTO messages (queue_id, account, client_address, mail_from, flags, received_at, "
    "size, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

// A new recipient is queued and due at once (next_attempt_at = received_at).
constexpr std::string_view kInsertRecipient =
    "INSERT INTO recipients (message_id, rcpt_index, address, state, attempts, "
    "next_attempt_at, last_reply, updated_at) VALUES (?1, ?2, ?3, 'queued', 0, ?4, '', ?4)";

// Due and not under a live lease; served by the partial index recipients_due. The message
// columns are all stored before `content`, so no body page is read.
constexpr std::string_view kSelectDue =
    "SELECT r.message_id, r.rcpt_index, m.queue_id, r.address, r.attempts, m.mail_from, "
    "m.received_at, m.size, m.flags "
    "FROM recipients AS r JOIN messages AS m ON m.id = r.message_id "
    "WHERE r.state = 'queued' AND r.next_attempt_at <= ?1 "
    "AND (r.lease_expires_at IS NULL OR r.lease_expires_at <= ?1) "
    "ORDER BY r.next_attempt_at, r.message_id, r.rcpt_index LIMIT ?2";

constexpr std::string_view kSetLease =
    "UPDATE recipients SET lease_owner = ?3, lease_expires_at = ?4, updated_at = ?5 "
    "WHERE message_id = ?1 AND rcpt_index = ?2";

// ?3 is the new state word. Final states are never overwritten (the WHERE clause); a deferral
// keeps a held recipient held; next_attempt_at only moves for a deferral.
constexpr std::string_view kRecordOutcome =
    "UPDATE recipients SET "
    "state = CASE WHEN state = 'held' AND ?3 = 'queued' THEN 'held' ELSE ?3 END, "
    "attempts = attempts + 1, "
    "next_attempt_at = CASE WHEN ?3 = 'queued' THEN ?4 ELSE next_attempt_at END, "
    "last_reply = ?5, updated_at = ?6, lease_owner = NULL, lease_expires_at = NULL "
    "WHERE message_id = (SELECT id FROM messages WHERE queue_id = ?1) AND rcpt_index = ?2 "
    "AND state IN ('queued', 'held')";

constexpr std::string_view kRecipientExists =
    "SELECT 1 FROM recipients AS r JOIN messages AS m ON m.id = r.message_id "
    "WHERE m.queue_id = ?1 AND r.rcpt_index = ?2";

constexpr std::string_view kSelectMessage =
    "SELECT id, flags, mail_from FROM messages WHERE queue_id = ?1";

// --- capture mailbox ---
// A message captured twice (two groups of its recipients) keeps its first capture time.
constexpr std::string_view kInsertCapture =
    "INSERT INTO captures (message_id, captured_at) VALUES (?1, ?2) "
    "ON CONFLICT (message_id) DO NOTHING";
// The captures beyond the ?1 most recent: the oldest ones, served by captures_by_time. The
// count (a walk over a few pages) replaces an OFFSET, which stepped over all ?1 kept rows at
// every capture.
constexpr std::string_view kCapturesBeyond =
    "SELECT message_id FROM captures ORDER BY captured_at, message_id "
    "LIMIT max(0, (SELECT count(*) FROM captures) - ?1)";
constexpr std::string_view kDeleteCapture = "DELETE FROM captures WHERE message_id = ?1";
// Deletes a message only when it is done (no queued or held recipient); recipients cascade.
constexpr std::string_view kDeleteIfFinal =
    "DELETE FROM messages WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM recipients "
    "WHERE message_id = ?1 AND state IN ('queued', 'held'))";

// --- operator verbs (?1 message id, ?2 now) ---
constexpr std::string_view kHold =
    "UPDATE recipients SET state = 'held', updated_at = ?2 "
    "WHERE message_id = ?1 AND state = 'queued'";
constexpr std::string_view kRelease =
    "UPDATE recipients SET state = 'queued', next_attempt_at = ?2, updated_at = ?2 "
    "WHERE message_id = ?1 AND state = 'held'";
constexpr std::string_view kRetry =
    "UPDATE recipients SET next_attempt_at = ?2, updated_at = ?2 "
    "WHERE message_id = ?1 AND state = 'queued' AND next_attempt_at > ?2";
constexpr std::string_view kFlush =
    "UPDATE recipients SET next_attempt_at = ?1, updated_at = ?1 "
    "WHERE state = 'queued' AND next_attempt_at > ?1";
constexpr std::string_view kCountRecipients =
    "SELECT count(*) FROM recipients WHERE message_id = ?1";
constexpr std::string_view kDeleteMessage = "DELETE FROM messages WHERE id = ?1";

// --- retention (?1 message id or cursor) ---
// Messages in arrival order after the cursor; received_at is stored before `content`, so no
// body page is read.
constexpr std::string_view kPruneCandidates =
    "SELECT id, received_at FROM messages WHERE id > ?1 ORDER BY id LIMIT ?2";
// Finished (no queued or held recipient), quiet since ?2 (no recipient changed since), and
// not in the capture mailbox. Recipients cascade.
constexpr std::string_view kDeleteIfDoneBefore =
    "DELETE FROM messages WHERE id = ?1 "
    "AND NOT EXISTS (SELECT 1 FROM recipients WHERE message_id = ?1 "
    "AND (state IN ('queued', 'held') OR updated_at >= ?2)) "
    "AND NOT EXISTS (SELECT 1 FROM captures WHERE message_id = ?1)";

}  // namespace

int WriterStatements::prepare(sqlite3* connection) {
  db = connection;
  const std::pair<Stmt*, std::string_view> all[] = {
      {&begin, "BEGIN IMMEDIATE"},
      {&commit, "COMMIT"},
      {&rollback, "ROLLBACK"},
      {&savepoint, "SAVEPOINT job"},
      {&release, "RELEASE job"},
      {&rollback_to, "ROLLBACK TO job"},
      {&insert_message, kInsertMessage},
      {&insert_recipient, kInsertRecipient},
      {&select_due, kSelectDue},
      {&set_lease, kSetLease},
      {&record_outcome, kRecordOutcome},
      {&recipient_exists, kRecipientExists},
      {&select_message, kSelectMessage},
      {&insert_capture, kInsertCapture},
      {&captures_beyond, kCapturesBeyond},
      {&delete_capture, kDeleteCapture},
      {&delete_if_final, kDeleteIfFinal},
      {&hold, kHold},
      {&release_held, kRelease},
      {&retry, kRetry},
      {&flush, kFlush},
      {&count_recipients, kCountRecipients},
      {&delete_message, kDeleteMessage},
      {&prune_candidates, kPruneCandidates},
      {&delete_if_done_before, kDeleteIfDoneBefore},
  };
  for (auto& [stmt, sql] : all) {
    if (int rc = stmt->prepare(db, sql); rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

JobResult JobResult::sqlite_failure(int extended_rc) {
  const WriteError e = classify_write_error(extended_rc);
  return {make_error_code(e.errc), e.fatal};
}

}  // namespace postern::store
