#include "store/data_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace postern::store {
namespace {

std::error_code last_errno() { return {errno, std::generic_category()}; }

}  // namespace

DirLock::~DirLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

DirLock& DirLock::operator=(DirLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

core::Status fsync_dir(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return last_errno();
  const int rc = ::fsync(fd);
  const std::error_code ec = rc == 0 ? std::error_code{} : last_errno();
  ::close(fd);
  return ec;
}

core::Status create_private_file(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return last_errno();
  ::close(fd);
  return {};
}

core::Result<DirLock> prepare_data_dir(const std::filesystem::path& dir) {
  if (dir.empty()) return std::make_error_code(std::errc::invalid_argument);
  if (::mkdir(dir.c_str(), 0700) == 0) {
    auto path = std::filesystem::absolute(dir).lexically_normal();
    if (path.filename().empty()) path = path.parent_path();  // "a/b/" names "a/b"
    if (auto ec = fsync_dir(path.parent_path())) return ec;
  } else if (errno != EEXIST) {
    return last_errno();
  }
  const auto lock_path = dir / "queue.lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return last_errno();
  DirLock lock(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return std::make_error_code(std::errc::device_or_resource_busy);
    return last_errno();
  }
  return lock;
}

}  // namespace postern::store
