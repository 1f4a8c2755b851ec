#pragma once
// Durable, atomic replacement of a small file, and an advisory lock to serialise writers.
// Readers see either the old file or the new one, never a mix, even across a crash:
// write a temporary file beside the target, fsync it, rename it over the target, fsync the
// directory (the LevelDB SetCurrentFile order).

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace postern::auth {

// Replaces `path` with `content`, mode `mode` (set explicitly, whatever the umask). The
// temporary file is `<path>.tmp.XXXXXX` in the same directory and is removed on failure.
// Errors are errno values (ENOSPC, EACCES, EIO ...); on error `path` is unchanged.
[[nodiscard]] core::Status write_file_atomically(const std::filesystem::path& path,
                                                 std::string_view content, mode_t mode = 0600);

// Reads a whole file. ENOENT if it does not exist.
[[nodiscard]] core::Result<std::string> read_file(const std::filesystem::path& path);

// An exclusive flock(2) on `path` (created 0600 if missing), released on destruction.
// Serialises read-modify-write cycles between `postern users …` invocations.
class FileLock {
 public:
  [[nodiscard]] static core::Result<FileLock> acquire(const std::filesystem::path& path);
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace postern::auth
