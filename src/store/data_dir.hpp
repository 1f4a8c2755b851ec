#pragma once
// The data directory: created private (0700), locked for one process, fsynced after entries
// are created so they survive a power loss.

#include <filesystem>

#include "core/result.hpp"

namespace postern::store {

// An exclusive flock(2) on <data_dir>/queue.lock, held while the object lives. The kernel
// drops it when the process dies, so a crashed owner never blocks a restart.
class DirLock {
 public:
  DirLock() = default;
  explicit DirLock(int fd) : fd_(fd) {}
  ~DirLock();
  DirLock(DirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DirLock& operator=(DirLock&& other) noexcept;
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  int fd_ = -1;
};

// Creates `dir` (mode 0700, parent fsynced) if missing — its parent must exist — then
// locks it.
// std::errc::device_or_resource_busy if another process (or Store) holds the lock.
[[nodiscard]] core::Result<DirLock> prepare_data_dir(const std::filesystem::path& dir);

// Creates `file` empty with mode 0600 if missing, so SQLite (which gives -wal and -shm the
// database file's mode) never creates a world-readable queue.
[[nodiscard]] core::Status create_private_file(const std::filesystem::path& file);

// fsync(2) of a directory: makes the names of newly created files in it durable.
[[nodiscard]] core::Status fsync_dir(const std::filesystem::path& dir);

}  // namespace postern::store
