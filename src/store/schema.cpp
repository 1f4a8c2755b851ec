#include "store/schema.hpp"

#include <array>
#include <string>
#include <system_error>

#include "store/sqlite_db.hpp"

namespace postern::store {
namespace {

// Version 1. STRICT tables make SQLite enforce the declared types (SQLite >= 3.37).
// recipients is WITHOUT ROWID: its primary key is the row's address, so a recipient row is
// stored once, next to its message's other recipients.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE messages (
  id              INTEGER PRIMARY KEY,
  queue_id        TEXT    NOT NULL UNIQUE,
  account         TEXT    NOT NULL,
  client_address  TEXT    NOT NULL,
  mail_from       TEXT    NOT NULL,
  flags           INTEGER NOT NULL DEFAULT 0,
  received_at     INTEGER NOT NULL,
  size            INTEGER NOT NULL,
  content         BLOB    NOT NULL
) STRICT;

CREATE TABLE recipients (
  message_id       INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  rcpt_index       INTEGER NOT NULL,
  address          TEXT    NOT NULL,
  state            TEXT    NOT NULL DEFAULT 'queued'
                   CHECK (state IN ('queued', 'delivered', 'failed', 'held')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  last_reply       TEXT    NOT NULL DEFAULT '',
  updated_at       INTEGER NOT NULL,
  lease_owner      TEXT,
  lease_expires_at INTEGER,
  PRIMARY KEY (message_id, rcpt_index),
  CHECK ((lease_owner IS NULL) = (lease_expires_at IS NULL))
) STRICT, WITHOUT ROWID;

CREATE INDEX recipients_due ON recipients (next_attempt_at) WHERE state = 'queued';

PRAGMA user_version = 1;
)sql";

// Version 2: DSN messages, the capture mailbox, pending-message listing. The kind is a bit of
// `flags` shown as a VIRTUAL column, so nothing is rewritten and `content` stays the last
// stored column (reading the kind never walks a large body's overflow pages). A new store runs
// V1 then V2, so a migrated file and a new one have the same schema.
constexpr const char* kMigrateV1ToV2 = R"sql(
ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL
  GENERATED ALWAYS AS (CASE WHEN flags & 4 THEN 'dsn' ELSE 'message' END) VIRTUAL;

CREATE TABLE captures (
  message_id  INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  captured_at INTEGER NOT NULL
) STRICT;

CREATE INDEX captures_by_time ON captures (captured_at, message_id);
CREATE INDEX recipients_pending ON recipients (message_id) WHERE state IN ('queued', 'held');

PRAGMA user_version = 2;
)sql";

constexpr std::array<std::string_view, 4> kStateNames = {"queued", "delivered", "failed", "held"};

core::Status run(sqlite3* db, const char* sql) {
  const int rc = exec(db, sql);
  return rc == SQLITE_OK ? core::Status{} : sqlite_error(rc);
}

core::Status create_or_check(sqlite3* db) {
  auto version = query_int(db, "PRAGMA user_version");
  if (!version) return version.error();
  if (*version == kSchemaVersion) return {};
  if (*version > kSchemaVersion || *version < 0) {
    return std::make_error_code(std::errc::not_supported);
  }
  if (*version == 0) {
    // Must be an empty file, not somebody else's database.
    auto tables = query_int(db, "SELECT count(*) FROM sqlite_schema");
    if (!tables) return tables.error();
    if (*tables != 0) return std::make_error_code(std::errc::not_supported);
    if (auto st = run(db, kSchemaV1)) return st;
  } else {
    // Version 1 claimed: its tables must be there, or it is not our file.
    auto ours = query_int(db,
                          "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                          "AND name IN ('messages', 'recipients')");
    if (!ours) return ours.error();
    if (*ours != 2) return std::make_error_code(std::errc::not_supported);
  }
  // Now at version 1: each step moves one version up.
  return run(db, kMigrateV1ToV2);
}

}  // namespace

std::int64_t message_flags(bool body_8bitmime, bool smtputf8, MessageKind kind) {
  return (body_8bitmime ? kFlag8BitMime : 0) | (smtputf8 ? kFlagSmtpUtf8 : 0) |
         (kind == MessageKind::dsn ? kFlagDsn : 0);
}

MessageKind kind_from_flags(std::int64_t flags) {
  return (flags & kFlagDsn) != 0 ? MessageKind::dsn : MessageKind::message;
}

std::string_view state_name(RecipientState state) {
  return kStateNames[static_cast<std::size_t>(state)];
}

std::optional<RecipientState> parse_state(std::string_view name) {
  for (std::size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames[i] == name) return static_cast<RecipientState>(i);
  }
  return std::nullopt;
}

core::Status configure_writer(sqlite3* db, std::optional<std::uint32_t> max_page_count) {
  // journal_mode answers with the mode now in force; anything but "wal" is a failure.
  Stmt wal;
  if (int rc = wal.prepare(db, "PRAGMA journal_mode = WAL"); rc != SQLITE_OK) {
    return sqlite_error(rc);
  }
  if (int rc = wal.step(); rc != SQLITE_ROW) return sqlite_error(rc);
  if (wal.column_bytes(0) != "wal") return sqlite_error(SQLITE_CANTOPEN);
  wal.reset();
  for (const char* pragma :
       {"PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON", "PRAGMA temp_store = MEMORY",
        "PRAGMA journal_size_limit = 67108864"}) {
    if (auto st = run(db, pragma)) return st;
  }
  if (max_page_count) {
    const std::string pragma = "PRAGMA max_page_count = " + std::to_string(*max_page_count);
    if (auto st = run(db, pragma.c_str())) return st;
  }
  return {};
}

core::Status configure_reader(sqlite3* db) {
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  return run(db, "PRAGMA query_only = 1");
}

core::Status migrate(sqlite3* db) {
  if (auto st = run(db, "BEGIN IMMEDIATE")) return st;
  auto st = create_or_check(db);
  if (!st) st = run(db, "COMMIT");
  if (st) (void)exec(db, "ROLLBACK");
  return st;
}

core::Status clear_stale_leases(sqlite3* db, std::vector<InterruptedRecipient>& cleared) {
  Stmt leased;
  if (int rc = leased.prepare(db,
                              "SELECT m.queue_id, r.address FROM recipients r "
                              "JOIN messages m ON m.id = r.message_id "
                              "WHERE r.lease_owner IS NOT NULL ORDER BY m.id, r.rcpt_index");
      rc != SQLITE_OK) {
    return sqlite_error(rc);
  }
  int rc = SQLITE_OK;
  while ((rc = leased.step()) == SQLITE_ROW) {
    cleared.push_back({leased.column_bytes(0), leased.column_bytes(1)});
  }
  leased.reset();
  if (rc != SQLITE_DONE) return sqlite_error(rc);
  return run(db,
             "UPDATE recipients SET lease_owner = NULL, lease_expires_at = NULL "
             "WHERE lease_owner IS NOT NULL");
}

}  // namespace postern::store
