#pragma once
// store::ContentHandoff — the bodies of messages just committed, kept in memory for delivery
// so that it need not read them back from the database (for a 100 KiB message that read was
// about 65 µs of a delivery's CPU: overflow pages through the WAL, then a copy).
//
// Contract: bounded by the total size of the bodies it holds; the oldest go first. take()
// hands a body over once (a second job for the same message, a retry, reads the store). A
// body larger than the bound is not kept. Thread-safe: a store thread puts (when a commit is
// durable), the delivery thread takes, an operator's delete erases.

#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace postern::store {

class ContentHandoff {
 public:
  explicit ContentHandoff(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  void put(const std::string& queue_id, std::string content);
  [[nodiscard]] std::optional<std::string> take(const std::string& queue_id);
  void erase(const std::string& queue_id);

  [[nodiscard]] std::size_t bytes() const;

 private:
  void evict_locked();
  void compact_locked();

  const std::size_t max_bytes_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::string> bodies_;  // queue id -> content
  std::deque<std::string> order_;  // queue ids, oldest first (may name taken ones)
  std::size_t bytes_ = 0;
};

}  // namespace postern::store
