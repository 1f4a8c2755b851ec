// Schema version 1 files (written before the DSN kind and the capture mailbox) are migrated
// to version 2 at open, keeping every message; version 2 files are left alone.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <string>

#include "core/error.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

namespace postern::store {
namespace {

using testing::capture;
using testing::lease;
using testing::must_open;
using testing::options_for;
using testing::TempDir;

// The version 1 schema exactly as released (docs/store-format.md history), with one message.
constexpr const char* kVersion1File = R"sql(
CREATE TABLE messages (
  id INTEGER PRIMARY KEY, queue_id TEXT NOT NULL UNIQUE, account TEXT NOT NULL,
  client_address TEXT NOT NULL, mail_from TEXT NOT NULL, flags INTEGER NOT NULL DEFAULT 0,
  received_at INTEGER NOT NULL, size INTEGER NOT NULL, content BLOB NOT NULL) STRICT;
CREATE TABLE recipients (
  message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  rcpt_index INTEGER NOT NULL, address TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'delivered', 'failed', 'held')),
  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL,
  last_reply TEXT NOT NULL DEFAULT '', updated_at INTEGER NOT NULL,
  lease_owner TEXT, lease_expires_at INTEGER,
  PRIMARY KEY (message_id, rcpt_index),
  CHECK ((lease_owner IS NULL) = (lease_expires_at IS NULL))) STRICT, WITHOUT ROWID;
CREATE INDEX recipients_due ON recipients (next_attempt_at) WHERE state = 'queued';
PRAGMA user_version = 1;
INSERT INTO messages VALUES (1, 'OLD1', 'app', '192.0.2.1', 'from@x', 1, 1000, 5, x'68656C6C6F');
INSERT INTO recipients VALUES (1, 0, 'to@x', 'queued', 2, 1000, '451 later', 1000, NULL, NULL);
INSERT INTO recipients VALUES (1, 1, 'done@x', 'delivered', 1, 0, '250 ok', 1000, NULL, NULL);
)sql";

std::int64_t query(const std::filesystem::path& db_path, const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  const std::int64_t n = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return n;
}

void write_file(const std::filesystem::path& db_path, const char* sql) {
  ::mkdir(db_path.parent_path().c_str(), 0700);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST(StoreMigration, Version1FileIsMigratedKeepingItsMessages) {
  TempDir dir;
  const auto db_path = dir.data_dir() / "queue.db";
  write_file(db_path, kVersion1File);
  auto store = must_open(options_for(dir));
  const auto m = store->load_message("OLD1");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->content, "hello");
  EXPECT_TRUE(m->body_8bitmime);
  EXPECT_EQ(m->kind, MessageKind::message);
  ASSERT_EQ(m->recipients.size(), 2u);
  EXPECT_EQ(m->recipients[0].attempts, 2);
  EXPECT_EQ(m->recipients[1].state, RecipientState::delivered);
  EXPECT_EQ(store->list_pending(10)->size(), 1u);
  // The new parts work on the migrated file.
  auto leased = lease(*store, {"n", 1000, 10, 10});
  ASSERT_EQ(leased->size(), 1u);
  EXPECT_EQ((*leased)[0].mail_from, "from@x");
  EXPECT_EQ((*leased)[0].size, 5u);
  EXPECT_TRUE((*leased)[0].body_8bitmime);
  ASSERT_FALSE(capture(*store, {"OLD1", {0}, 2000, 10}));
  EXPECT_EQ(store->list_captures(10)->size(), 1u);
  store.reset();
  EXPECT_EQ(query(db_path, "PRAGMA user_version"), 2);
  EXPECT_EQ(query(db_path, "SELECT count(*) FROM messages WHERE kind = 'message'"), 1);
}

// Tables with their columns (name, type, hidden = generated), and the index names.
std::string schema_shape(const std::filesystem::path& db_path) {
  constexpr const char* kShape =
      "SELECT (SELECT group_concat(x, ',') FROM (SELECT m.name || '.' || p.name || ':' || "
      "p.type || ':' || p.hidden || ':' || p.pk AS x FROM sqlite_schema AS m "
      "JOIN pragma_table_xinfo(m.name) AS p WHERE m.type = 'table' ORDER BY m.name, p.cid)) "
      "|| ' / ' || (SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema "
      "WHERE type = 'index' ORDER BY name))";
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, kShape, -1, &stmt, nullptr);
  std::string out;
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

// A new file is built as version 1 plus the migration, so both have the same schema.
TEST(StoreMigration, NewAndMigratedFilesHaveTheSameSchema) {
  TempDir fresh;
  TempDir old;
  write_file(old.data_dir() / "queue.db", kVersion1File);
  must_open(options_for(fresh)).reset();
  must_open(options_for(old)).reset();
  const std::string shape = schema_shape(fresh.data_dir() / "queue.db");
  EXPECT_NE(shape.find("messages.kind:TEXT:2:0"), std::string::npos) << shape;  // virtual
  EXPECT_NE(shape.find("captures.captured_at"), std::string::npos) << shape;
  EXPECT_NE(shape.find("recipients_pending"), std::string::npos) << shape;
  EXPECT_EQ(schema_shape(old.data_dir() / "queue.db"), shape);
}

TEST(StoreMigration, NewerVersionIsRefusedUntouched) {
  TempDir dir;
  const auto db_path = dir.data_dir() / "queue.db";
  write_file(db_path, "CREATE TABLE t (x); PRAGMA user_version = 3;");
  auto store = open_store(options_for(dir));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error(), std::errc::not_supported);
  EXPECT_EQ(query(db_path, "PRAGMA user_version"), 3);
}

}  // namespace
}  // namespace postern::store
