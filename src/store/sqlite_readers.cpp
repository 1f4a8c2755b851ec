#include "store/sqlite_readers.hpp"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <utility>

#include "store/schema.hpp"
#include "store/sqlite_db.hpp"

namespace postern::store {
namespace {

// Columns 0-7 are shared by both message queries; load adds the content as column 8.
constexpr std::string_view kLoadMessage =
    "SELECT id, queue_id, account, client_address, mail_from, flags, received_at, size, "
    "content FROM messages WHERE queue_id = ?1";
constexpr std::string_view kListMessages =
    "SELECT id, queue_id, account, client_address, mail_from, flags, received_at, size "
    "FROM messages ORDER BY id LIMIT ?1";
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

// Appends the recipients of messages [first_id, last_id]; `messages` is in id order and
// `ids` holds each one's id.
core::Status attach_recipients(Stmt& s, const std::vector<std::int64_t>& ids,
                                      std::vector<MessageRecord>& messages) {
  if (ids.empty()) return {};
  StmtUse use(s);
  s.bind(1, ids.front());
  s.bind(2, ids.back());
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

}  // namespace

struct SqliteReaders::Reader {
  Db db;
  Stmt begin, commit, load, list, recipients;
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
  auto reader = acquire();
  if (!reader) return reader.error();
  Reader& r = **reader;
  ReadTxn txn(r.db.get(), r.begin, r.commit);
  if (!txn.ok()) return failure();
  std::vector<MessageRecord> messages;
  std::vector<std::int64_t> ids;
  {
    StmtUse use(r.list);
    r.list.bind(1, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
    int rc;
    while ((rc = r.list.step()) == SQLITE_ROW) {
      ids.push_back(r.list.column_int(0));
      read_message_columns(r.list, messages.emplace_back());
    }
    if (rc != SQLITE_DONE) return failure();
  }
  if (auto st = attach_recipients(r.recipients, ids, messages)) return st;
  return messages;
}

}  // namespace postern::store
