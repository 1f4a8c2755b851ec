#pragma once
// store::Store — the durable queue. Callers (server/, delivery/, cli/) see only this interface,
// so the embedded SQLite backend and a PostgreSQL backend are interchangeable.
//
// Invariant 1: async_commit() reports success only after the message and its envelope are
// durable (committed and fsynced). A failed commit leaves nothing behind.
// The on-disk format and the commit protocol are described in docs/store-format.md.

#include <chrono>
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

// A normal message, or a delivery status notification (RFC 3464) that Postern generated. A DSN
// is never bounced: when one fails, no DSN is made for it (smtp-checklist, "Durability").
enum class MessageKind { message, dsn };

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
  MessageKind kind = MessageKind::message;  // stored as given; async_record_outcomes forces dsn
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
  MessageKind kind = MessageKind::message;
  std::vector<RecipientRecord> recipients;  // in RCPT order; the index is the rcpt_index
  std::string content;              // filled only by load_message() and load_capture()
};

// Recipients of one message counted by state, and when the next queued one is due: what
// `postern queue ls` shows ("2 queued, 1 delivered").
struct StateSummary {
  std::size_t queued = 0;
  std::size_t delivered = 0;
  std::size_t failed = 0;
  std::size_t held = 0;
  std::optional<std::uint64_t> next_attempt_at_ms;  // earliest of the queued; none if none
  int attempts = 0;                                 // most attempts of any recipient

  // True when every recipient is delivered or failed (the message is done).
  [[nodiscard]] bool done() const { return queued == 0 && held == 0; }
};
[[nodiscard]] StateSummary summarize(const MessageRecord& message);

// --- delivery side -------------------------------------------------------------------------

// Asks for up to `limit` recipients that are queued, due (next_attempt_at <= now_ms) and not
// under a live lease; they are leased to `owner` until now_ms + lease_ms.
struct LeaseRequest {
  std::string owner;                // node id; one per process
  std::uint64_t now_ms = 0;
  std::uint64_t lease_ms = 0;
  std::size_t limit = 0;
};

// A recipient that a previous process had leased and not recorded an outcome for when it
// stopped: if that process had already handed the message to the provider, the next attempt
// delivers it a second time (the at-least-once window).
struct InterruptedRecipient {
  std::string queue_id;
  std::string address;
};

struct LeasedRecipient {
  std::string queue_id;
  std::uint32_t rcpt_index = 0;
  std::string address;
  int attempts = 0;                 // attempts made before this lease
  std::uint64_t lease_expires_at_ms = 0;
  // From the message, so the scheduler needs no extra read to plan, to build MAIL FROM, or to
  // decide on a bounce (the content itself comes from load_message):
  std::string mail_from;            // reverse-path; empty for the null path <>
  std::uint64_t received_at_ms = 0; // for expiry (max queue lifetime)
  std::uint64_t size = 0;           // content octets, for SIZE= and size limits
  bool body_8bitmime = false;
  bool smtputf8 = false;
  MessageKind kind = MessageKind::message;  // dsn: never bounce it
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

// --- capture mailbox (delivery without a provider) -----------------------------------------

struct CaptureRequest {
  std::string queue_id;
  std::vector<std::uint32_t> rcpt_indices;  // recipients delivered into the capture mailbox
  std::uint64_t at_ms = 0;
  std::size_t keep_limit = 1000;            // captured messages kept; older ones are pruned
};

struct CaptureRecord {
  std::string queue_id;
  std::string mail_from;
  std::vector<std::string> rcpt_to;         // every recipient of the message, RCPT order
  std::uint64_t received_at_ms = 0;
  std::uint64_t captured_at_ms = 0;
  std::uint64_t size = 0;
};

// --- operator verbs -------------------------------------------------------------------------

enum class OperatorVerb {
  hold,     // the message's queued recipients -> held (not leased until released)
  release,  // the message's held recipients -> queued, due at now_ms
  retry,    // the message's queued recipients due at now_ms (a live lease is kept)
  remove,   // deletes the message and all its recipients (`postern queue delete`)
  flush,    // every queued recipient of every message due at now_ms; queue_id is ignored
};

struct OperatorRequest {
  OperatorVerb verb = OperatorVerb::retry;
  std::string queue_id;
  std::uint64_t now_ms = 0;
};

// Deletes finished messages: every recipient delivered or failed, the last of them changed
// before `before_ms`, and not in the capture mailbox (that keeps its own by count). A call
// walks at most `scan_limit` messages in arrival order from `cursor` (0: from the oldest), so
// one call never holds the writer long; the walk ends at the first message received at or
// after `before_ms` (nothing newer can qualify).
struct PruneRequest {
  std::uint64_t before_ms = 0;
  std::int64_t cursor = 0;  // opaque: 0, or PruneResult::cursor of the previous call
  std::size_t scan_limit = 256;
};

struct PruneResult {
  std::size_t deleted = 0;
  std::int64_t cursor = 0;  // where the next call goes on; 0: this pass is complete
};

// Counters for tests and metrics; monotonic over the life of the Store object.
struct StoreStats {
  std::uint64_t transactions = 0;        // write transactions committed
  std::uint64_t messages_committed = 0;  // async_commit calls that succeeded
  std::uint64_t largest_batch = 0;       // most write requests in one transaction
  std::uint64_t checkpoints = 0;         // WAL checkpoints run (WAL frames copied to queue.db)
  std::uint64_t wal_syncs = 0;           // WAL fdatasyncs after commits (one may cover several)
  std::uint64_t pruned = 0;              // finished messages deleted by async_prune_done
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
  // `done` runs on a store thread (the writer's, or the syncer's that ran the fsync): it must
  // be short and must not throw (post work away).
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

  // As above, and commits `dsn` (if given) IN THE SAME TRANSACTION, so a bounce is queued
  // durably before — never after — the recipients it reports are marked failed; a crash or
  // error leaves neither. The DSN is stored with kind = dsn (whatever dsn->kind says), its
  // recipients queued and due at once. Rules, each failing the whole call (nothing recorded):
  //  - invalid_argument: a DSN with no `failed` outcome, or for a message that is itself a
  //    DSN or has the null reverse-path (no DSN to <>; a DSN is never bounced); a DSN with
  //    no recipient or queue id; already_exists: its queue id is taken.
  // A DSN is committed only if at least one `failed` outcome moved a recipient to failed: if
  // all of them were final already (a repeated call), the DSN is dropped, not duplicated.
  virtual void async_record_outcomes(std::vector<RecipientOutcome> outcomes,
                                     std::optional<NewMessage> dsn,
                                     std::function<void(core::Status)> done) = 0;

  // --- capture mailbox ---
  // Marks the given recipients delivered (attempts + 1, last_reply "250 2.0.0 captured",
  // lease cleared; final ones are left as they are) and records the message as captured at
  // at_ms. Then keeps only the keep_limit most recently captured messages: an older one leaves
  // the mailbox, and is deleted if all its recipients are final (it was delivered there).
  // not_found if the queue id or an index does not exist (nothing recorded). Writer + group
  // commit; `done` once durable.
  virtual void async_capture(CaptureRequest request,
                             std::function<void(core::Status)> done) = 0;

  // Captured messages, most recently captured first; at most `limit`. Thread-safe.
  virtual core::Result<std::vector<CaptureRecord>> list_captures(std::size_t limit) = 0;

  // A captured message with its content; not_found if it is not in the capture mailbox.
  virtual core::Result<MessageRecord> load_capture(const std::string& queue_id) = 0;

  // --- operator ---
  // Applies an OperatorVerb; `done` gets the number of recipients it changed (remove: the
  // recipients deleted with the message) once durable. not_found for an unknown queue id
  // (never for flush). A verb that finds nothing to change succeeds with 0. Writer + group
  // commit. A recipient in flight (leased) keeps its lease: its outcome is recorded when it
  // comes, except after remove, where async_record_outcomes reports not_found.
  virtual void async_operate(OperatorRequest request,
                             std::function<void(core::Result<std::size_t>)> done) = 0;

  // --- retention ---
  // Deletes finished messages (PruneRequest); `done` gets how many and where to go on, once
  // durable. Writer + group commit. Runs by itself when StoreOptions::keep_done is set.
  virtual void async_prune_done(PruneRequest request,
                                std::function<void(core::Result<PruneResult>)> done) = 0;

  // Messages that still have a queued or held recipient, in arrival order, without content;
  // at most `limit`. (list_messages lists every message, finished ones too.) Thread-safe.
  virtual core::Result<std::vector<MessageRecord>> list_pending(std::size_t limit) = 0;

  // ok, or Errc::store_unavailable once a storage failure has stopped the store: acceptance
  // must stop (SMTP 421/451) until an operator restarts it.
  [[nodiscard]] virtual core::Status health() const = 0;

  [[nodiscard]] virtual StoreStats stats() const = 0;

  // The content of a message this process committed and delivery has not taken yet, if it is
  // still held in memory (StoreOptions::handoff_bytes; see content_handoff.hpp); nullopt
  // otherwise — read it with load_message. Taking it removes it. Thread-safe.
  [[nodiscard]] virtual std::optional<std::string> take_content(const std::string& queue_id) = 0;

  // The leases found (and cleared) when the store was opened, in queue order: the previous
  // process's work in flight, reported so the at-least-once window can be logged.
  [[nodiscard]] virtual const std::vector<InterruptedRecipient>& interrupted_at_open() const = 0;
};

struct StoreOptions {
  std::filesystem::path data_dir;   // holds queue.db (+ -wal, -shm) and queue.lock; created
  std::size_t max_idle_readers = 4; // read connections kept open between reads
  int busy_timeout_ms = 5000;
  // Bodies of newly committed messages kept in memory for delivery (take_content), at most
  // this many octets; 0: none (capture mode: nothing would take them).
  std::size_t handoff_bytes = 0;
  // Finished messages are deleted this long after their last recipient changed (a sweep runs
  // every keep_done / 10, between 1 s and 1 min); nullopt: kept until an operator deletes them.
  std::optional<std::chrono::milliseconds> keep_done;

  // TEST ONLY: PRAGMA max_page_count on the write connection, to provoke SQLITE_FULL.
  std::optional<std::uint32_t> max_page_count;
  // TEST ONLY: replaces fdatasync(2) of the WAL after a commit (returns 0 or an errno value),
  // to hold a commit's sync or make it fail.
  std::function<int(int fd)> wal_sync;
};

// Opens (creating if needed) the embedded SQLite store in options.data_dir, migrates the
// schema and clears crash leftovers (stale leases). One process per data directory: a second
// open fails with std::errc::device_or_resource_busy.
[[nodiscard]] core::Result<std::unique_ptr<Store>> open_store(const StoreOptions& options);

}  // namespace postern::store
