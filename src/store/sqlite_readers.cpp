#include "store/sqlite_readers.hpp"

#include <algorithm>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>

#include "store/schema.hpp"
#include "store/sqlite_db.hpp"

namespace postern::store {
namespace {

// Columns 0-7 are shared by the message queries; load adds the content as column 8.
constexpr std::string_view kLoadMessage =
    "SELECT id, queue_id, account, client_address, mail_from, flags, received_at, size, "
    "content FROM messages WHERE queue_id = ?1";
constexpr std::string_view kListMessages =
    "SELECT id, queue_id, account, client_address, mail_from, flags, received_at, size "
    "FROM messages ORDER BY id LIMIT ?1";
// Messages with a queued or held recipient; the subquery is served by recipients_pending.
constexpr std::string_view kListPending =
    "SELECT id, queue_id, account, client_address, mail_from, flags, received_at, size "
    "FROM messages WHERE id IN (SELECT message_id FROM recipients "
    "WHERE state IN ('queued', 'held') GROUP BY message_id ORDER BY message_id LIMIT ?1) "
    "ORDER BY id";
// Columns 0-7 as above, then captured_at; most recently captured first.
constexpr std::string_view kListCaptures =
    "SELECT m.id, m.queue_id, m.account, m.client_address, m.mail_from, m.flags, "
    "m.received_at, m.size, c.captured_at FROM captures AS c JOIN messages AS m "
    "ON m.id = c.message_id ORDER BY c.captured_at DESC, c.message_id DESC LIMIT ?1";
constexpr std::string_view kIsCaptured =
    "SELECT 1 FROM captures AS c JOIN messages AS m ON m.id = c.message_id "
    "WHERE m.queue_id = ?1";
// Recipients of the messages whose id lies in [?1, ?2], grouped by message in RCPT order.
constexpr std::string_view kRecipients =
    "SELECT message_id, rcpt_index, address, state, attempts, next_attempt_at, last_reply, "
    "updated_at FROM recipients WHERE message_id BETWEEN ?1 AND ?2 "
    "ORDER BY message_id, rcpt_index";

core::Status failure() { return make_error_code(core::Errc::storage_failure); }

void read_message_columns(const Stmt& s, MessageRecord& m) {
  m.queue_id = s.column_bytes(1);
  m.account = s.column_bytes(2);
  m.client_address = s.column_bytes(3);
  m.mail_from = s.column_bytes(4);
  const std::int64_t flags = s.column_int(5);
  m.body_8bitmime = (flags & kFlag8BitMime) != 0;
  m.smtputf8 = (flags & kFlagSmtpUtf8) != 0;
  m.received_at_ms = static_cast<std::uint64_t>(s.column_int(6));
  m.size = static_cast<std::uint64_t>(s.column_int(7));
  m.kind = kind_from_flags(flags);
}

core::Result<RecipientRecord> read_recipient(const Stmt& s) {
  RecipientRecord r;
  r.address = s.column_bytes(2);
  auto state = parse_state(s.column_bytes(3));
  if (!state) return make_error_code(core::Errc::malformed_input);
  r.state = *state;
  r.attempts = static_cast<int>(s.column_int(4));
  r.next_attempt_at_ms = static_cast<std::uint64_t>(s.column_int(5));
  r.last_reply = s.column_bytes(6);
  r.updated_at_ms = static_cast<std::uint64_t>(s.column_int(7));
  return r;
}

// A read transaction, so that a message and its recipients come from one snapshot.
class ReadTxn {
 public:
  ReadTxn(sqlite3* db, Stmt& begin, Stmt& commit) : db_(db), commit_(commit) {
    ok_ = begin.step_once() == SQLITE_DONE;
  }
  ~ReadTxn() {
    if (!sqlite3_get_autocommit(db_)) (void)commit_.step_once();
  }
  ReadTxn(const ReadTxn&) = delete;
  ReadTxn& operator=(const ReadTxn&) = delete;
  [[nodiscard]] bool ok() const { return ok_; }

 private:
  sqlite3* db_;
  Stmt& commit_;
  bool ok_ = false;
};

// Appends the recipients of messages [first, last] (a range of ids) that are in `ids`;
// `messages` is in id order and `ids` holds each one's id.
core::Status attach_range(Stmt& s, std::int64_t first, std::int64_t last,
                          std::span<const std::int64_t> ids, std::span<MessageRecord> messages) {
  StmtUse use(s);
  s.bind(1, first);
  s.bind(2, last);
  std::size_t at = 0;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    const std::int64_t message_id = s.column_int(0);
    while (at < ids.size() && ids[at] < message_id) ++at;
    if (at == ids.size() || ids[at] != message_id) continue;  // not one of ours
    auto r = read_recipient(s);
    if (!r) return r.error();
    messages[at].recipients.push_back(std::move(r.value()));
  }
  return rc == SQLITE_DONE ? core::Status{} : failure();
}

// One range scan when the ids are dense (list_messages); one per message when they are
// sparse (pending or captured messages among many finished ones).
core::Status attach_recipients(Stmt& s, const std::vector<std::int64_t>& ids,
                               std::vector<MessageRecord>& messages) {
  if (ids.empty()) return {};
  const auto width = static_cast<std::uint64_t>(ids.back() - ids.front());
  if (width < 2 * ids.size()) return attach_range(s, ids.front(), ids.back(), ids, messages);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto one_id = std::span(ids).subspan(i, 1);
    if (auto st = attach_range(s, ids[i], ids[i], one_id, std::span(messages).subspan(i, 1))) {
      return st;
    }
  }
  return {};
}

// Runs a message query (columns 0-7, bound to ?1 = limit) and reads the rows; `extra` reads
// what a row adds beyond column 7.
template <class Extra>
core::Status read_messages(Stmt& q, std::size_t limit, std::vector<std::int64_t>& ids,
                           std::vector<MessageRecord>& messages, Extra extra) {
  StmtUse use(q);
  q.bind(1, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) {
    ids.push_back(q.column_int(0));
    read_message_columns(q, messages.emplace_back());
    extra(q);
  }
  return rc == SQLITE_DONE ? core::Status{} : failure();
}

}  // namespace

struct SqliteReaders::Reader {
  Db db;
  Stmt begin, commit, load, list, pending, captures, is_captured, recipients;
};

SqliteReaders::SqliteReaders(std::filesystem::path db_path, std::size_t max_idle,
                             int busy_timeout_ms)
    : db_path_(std::move(db_path)), max_idle_(max_idle), busy_timeout_ms_(busy_timeout_ms) {}

SqliteReaders::~SqliteReaders() = default;

void SqliteReaders::Release::operator()(Reader* reader) const {
  std::unique_ptr<Reader> owned(reader);
  std::lock_guard lock(pool->mu_);
  if (pool->idle_.size() < pool->max_idle_) pool->idle_.push_back(std::move(owned));
}

core::Result<SqliteReaders::Lease> SqliteReaders::acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      Lease lease(idle_.back().release(), Release{this});
      idle_.pop_back();
      return lease;
    }
  }
  auto db = open_db(db_path_, busy_timeout_ms_);
  if (!db) return failure();
  auto reader = std::make_unique<Reader>();
  reader->db = std::move(db.value());
  sqlite3* raw = reader->db.get();
  if (configure_reader(raw)) return failure();
  for (auto [stmt, sql] : {std::pair<Stmt*, std::string_view>{&reader->begin, "BEGIN"},
                           {&reader->commit, "COMMIT"},
                           {&reader->load, kLoadMessage},
                           {&reader->list, kListMessages},
                           {&reader->pending, kListPending},
                           {&reader->captures, kListCaptures},
                           {&reader->is_captured, kIsCaptured},
                           {&reader->recipients, kRecipients}}) {
    if (stmt->prepare(raw, sql) != SQLITE_OK) return failure();
  }
  return Lease(reader.release(), Release{this});
}

core::Result<MessageRecord> SqliteReaders::load_message(const std::string& queue_id) {
  auto reader = acquire();
  if (!reader) return reader.error();
  Reader& r = **reader;
  ReadTxn txn(r.db.get(), r.begin, r.commit);
  if (!txn.ok()) return failure();
  return load_in(r, queue_id);
}

core::Result<MessageRecord> SqliteReaders::load_capture(const std::string& queue_id) {
  auto reader = acquire();
  if (!reader) return reader.error();
  Reader& r = **reader;
  ReadTxn txn(r.db.get(), r.begin, r.commit);
  if (!txn.ok()) return failure();
  {
    StmtUse use(r.is_captured);
    r.is_captured.bind_text(1, queue_id);
    const int rc = r.is_captured.step();
    if (rc == SQLITE_DONE) return make_error_code(core::Errc::not_found);
    if (rc != SQLITE_ROW) return failure();
  }
  return load_in(r, queue_id);
}

// REQUIRES: a read transaction on `r`.
core::Result<MessageRecord> SqliteReaders::load_in(Reader& r, const std::string& queue_id) {
  std::vector<MessageRecord> found(1);
  std::vector<std::int64_t> ids;
  {
    StmtUse use(r.load);
    r.load.bind_text(1, queue_id);
    const int rc = r.load.step();
    if (rc == SQLITE_DONE) return make_error_code(core::Errc::not_found);
    if (rc != SQLITE_ROW) return failure();
    ids.push_back(r.load.column_int(0));
    read_message_columns(r.load, found[0]);
    found[0].content = r.load.column_bytes(8);
  }
  if (auto st = attach_recipients(r.recipients, ids, found)) return st;
  return std::move(found[0]);
}

core::Result<std::vector<MessageRecord>> SqliteReaders::list_messages(std::size_t limit) {
  return list_with(&Reader::list, limit);
}

core::Result<std::vector<MessageRecord>> SqliteReaders::list_pending(std::size_t limit) {
  return list_with(&Reader::pending, limit);
}

core::Result<std::vector<MessageRecord>> SqliteReaders::list_with(Stmt Reader::*query,
                                                                   std::size_t limit) {
  auto reader = acquire();
  if (!reader) return reader.error();
  Reader& r = **reader;
  ReadTxn txn(r.db.get(), r.begin, r.commit);
  if (!txn.ok()) return failure();
  std::vector<MessageRecord> messages;
  std::vector<std::int64_t> ids;
  if (auto st = read_messages(r.*query, limit, ids, messages, [](const Stmt&) {})) return st;
  if (auto st = attach_recipients(r.recipients, ids, messages)) return st;
  return messages;
}

core::Result<std::vector<CaptureRecord>> SqliteReaders::list_captures(std::size_t limit) {
  auto reader = acquire();
  if (!reader) return reader.error();
  Reader& r = **reader;
  ReadTxn txn(r.db.get(), r.begin, r.commit);
  if (!txn.ok()) return failure();
  std::vector<MessageRecord> messages;
  std::vector<std::int64_t> ids;
  std::vector<std::uint64_t> captured_at;
  auto read_time = [&](const Stmt& q) {
    captured_at.push_back(static_cast<std::uint64_t>(q.column_int(8)));
  };
  if (auto st = read_messages(r.captures, limit, ids, messages, read_time)) return st;
  // attach_recipients wants ascending ids; the listing is newest first.
  std::vector<std::size_t> order(ids.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return ids[a] < ids[b]; });
  std::vector<std::int64_t> sorted_ids;
  std::vector<MessageRecord> sorted;
  for (std::size_t i : order) {
    sorted_ids.push_back(ids[i]);
    sorted.push_back(std::move(messages[i]));
  }
  if (auto st = attach_recipients(r.recipients, sorted_ids, sorted)) return st;
  std::vector<CaptureRecord> out(ids.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::size_t i = order[k];
    MessageRecord& m = sorted[k];
    CaptureRecord& c = out[i];
    c.queue_id = std::move(m.queue_id);
    c.mail_from = std::move(m.mail_from);
    for (auto& rcpt : m.recipients) c.rcpt_to.push_back(std::move(rcpt.address));
    c.received_at_ms = m.received_at_ms;
    c.captured_at_ms = captured_at[i];
    c.size = m.size;
  }
  return out;
}

}  // namespace postern::store
