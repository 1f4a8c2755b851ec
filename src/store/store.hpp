#pragma once
// store::Store — the durable queue. Callers (server/, delivery/, cli/) see only this interface,
// so the embedded SQLite backend and a PostgreSQL backend are interchangeable.
//
// Invariant 1: async_commit() reports success only after the message and its envelope are
// durable (committed and fsynced). A failed commit leaves nothing behind.
// The on-disk format and the commit protocol are described in docs/store-format.md.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
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
  std::uint64_t updated_at_ms = 0;
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
  std::vector<RecipientRecord> recipients;  // in RCPT order; the index is the rcpt_index
  std::string content;              // filled only by load_message()
};

// --- delivery side -------------------------------------------------------------------------

// Asks for up to `limit` recipients that are queued, due (next_attempt_at <= now_ms) and not
// under a live lease; they are leased to `owner` until now_ms + lease_ms.
struct LeaseRequest {
  std::string owner;                // node id; one per process
  std::uint64_t now_ms = 0;
  std::uint64_t lease_ms = 0;
  std::size_t limit = 0;
};

struct LeasedRecipient {
  std::string queue_id;
  std::uint32_t rcpt_index = 0;
  std::string address;
  int attempts = 0;                 // attempts made before this lease
  std::uint64_t lease_expires_at_ms = 0;
};

// The result of one delivery attempt for one recipient. `state` is delivered, failed, or
// queued (= deferred until next_attempt_at_ms). Recording an outcome adds one attempt and
// clears the lease. Final states (delivered, failed) are never overwritten; a deferral of a
// held recipient keeps it held.
struct RecipientOutcome {
  std::string queue_id;
  std::uint32_t rcpt_index = 0;
  RecipientState state = RecipientState::queued;
  std::uint64_t next_attempt_at_ms = 0;
  std::string last_reply;
  std::uint64_t at_ms = 0;
};

// Counters for tests and metrics; monotonic over the life of the Store object.
struct StoreStats {
  std::uint64_t transactions = 0;        // write transactions committed (one fsync each)
  std::uint64_t messages_committed = 0;  // async_commit calls that succeeded
  std::uint64_t largest_batch = 0;       // most write requests in one transaction
  std::uint64_t checkpoints = 0;         // WAL checkpoints run (WAL frames copied to queue.db)
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
  //  - core::Errc::already_exists: the queue id is taken; invalid_argument: no recipient or no
  //    queue id; timed_out: another process held the database's write lock (SMTP 451 4.3.0).
  //    Nothing was stored.
  // Concurrent calls are batched into one transaction and one fsync (group commit).
  // `done` runs on the writer thread: it must be short and must not throw (post work away).
  virtual void async_commit(NewMessage message, std::function<void(core::Status)> done) = 0;

  // Reads one message with its recipients and content. Errc::not_found if absent.
  // Thread-safe, does not wait for the writer.
  virtual core::Result<MessageRecord> load_message(const std::string& queue_id) = 0;

  // Messages in arrival (commit) order, without content; at most `limit`. Thread-safe.
  virtual core::Result<std::vector<MessageRecord>> list_messages(std::size_t limit) = 0;

  // Leases due recipients (see LeaseRequest); `done` gets them once the lease is durable.
  // Goes through the writer and its group commit, like async_commit.
  virtual void async_lease_due(
      LeaseRequest request,
      std::function<void(core::Result<std::vector<LeasedRecipient>>)> done) = 0;

  // Records delivery outcomes, all or none; `done` is called once they are durable.
  // Errc::not_found if a (queue_id, rcpt_index) does not exist (then nothing is recorded).
  virtual void async_record_outcomes(std::vector<RecipientOutcome> outcomes,
                                     std::function<void(core::Status)> done) = 0;

  // ok, or Errc::store_unavailable once a storage failure has stopped the store: acceptance
  // must stop (SMTP 421/451) until an operator restarts it.
  [[nodiscard]] virtual core::Status health() const = 0;

  [[nodiscard]] virtual StoreStats stats() const = 0;
};

struct StoreOptions {
  std::filesystem::path data_dir;   // holds queue.db (+ -wal, -shm) and queue.lock; created
  std::size_t max_idle_readers = 4; // read connections kept open between reads
  int busy_timeout_ms = 5000;

  // TEST ONLY: PRAGMA max_page_count on the write connection, to provoke SQLITE_FULL.
  std::optional<std::uint32_t> max_page_count;
};

// Opens (creating if needed) the embedded SQLite store in options.data_dir, migrates the
// schema and clears crash leftovers (stale leases). One process per data directory: a second
// open fails with std::errc::device_or_resource_busy.
[[nodiscard]] core::Result<std::unique_ptr<Store>> open_store(const StoreOptions& options);

}  // namespace postern::store
