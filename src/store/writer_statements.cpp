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

// Due and not under a live lease; served by the partial index recipients_due.
constexpr std::string_view kSelectDue =
    "SELECT r.message_id, r.rcpt_index, m.queue_id, r.address, r.attempts "
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
