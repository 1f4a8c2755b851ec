#pragma once
// Where log lines go. A sink receives whole lines (ending in '\n') and must be thread-safe.

#include <mutex>
#include <ostream>
#include <string_view>

namespace postern::telemetry {

class Sink {
 public:
  virtual ~Sink() = default;
  // `line` is one complete log line including its final '\n'.
  virtual void write_line(std::string_view line) = 0;
};

// Writes to a file descriptor it does not own (stderr by default) with one write() per line;
// the loop after a short write runs under a mutex so lines never interleave. Write errors are
// ignored: logging must not take the server down (the app ignores SIGPIPE).
class FdSink final : public Sink {
 public:
  explicit FdSink(int fd = 2) : fd_(fd) {}
  void write_line(std::string_view line) override;

 private:
  int fd_;
  std::mutex mutex_;
};

// Writes to a std::ostream (tests, or a file stream), serialised by a mutex.
// "*stream" must outlive the sink.
class StreamSink final : public Sink {
 public:
  explicit StreamSink(std::ostream& stream) : stream_(stream) {}
  void write_line(std::string_view line) override;

 private:
  std::ostream& stream_;
  std::mutex mutex_;
};

}  // namespace postern::telemetry
