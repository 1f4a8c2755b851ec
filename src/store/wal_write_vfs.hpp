#pragma once
// A SQLite VFS shim for the write connection: it gathers the writes to the WAL file.
//
// SQLite writes each WAL frame with two write calls (its 24-octet header, then the page), so a
// 100 KiB message costs about fifty pwrite(2) calls on the writer thread, each with its own
// system call and file-system locking. The shim keeps consecutive writes to a WAL file in a
// buffer (up to kWalWriteBuffer octets, about 24 frames) and hands the run to the real file in one
// write when SQLite does anything else with that file: xSync (the commit), xRead, xTruncate,
// xFileSize, xFileControl, xLock/xUnlock, xClose, or a write that does not continue the run.
//
// Why it is safe: SQLite makes frames visible to other connections only after the commit's
// xSync (synchronous=FULL) has returned — the buffer is written before that sync — and the
// writer's own read-back goes through xRead, which writes the buffer first. A crash loses
// only writes that were never synced, which SQLite already treats as not written. Files that
// are not WAL files (the database, -shm) pass straight through.
//
// The shim can also defer a commit's fsync (WalSyncDeferral below), so that the writer thread
// applies the next batch while a syncer thread waits for the disk (docs/store-format.md §5).

#include <cstddef>
#include <cstdint>

namespace postern::store {

inline constexpr const char* kWalWriteVfsName = "postern-wal-write";
// Below 128 KiB: SQLite's unix VFS writes at most 0x1ffff octets per call (seekAndWriteFd
// masks the length with it) and reports a longer write as SQLITE_FULL.
inline constexpr std::size_t kWalWriteBuffer = 96 * 1024;

// While an object of this class lives on a thread, the xSync that ends a commit on a WAL file
// opened through the shim is not run but recorded: the frames are written (the buffer goes
// out first, so write errors such as a full disk still surface in COMMIT) and SQLite goes on
// as if the fsync had returned. The caller then owns the durability: it must fdatasync(2)
// `deferred_fd()` and see it succeed before it reports the commit as durable, and it must
// treat a failure as a failed commit of everything written since the last successful sync.
//
// Not deferred, ever: the sync of a newly written WAL header (SQLite syncs the header on its
// own when the WAL starts or restarts, before any frame follows it). If the frames of a new
// WAL generation could reach the disk before its header, recovery would read the old header
// and could replay the previous generation's frames over newer pages. A sync is taken as a
// header sync when the header (offset 0) was written since the last real sync; such a sync
// runs in place, as does every sync on a thread without a deferral.
class WalSyncDeferral {
 public:
  WalSyncDeferral();
  ~WalSyncDeferral();
  WalSyncDeferral(const WalSyncDeferral&) = delete;
  WalSyncDeferral& operator=(const WalSyncDeferral&) = delete;

  // The descriptor of the WAL file whose sync was deferred, or -1 if none was. It stays
  // valid while the connection that wrote the WAL is open.
  [[nodiscard]] int deferred_fd() const { return fd_; }

  // For the shim: records `fd` in the deferral active on this thread, if there is one.
  [[nodiscard]] static bool defer_on_this_thread(int fd);

 private:
  int fd_ = -1;
  WalSyncDeferral* outer_ = nullptr;
};

// Syncs the shim ran in place and syncs it deferred, since the process started (for tests).
struct WalSyncCounts {
  std::uint64_t in_place = 0;
  std::uint64_t deferred = 0;
};
[[nodiscard]] WalSyncCounts wal_sync_counts();

// Registers the shim over the default VFS (not as the default) once per process; returns its
// name for sqlite3_open_v2, or nullptr if registration failed (callers then use the default).
[[nodiscard]] const char* wal_write_vfs();

}  // namespace postern::store
