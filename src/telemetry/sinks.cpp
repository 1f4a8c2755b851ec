#include "telemetry/sinks.hpp"

#include <unistd.h>

#include <cerrno>

namespace postern::telemetry {

void FdSink::write_line(std::string_view line) {
  std::lock_guard lock(mutex_);
  while (!line.empty()) {
    const ssize_t n = ::write(fd_, line.data(), line.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    line.remove_prefix(static_cast<std::size_t>(n));
  }
}

void StreamSink::write_line(std::string_view line) {
  std::lock_guard lock(mutex_);
  stream_.write(line.data(), static_cast<std::streamsize>(line.size()));
  stream_.flush();
}

}  // namespace postern::telemetry
