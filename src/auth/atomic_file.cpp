#include "auth/atomic_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace postern::auth {
namespace {

std::error_code last_error() { return {errno, std::system_category()}; }

core::Status write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

core::Status fsync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return last_error();
  core::Status status;
  if (::fsync(fd) != 0) status = last_error();
  ::close(fd);
  return status;
}

// Writes and syncs the temporary file; closes `fd` in every case.
core::Status fill_temp(int fd, std::string_view content, mode_t mode) {
  core::Status status;
  if (::fchmod(fd, mode) != 0) status = last_error();
  if (!status) status = write_all(fd, content);
  if (!status && ::fsync(fd) != 0) status = last_error();
  if (::close(fd) != 0 && !status) status = last_error();
  return status;
}

}  // namespace

core::Status write_file_atomically(const std::filesystem::path& path, std::string_view content,
                                   mode_t mode) {
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  std::string templ = path.string() + ".tmp.XXXXXX";
  std::vector<char> name(templ.begin(), templ.end());
  name.push_back('\0');
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);  // created 0600
  if (fd < 0) return last_error();
  core::Status status = fill_temp(fd, content, mode);
  if (!status && ::rename(name.data(), path.c_str()) != 0) status = last_error();
  if (status) {
    ::unlink(name.data());
    return status;
  }
  // The rename is durable only once the directory entry is; report a failure here (the new
  // content may or may not survive a crash, so the caller must not claim success).
  return fsync_directory(dir);
}

core::Result<std::string> read_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return last_error();
  std::string content;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const auto ec = last_error();
      ::close(fd);
      return ec;
    }
    if (n == 0) break;
    content.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return content;
}

core::Result<FileLock> FileLock::acquire(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return last_error();
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    const auto ec = last_error();
    ::close(fd);
    return ec;
  }
  return FileLock(fd);
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace postern::auth
