#include "store/sqlite_db.hpp"

namespace postern::store {
namespace {

class SqliteCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sqlite"; }
  std::string message(int value) const override { return sqlite3_errstr(value); }
};

// SQLite wants a non-null pointer for a zero-length blob (a null pointer binds SQL NULL).
const char* non_null(std::string_view bytes) { return bytes.data() ? bytes.data() : ""; }

}  // namespace

const std::error_category& sqlite_category() noexcept {
  static const SqliteCategory category;
  return category;
}

core::Result<Db> open_db(const std::filesystem::path& path, int busy_timeout_ms,
                         const char* vfs) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, vfs);
  Db db(raw);  // closes even on failure (sqlite3_open_v2 may allocate a handle anyway)
  if (rc != SQLITE_OK) return sqlite_error(rc);
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), busy_timeout_ms);
  return db;
}

int exec(sqlite3* db, const char* sql) {
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? rc : sqlite3_extended_errcode(db);
}

core::Result<std::int64_t> query_int(sqlite3* db, const char* sql) {
  Stmt stmt;
  if (int rc = stmt.prepare(db, sql); rc != SQLITE_OK) return sqlite_error(rc);
  const int rc = stmt.step();
  if (rc != SQLITE_ROW) return sqlite_error(rc == SQLITE_DONE ? SQLITE_MISUSE : rc);
  return stmt.column_int(0);
}

int Stmt::prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  stmt_.reset(raw);
  return rc == SQLITE_OK ? rc : sqlite3_extended_errcode(db);
}

void Stmt::bind(int index, std::int64_t value) { sqlite3_bind_int64(stmt_.get(), index, value); }

void Stmt::bind_text(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_.get(), index, non_null(text), text.size(), SQLITE_STATIC,
                      SQLITE_UTF8);
}

void Stmt::bind_blob(int index, std::string_view bytes) {
  sqlite3_bind_blob64(stmt_.get(), index, non_null(bytes), bytes.size(), SQLITE_STATIC);
}

void Stmt::bind_null(int index) { sqlite3_bind_null(stmt_.get(), index); }

int Stmt::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW || rc == SQLITE_DONE) return rc;
  return sqlite3_extended_errcode(sqlite3_db_handle(stmt_.get()));
}

void Stmt::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

int Stmt::step_once() {
  const int rc = step();
  reset();
  return rc;
}

std::int64_t Stmt::column_int(int col) const { return sqlite3_column_int64(stmt_.get(), col); }

std::string Stmt::column_bytes(int col) const {
  // column_blob before column_bytes, as the SQLite docs require for a stable size.
  const void* data = sqlite3_column_blob(stmt_.get(), col);
  const int size = sqlite3_column_bytes(stmt_.get(), col);
  if (data == nullptr || size <= 0) return {};
  return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

bool Stmt::column_is_null(int col) const {
  return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL;
}

}  // namespace postern::store
