#pragma once
// What a SQLite result code means for a write: the caller's error and whether the store must
// stop (a "fatal" code means the disk or the file can no longer be trusted).

#include "core/error.hpp"

namespace postern::store {

struct WriteError {
  core::Errc errc = core::Errc::storage_failure;
  bool fatal = true;  // the store enters the refusing state (store_unavailable)
};

// Non-fatal: SQLITE_FULL (disk_full), SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY (already_exists),
// other constraints and SQLITE_TOOBIG (invalid_argument), SQLITE_BUSY/LOCKED (timed_out: an
// outside process holds the write lock). Everything else — SQLITE_IOERR_* (write, fsync, ...),
// CORRUPT, NOTADB, READONLY, CANTOPEN, NOMEM, ... — is a fatal storage_failure: after a failed
// fsync nothing may be assumed about what reached the disk, so the store never retries.
[[nodiscard]] WriteError classify_write_error(int extended_rc);

}  // namespace postern::store
