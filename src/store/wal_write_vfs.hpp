#pragma once
// A SQLite VFS shim for the write connection: it gathers the writes to the WAL file.
//
// SQLite writes each WAL frame with two write calls (its 24-octet header, then the page), so a
// 100 KiB message costs about fifty pwrite(2) calls on the writer thread, each with its own
// system call and file-system locking. The shim keeps consecutive writes to a WAL file in a
// buffer (up to kWalWriteBuffer octets, about 24 frames) and hands the run to the real file in one write when
// SQLite does anything else with that file: xSync (the commit), xRead, xTruncate, xFileSize,
// xFileControl, xLock/xUnlock, xClose, or a write that does not continue the run.
//
// Why it is safe: SQLite makes frames visible to other connections only after the commit's
// xSync (synchronous=FULL) has returned — the buffer is written before that sync — and the
// writer's own read-back goes through xRead, which writes the buffer first. A crash loses
// only writes that were never synced, which SQLite already treats as not written. Files that
// are not WAL files (the database, -shm) pass straight through.

#include <cstddef>

namespace postern::store {

inline constexpr const char* kWalWriteVfsName = "postern-wal-write";
// Below 128 KiB: SQLite's unix VFS writes at most 0x1ffff octets per call (seekAndWriteFd
// masks the length with it) and reports a longer write as SQLITE_FULL.
inline constexpr std::size_t kWalWriteBuffer = 96 * 1024;

// Registers the shim over the default VFS (not as the default) once per process; returns its
// name for sqlite3_open_v2, or nullptr if registration failed (callers then use the default).
[[nodiscard]] const char* wal_write_vfs();

}  // namespace postern::store
