#include "loadgen/sink_stats.hpp"

#include <chrono>
#include <cstdio>

#include "loadgen/stats.hpp"

namespace postern::loadgen {

namespace {

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

template <typename T>
void raise_to(std::atomic<T>& slot, T value) {
  T seen = slot.load(std::memory_order_relaxed);
  while (seen < value && !slot.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

}  // namespace

void SinkStats::on_close(std::uint64_t messages, bool quit) {
  closed_.fetch_add(1, std::memory_order_relaxed);
  if (quit) quit_.fetch_add(1, std::memory_order_relaxed);
  raise_to(max_per_connection_, messages);
}

void SinkStats::on_message(std::uint64_t bytes, std::string_view message_id) {
  const std::int64_t now = unix_ms();
  std::int64_t zero = 0;
  first_message_ms_.compare_exchange_strong(zero, now, std::memory_order_relaxed);
  raise_to(last_message_ms_, now);
  bytes_.fetch_add(bytes, std::memory_order_relaxed);
  if (track_ids_) {
    const std::lock_guard lock(ids_mutex_);
    if (message_id.empty()) {
      ++missing_ids_;
    } else if (!ids_.emplace(message_id).second) {
      ++duplicate_ids_;
    }
  }
  // Counted last, so a reader that sees N messages also sees their ids.
  messages_.fetch_add(1, std::memory_order_release);
}

std::string SinkStats::json(std::string_view event) const {
  const auto get = [](const auto& counter) {
    return std::to_string(counter.load(std::memory_order_acquire));
  };
  std::string out = "{\"mode\":\"sink\",\"event\":" + json_string(event);
  out += ",\"messages\":" + get(messages_);
  out += ",\"connections\":" + get(connections_);
  out += ",\"open\":" + std::to_string(connections_.load() - closed_.load());
  out += ",\"quit\":" + get(quit_);
  out += ",\"tls_handshakes\":" + get(tls_handshakes_);
  out += ",\"tls_failures\":" + get(tls_failures_);
  out += ",\"auth_ok\":" + get(auth_ok_);
  out += ",\"auth_failed\":" + get(auth_failed_);
  out += ",\"mail\":" + get(mail_);
  out += ",\"rcpt\":" + get(rcpt_);
  out += ",\"bytes\":" + get(bytes_);
  out += ",\"max_messages_per_connection\":" + get(max_per_connection_);
  out += ",\"first_message_unix_ms\":" + get(first_message_ms_);
  out += ",\"last_message_unix_ms\":" + get(last_message_ms_);
  if (track_ids_) {
    const std::lock_guard lock(ids_mutex_);
    out += ",\"unique_ids\":" + std::to_string(ids_.size());
    out += ",\"duplicate_ids\":" + std::to_string(duplicate_ids_);
    out += ",\"missing_ids\":" + std::to_string(missing_ids_);
  }
  char cpu[32];
  std::snprintf(cpu, sizeof cpu, "%.3f", process_cpu_seconds());
  out += ",\"cpu_s\":";
  out += cpu;
  out += ",\"now_unix_ms\":" + std::to_string(unix_ms()) + "}";
  return out;
}

bool write_file_atomically(const std::string& path, std::string_view text) {
  const std::string temporary = path + ".tmp";
  std::FILE* file = std::fopen(temporary.c_str(), "w");
  if (file == nullptr) return false;
  const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size() &&
                       std::fputc('\n', file) != EOF;
  if (std::fclose(file) != 0 || !written) return false;
  return std::rename(temporary.c_str(), path.c_str()) == 0;
}

}  // namespace postern::loadgen
