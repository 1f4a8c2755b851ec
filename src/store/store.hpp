#pragma once
// store::Store — the durable queue. Callers (server/, delivery/, cli/) see only this interface,
// so the embedded SQLite backend and a PostgreSQL backend are interchangeable.
//
// Invariant 1: async_commit() reports success only after the message and its envelope are
// durable (committed and fsynced). A failed commit leaves nothing behind.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace postern::store {

enum class RecipientState { queued, delivered, failed, held };

struct NewMessage {
  std::string queue_id;             // core::make_queue_id(); chosen by the caller
  std::string account;              // the submitting account
  std::string client_address;       // peer ip, for the record
  std::string mail_from;            // reverse-path without <>; empty for the null path
  std::vector<std::string> rcpt_to;
  std::string content;              // the full message as it will be relayed (CRLF lines)
  bool body_8bitmime = false;
  bool smtputf8 = false;
  std::uint64_t received_at_ms = 0; // unix milliseconds
};

struct RecipientRecord {
  std::string address;
  RecipientState state = RecipientState::queued;
  int attempts = 0;
  std::uint64_t next_attempt_at_ms = 0;
  std::string last_reply;
};

struct MessageRecord {
  std::string queue_id;
  std::string account;
  std::string client_address;
  std::string mail_from;
  bool body_8bitmime = false;
  bool smtputf8 = false;
  std::uint64_t received_at_ms = 0;
  std::uint64_t size = 0;
  std::vector<RecipientRecord> recipients;
  std::string content;              // filled only by load_message()
};

class Store {
 public:
  virtual ~Store() = default;

  // Makes `message` durable and then calls `done` exactly once, from a store thread:
  //  - success: the message and every recipient (state queued, due now) are committed;
  //  - core::Errc::disk_full: no room (SMTP 452 4.3.1); nothing was stored;
  //  - core::Errc::storage_failure: a write or fsync failed; nothing may be assumed stored, and
  //    the store refuses every later commit with store_unavailable until restarted;
  //  - core::Errc::store_unavailable: see above.
  // Concurrent calls are batched into one transaction and one fsync (group commit).
  virtual void async_commit(NewMessage message, std::function<void(core::Status)> done) = 0;

  // Reads one message with its recipients and content. Errc::not_found if absent.
  virtual core::Result<MessageRecord> load_message(const std::string& queue_id) = 0;

  // Messages in arrival order, without content; at most `limit`.
  virtual core::Result<std::vector<MessageRecord>> list_messages(std::size_t limit) = 0;
};

}  // namespace postern::store
