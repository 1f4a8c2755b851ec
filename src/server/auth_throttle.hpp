#pragma once
// Slows down repeated AUTH failures from one client address (smtp-checklist: "repeated
// failures from one address are slowed down"). The delay doubles with each recent failure,
// from 250 ms up to 8 s, and is forgotten after 15 minutes without a failure. Bounded memory:
// at most kMaxTracked addresses; the oldest entry is dropped first.

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace postern::server {

class AuthThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kMaxTracked = 65536;

  // Records a failure from `address` at `now`; returns how long to wait before answering.
  std::chrono::milliseconds on_failure(const std::string& address, Clock::time_point now);
  // A success clears the address.
  void on_success(const std::string& address);

 private:
  struct Entry {
    int failures = 0;
    Clock::time_point last;
  };
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace postern::server
