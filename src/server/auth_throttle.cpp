#include "server/auth_throttle.hpp"

#include <algorithm>

namespace postern::server {
namespace {
constexpr auto kForgetAfter = std::chrono::minutes(15);
constexpr auto kFirstDelay = std::chrono::milliseconds(250);
constexpr int kMaxDoublings = 5;  // 250 ms · 2^5 = 8 s
}  // namespace

std::chrono::milliseconds AuthThrottle::on_failure(const std::string& address,
                                                   Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(address);
  if (it == entries_.end()) {
    if (entries_.size() >= kMaxTracked) {
      auto oldest = std::min_element(entries_.begin(), entries_.end(), [](auto& a, auto& b) {
        return a.second.last < b.second.last;
      });
      entries_.erase(oldest);
    }
    it = entries_.emplace(address, Entry{}).first;
  }
  Entry& entry = it->second;
  if (now - entry.last > kForgetAfter) entry.failures = 0;
  entry.last = now;
  const int doublings = std::min(entry.failures, kMaxDoublings);
  ++entry.failures;
  return kFirstDelay * (1 << doublings);
}

void AuthThrottle::on_success(const std::string& address) {
  std::lock_guard lock(mutex_);
  entries_.erase(address);
}

}  // namespace postern::server
