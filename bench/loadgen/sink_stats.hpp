#pragma once
// What the sink saw, for the delivery benchmark (docs/benchmarks.md, "End-to-end delivery"):
// connections, TLS handshakes, logins, messages answered 250 after the final dot, and — when
// Message-IDs are tracked — how many distinct ones, so loss and duplicates can be told apart.
// Shared by every io_context thread: counters are atomics, the id set has a mutex.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

namespace postern::loadgen {

class SinkStats {
 public:
  explicit SinkStats(bool track_ids) : track_ids_(track_ids) {}

  [[nodiscard]] bool track_ids() const { return track_ids_; }

  void on_connection() { connections_.fetch_add(1, std::memory_order_relaxed); }
  // `messages` is how many were accepted on the connection; `quit` whether it ended by QUIT.
  void on_close(std::uint64_t messages, bool quit);
  void on_tls(bool ok) { (ok ? tls_handshakes_ : tls_failures_).fetch_add(1, std::memory_order_relaxed); }
  void on_auth(bool ok) { (ok ? auth_ok_ : auth_failed_).fetch_add(1, std::memory_order_relaxed); }
  void on_mail() { mail_.fetch_add(1, std::memory_order_relaxed); }
  void on_rcpt() { rcpt_.fetch_add(1, std::memory_order_relaxed); }
  // A message answered 250: its content size and its Message-ID (empty when absent or not
  // tracked).
  void on_message(std::uint64_t bytes, std::string_view message_id);

  // One JSON object on one line (no newline): {"mode":"sink","event":EVENT,...}.
  [[nodiscard]] std::string json(std::string_view event) const;

 private:
  bool track_ids_;
  std::atomic<std::uint64_t> connections_{0}, closed_{0}, quit_{0};
  std::atomic<std::uint64_t> tls_handshakes_{0}, tls_failures_{0};
  std::atomic<std::uint64_t> auth_ok_{0}, auth_failed_{0};
  std::atomic<std::uint64_t> mail_{0}, rcpt_{0}, messages_{0}, bytes_{0};
  std::atomic<std::uint64_t> max_per_connection_{0};
  std::atomic<std::int64_t> first_message_ms_{0}, last_message_ms_{0};  // Unix ms, 0 = none
  mutable std::mutex ids_mutex_;
  std::unordered_set<std::string> ids_;
  std::uint64_t duplicate_ids_ = 0;  // guarded by ids_mutex_
  std::uint64_t missing_ids_ = 0;    // guarded by ids_mutex_
};

// Writes `text` plus a newline to `path` atomically (temporary file, then rename), so a reader
// never sees half a line. False on any I/O error.
[[nodiscard]] bool write_file_atomically(const std::string& path, std::string_view text);

}  // namespace postern::loadgen
