#include "store/content_handoff.hpp"

namespace postern::store {

void ContentHandoff::put(const std::string& queue_id, std::string content) {
  if (content.size() > max_bytes_) return;
  std::lock_guard lock(mutex_);
  const std::size_t size = content.size();
  auto [it, inserted] = bodies_.try_emplace(queue_id, std::move(content));
  if (!inserted) return;  // a queue id is committed once; keep the first
  bytes_ += size;
  order_.push_back(queue_id);
  evict_locked();
  if (order_.size() > 2 * bodies_.size() + 64) compact_locked();
}

std::optional<std::string> ContentHandoff::take(const std::string& queue_id) {
  std::lock_guard lock(mutex_);
  auto it = bodies_.find(queue_id);
  if (it == bodies_.end()) return std::nullopt;
  std::string content = std::move(it->second);
  bytes_ -= content.size();
  bodies_.erase(it);
  if (bodies_.empty()) order_.clear();  // no stale ids piling up behind taken bodies
  return content;
}

void ContentHandoff::erase(const std::string& queue_id) {
  std::lock_guard lock(mutex_);
  auto it = bodies_.find(queue_id);
  if (it == bodies_.end()) return;
  bytes_ -= it->second.size();
  bodies_.erase(it);
}

// Drops the ids of taken bodies from the whole order list (a body that is never taken, e.g. a
// held message, would otherwise keep every later id behind it).
void ContentHandoff::compact_locked() {
  std::deque<std::string> live;
  for (auto& id : order_) {
    if (bodies_.contains(id)) live.push_back(std::move(id));
  }
  order_.swap(live);
}

std::size_t ContentHandoff::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

// Oldest first until within the bound; ids of bodies already taken are skipped. The order
// list is also trimmed of taken ids at its front, so it stays about as long as the map.
void ContentHandoff::evict_locked() {
  while (!order_.empty()) {
    auto it = bodies_.find(order_.front());
    if (it != bodies_.end()) {
      if (bytes_ <= max_bytes_) return;
      bytes_ -= it->second.size();
      bodies_.erase(it);
    }
    order_.pop_front();
  }
}

}  // namespace postern::store
