#pragma once
// Thin RAII over the SQLite C API: a connection (Db) and a prepared statement (Stmt).
// Each object is used by one thread at a time (connections are opened SQLITE_OPEN_NOMUTEX).

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "core/result.hpp"

namespace postern::store {

// Error codes carrying SQLite's extended result code, for start-up errors (open, migrate),
// where the operator wants SQLite's own words. Runtime write results are mapped to core::Errc.
const std::error_category& sqlite_category() noexcept;
inline std::error_code sqlite_error(int rc) noexcept { return {rc, sqlite_category()}; }

struct DbCloser {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

// Opens `path` read-write (creating it), with extended result codes on.
// `vfs`: a registered VFS name (nullptr: SQLite's default).
[[nodiscard]] core::Result<Db> open_db(const std::filesystem::path& path, int busy_timeout_ms,
                                       const char* vfs = nullptr);

// Runs SQL without results (pragmas, DDL). Returns the extended result code.
[[nodiscard]] int exec(sqlite3* db, const char* sql);

// Runs `sql` and returns the first column of the first row as an integer (pragmas).
[[nodiscard]] core::Result<std::int64_t> query_int(sqlite3* db, const char* sql);

class Stmt {
 public:
  Stmt() = default;
  [[nodiscard]] int prepare(sqlite3* db, std::string_view sql);

  // Binding. Text and blobs are bound SQLITE_STATIC: the bytes must outlive the step.
  void bind(int index, std::int64_t value);
  void bind_text(int index, std::string_view text);
  void bind_blob(int index, std::string_view bytes);
  void bind_null(int index);

  // Returns SQLITE_ROW, SQLITE_DONE or an extended error code.
  [[nodiscard]] int step();
  // Resets the statement and clears its bindings; ends its implicit read transaction.
  void reset();
  // step() then reset(), for statements run for their effect (BEGIN, SAVEPOINT, ...).
  [[nodiscard]] int step_once();

  [[nodiscard]] std::int64_t column_int(int col) const;
  [[nodiscard]] std::string column_bytes(int col) const;  // TEXT or BLOB, byte-exact
  [[nodiscard]] bool column_is_null(int col) const;

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
  };
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

// Resets a statement when a scope ends, so no statement keeps a WAL snapshot or a stale
// binding alive.
class StmtUse {
 public:
  explicit StmtUse(Stmt& stmt) : stmt_(stmt) {}
  ~StmtUse() { stmt_.reset(); }
  StmtUse(const StmtUse&) = delete;
  StmtUse& operator=(const StmtUse&) = delete;

 private:
  Stmt& stmt_;
};

}  // namespace postern::store
