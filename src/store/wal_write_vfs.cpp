#include "store/wal_write_vfs.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <new>
#include <string>

namespace postern::store {
namespace {

// Our file object: SQLite allocates szOsFile octets for it; the real file follows it.
struct ShimFile {
  sqlite3_file base;   // must come first: SQLite sees this
  sqlite3_file* real;  // the wrapped file, in the same allocation
  bool is_wal;
  std::string* pending;  // the buffered run (WAL files only)
  sqlite3_int64 pending_offset;
  int sync_fd;           // WAL files: our own descriptor, for a deferred fdatasync; or -1
  bool header_unsynced;  // WAL files: the header was written since the last real sync
};

// The WAL header's size (SQLite's WAL_HDRSIZE); frames start after it.
constexpr sqlite3_int64 kWalHeaderSize = 32;

thread_local WalSyncDeferral* t_deferral = nullptr;
std::atomic<std::uint64_t> g_in_place_syncs{0};
std::atomic<std::uint64_t> g_deferred_syncs{0};

sqlite3_vfs g_vfs;
sqlite3_vfs* g_real = nullptr;

ShimFile* shim(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f); }

int flush(ShimFile* f) {
  if (f->pending == nullptr || f->pending->empty()) return SQLITE_OK;
  const int rc = f->real->pMethods->xWrite(f->real, f->pending->data(),
                                           static_cast<int>(f->pending->size()), f->pending_offset);
  f->pending->clear();
  return rc;
}

int x_close(sqlite3_file* file) {
  ShimFile* f = shim(file);
  const int flushed = flush(f);
  const int rc = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
  delete f->pending;
  f->pending = nullptr;
  if (f->sync_fd >= 0) ::close(f->sync_fd);
  f->sync_fd = -1;
  return flushed != SQLITE_OK ? flushed : rc;
}

int x_read(sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset) {
  ShimFile* f = shim(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xRead(f->real, buffer, amount, offset);
}

int x_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  ShimFile* f = shim(file);
  if (!f->is_wal) return f->real->pMethods->xWrite(f->real, data, amount, offset);
  if (offset < kWalHeaderSize) f->header_unsynced = true;
  std::string& run = *f->pending;
  const bool continues =
      !run.empty() && offset == f->pending_offset + static_cast<sqlite3_int64>(run.size());
  if (!continues || run.size() + static_cast<std::size_t>(amount) > kWalWriteBuffer) {
    if (int rc = flush(f); rc != SQLITE_OK) return rc;
    f->pending_offset = offset;
  }
  if (static_cast<std::size_t>(amount) >= kWalWriteBuffer) {
    return f->real->pMethods->xWrite(f->real, data, amount, offset);
  }
  run.append(static_cast<const char*>(data), static_cast<std::size_t>(amount));
  return SQLITE_OK;
}

// Every other operation on the file sees it as SQLite wrote it: the run goes out first.
#define POSTERN_FLUSH_THEN(call)                     \
  ShimFile* f = shim(file);                          \
  if (int rc = flush(f); rc != SQLITE_OK) return rc; \
  return f->real->pMethods->call

int x_truncate(sqlite3_file* file, sqlite3_int64 size) {
  POSTERN_FLUSH_THEN(xTruncate(f->real, size));
}

// A commit's sync on a thread with a WalSyncDeferral is recorded instead of run
// (wal_write_vfs.hpp); everything else syncs here and now.
int x_sync(sqlite3_file* file, int flags) {
  ShimFile* f = shim(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  if (f->is_wal && f->sync_fd >= 0 && !f->header_unsynced &&
      WalSyncDeferral::defer_on_this_thread(f->sync_fd)) {
    g_deferred_syncs.fetch_add(1, std::memory_order_relaxed);
    return SQLITE_OK;
  }
  const int rc = f->real->pMethods->xSync(f->real, flags);
  if (rc == SQLITE_OK) f->header_unsynced = false;
  g_in_place_syncs.fetch_add(1, std::memory_order_relaxed);
  return rc;
}
int x_file_size(sqlite3_file* file, sqlite3_int64* size) {
  POSTERN_FLUSH_THEN(xFileSize(f->real, size));
}
int x_lock(sqlite3_file* file, int level) { POSTERN_FLUSH_THEN(xLock(f->real, level)); }
int x_unlock(sqlite3_file* file, int level) { POSTERN_FLUSH_THEN(xUnlock(f->real, level)); }
int x_file_control(sqlite3_file* file, int op, void* arg) {
  POSTERN_FLUSH_THEN(xFileControl(f->real, op, arg));
}

#undef POSTERN_FLUSH_THEN

int x_check_reserved_lock(sqlite3_file* file, int* out) {
  return shim(file)->real->pMethods->xCheckReservedLock(shim(file)->real, out);
}
int x_sector_size(sqlite3_file* file) {
  return shim(file)->real->pMethods->xSectorSize(shim(file)->real);
}
int x_device_characteristics(sqlite3_file* file) {
  return shim(file)->real->pMethods->xDeviceCharacteristics(shim(file)->real);
}
int x_shm_map(sqlite3_file* file, int page, int size, int extend, void volatile** out) {
  return shim(file)->real->pMethods->xShmMap(shim(file)->real, page, size, extend, out);
}
int x_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  return shim(file)->real->pMethods->xShmLock(shim(file)->real, offset, n, flags);
}
void x_shm_barrier(sqlite3_file* file) {
  shim(file)->real->pMethods->xShmBarrier(shim(file)->real);
}
int x_shm_unmap(sqlite3_file* file, int delete_flag) {
  return shim(file)->real->pMethods->xShmUnmap(shim(file)->real, delete_flag);
}
int x_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  ShimFile* f = shim(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFetch(f->real, offset, amount, out);
}
int x_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  return shim(file)->real->pMethods->xUnfetch(shim(file)->real, offset, page);
}

const sqlite3_io_methods kMethods = {
    3,
    x_close,
    x_read,
    x_write,
    x_truncate,
    x_sync,
    x_file_size,
    x_lock,
    x_unlock,
    x_check_reserved_lock,
    x_file_control,
    x_sector_size,
    x_device_characteristics,
    x_shm_map,
    x_shm_lock,
    x_shm_barrier,
    x_shm_unmap,
    x_fetch,
    x_unfetch,
};

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  ShimFile* f = shim(file);
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  f->is_wal = (flags & SQLITE_OPEN_WAL) != 0;
  f->pending = nullptr;
  f->pending_offset = 0;
  f->sync_fd = -1;
  f->header_unsynced = false;
  f->base.pMethods = nullptr;
  const int rc = g_real->xOpen(g_real, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  // Version 3 methods are what the unix VFS provides; a file with an older table (none
  // today) would be passed through unwrapped by refusing to open it here.
  if (f->real->pMethods == nullptr || f->real->pMethods->iVersion < 3) {
    if (f->real->pMethods) f->real->pMethods->xClose(f->real);
    return SQLITE_CANTOPEN;
  }
  if (f->is_wal) {
    f->pending = new (std::nothrow) std::string();
    if (f->pending == nullptr) {
      f->real->pMethods->xClose(f->real);
      return SQLITE_NOMEM;
    }
    // A descriptor of our own for deferred syncs (fdatasync works on a read-only one). If it
    // cannot be had, this file's syncs simply run in place.
    f->sync_fd = ::open(name, O_RDONLY | O_CLOEXEC);
  }
  f->base.pMethods = &kMethods;
  return SQLITE_OK;
}

// The rest of the VFS is the real one's.
int x_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return g_real->xDelete(g_real, name, sync_dir);
}
int x_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_real->xAccess(g_real, name, flags, out);
}
int x_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_real->xFullPathname(g_real, name, n, out);
}
void* x_dl_open(sqlite3_vfs*, const char* name) { return g_real->xDlOpen(g_real, name); }
void x_dl_error(sqlite3_vfs*, int n, char* out) { g_real->xDlError(g_real, n, out); }
void (*x_dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return g_real->xDlSym(g_real, handle, symbol);
}
void x_dl_close(sqlite3_vfs*, void* handle) { g_real->xDlClose(g_real, handle); }
int x_randomness(sqlite3_vfs*, int n, char* out) { return g_real->xRandomness(g_real, n, out); }
int x_sleep(sqlite3_vfs*, int micros) { return g_real->xSleep(g_real, micros); }
int x_current_time(sqlite3_vfs*, double* out) { return g_real->xCurrentTime(g_real, out); }
int x_get_last_error(sqlite3_vfs*, int n, char* out) {
  return g_real->xGetLastError(g_real, n, out);
}
int x_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
  return g_real->xCurrentTimeInt64(g_real, out);
}

const char* register_vfs() {
  g_real = sqlite3_vfs_find(nullptr);
  if (g_real == nullptr || g_real->iVersion < 2) return nullptr;
  std::memset(&g_vfs, 0, sizeof g_vfs);
  g_vfs.iVersion = 2;
  g_vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + g_real->szOsFile;
  g_vfs.mxPathname = g_real->mxPathname;
  g_vfs.zName = kWalWriteVfsName;
  g_vfs.xOpen = x_open;
  g_vfs.xDelete = x_delete;
  g_vfs.xAccess = x_access;
  g_vfs.xFullPathname = x_full_pathname;
  g_vfs.xDlOpen = x_dl_open;
  g_vfs.xDlError = x_dl_error;
  g_vfs.xDlSym = x_dl_sym;
  g_vfs.xDlClose = x_dl_close;
  g_vfs.xRandomness = x_randomness;
  g_vfs.xSleep = x_sleep;
  g_vfs.xCurrentTime = x_current_time;
  g_vfs.xGetLastError = x_get_last_error;
  g_vfs.xCurrentTimeInt64 = x_current_time_int64;
  return sqlite3_vfs_register(&g_vfs, /*makeDflt=*/0) == SQLITE_OK ? kWalWriteVfsName : nullptr;
}

}  // namespace

WalSyncDeferral::WalSyncDeferral() : outer_(t_deferral) { t_deferral = this; }

WalSyncDeferral::~WalSyncDeferral() { t_deferral = outer_; }

bool WalSyncDeferral::defer_on_this_thread(int fd) {
  if (t_deferral == nullptr) return false;
  t_deferral->fd_ = fd;
  return true;
}

WalSyncCounts wal_sync_counts() {
  return {g_in_place_syncs.load(std::memory_order_relaxed),
          g_deferred_syncs.load(std::memory_order_relaxed)};
}

const char* wal_write_vfs() {
  static const char* const name = register_vfs();
  return name;
}

}  // namespace postern::store
