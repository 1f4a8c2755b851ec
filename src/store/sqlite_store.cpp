#include "store/sqlite_store.hpp"

#include <utility>

#include "store/schema.hpp"
#include "store/sqlite_db.hpp"
#include "store/wal_write_vfs.hpp"

namespace postern::store {
namespace {

constexpr const char* kDbFile = "queue.db";

// Everything that runs once on the write connection before the writer thread takes it.
core::Status prepare_writer(sqlite3* db, const StoreOptions& options,
                            std::vector<InterruptedRecipient>& interrupted) {
  if (auto st = configure_writer(db, options.max_page_count)) return st;
  if (auto st = migrate(db)) return st;
  return clear_stale_leases(db, interrupted);
}

}  // namespace

core::Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const StoreOptions& options) {
  auto lock = prepare_data_dir(options.data_dir);
  if (!lock) return lock.error();
  const auto db_path = options.data_dir / kDbFile;
  if (auto st = create_private_file(db_path)) return st;
  // The write connection gathers its WAL writes (wal_write_vfs.hpp).
  auto db = open_db(db_path, options.busy_timeout_ms, wal_write_vfs());
  if (!db) return db.error();
  std::vector<InterruptedRecipient> interrupted;
  if (auto st = prepare_writer(db->get(), options, interrupted)) return st;
  // queue.db and queue.db-wal exist now; make their directory entries durable.
  if (auto st = fsync_dir(options.data_dir)) return st;
  auto stmts = std::make_unique<WriterStatements>();
  if (int rc = stmts->prepare(db->get()); rc != SQLITE_OK) return sqlite_error(rc);
  auto checkpoint_db = open_db(db_path, options.busy_timeout_ms);
  if (!checkpoint_db) return checkpoint_db.error();
  auto writer = std::make_unique<SqliteWriter>(std::move(db.value()), std::move(stmts),
                                               std::move(checkpoint_db.value()), options.wal_sync);
  auto readers =
      std::make_unique<SqliteReaders>(db_path, options.max_idle_readers, options.busy_timeout_ms);
  auto store = std::unique_ptr<SqliteStore>(
      new SqliteStore(std::move(lock.value()), std::move(writer), std::move(readers),
                      std::move(interrupted), options.handoff_bytes));
  if (options.keep_done) {
    store->sweeper_ = std::make_unique<DoneSweeper>(*store, *options.keep_done);
  }
  return store;
}

SqliteStore::SqliteStore(DirLock lock, std::unique_ptr<SqliteWriter> writer,
                         std::unique_ptr<SqliteReaders> readers,
                         std::vector<InterruptedRecipient> interrupted, std::size_t handoff_bytes)
    : lock_(std::move(lock)),
      writer_(std::move(writer)),
      readers_(std::move(readers)),
      interrupted_(std::move(interrupted)),
      handoff_(handoff_bytes > 0 ? std::make_unique<ContentHandoff>(handoff_bytes) : nullptr) {}

std::optional<std::string> SqliteStore::take_content(const std::string& queue_id) {
  return handoff_ ? handoff_->take(queue_id) : std::nullopt;
}

const std::vector<InterruptedRecipient>& SqliteStore::interrupted_at_open() const {
  return interrupted_;
}

SqliteStore::~SqliteStore() {
  sweeper_.reset();  // it waits for the writer
  writer_->stop();
}

void SqliteStore::async_commit(NewMessage message, std::function<void(core::Status)> done) {
  writer_->submit(make_commit_job(std::move(message), std::move(done), handoff_.get()));
}

core::Result<MessageRecord> SqliteStore::load_message(const std::string& queue_id) {
  return readers_->load_message(queue_id);
}

core::Result<std::vector<MessageRecord>> SqliteStore::list_messages(std::size_t limit) {
  return readers_->list_messages(limit);
}

void SqliteStore::async_lease_due(
    LeaseRequest request, std::function<void(core::Result<std::vector<LeasedRecipient>>)> done) {
  writer_->submit(make_lease_job(std::move(request), std::move(done)));
}

void SqliteStore::async_record_outcomes(std::vector<RecipientOutcome> outcomes,
                                        std::function<void(core::Status)> done) {
  writer_->submit(make_outcomes_job(std::move(outcomes), std::nullopt, std::move(done)));
}

void SqliteStore::async_record_outcomes(std::vector<RecipientOutcome> outcomes,
                                        std::optional<NewMessage> dsn,
                                        std::function<void(core::Status)> done) {
  writer_->submit(make_outcomes_job(std::move(outcomes), std::move(dsn), std::move(done)));
}

void SqliteStore::async_capture(CaptureRequest request, std::function<void(core::Status)> done) {
  writer_->submit(make_capture_job(std::move(request), std::move(done)));
}

core::Result<std::vector<CaptureRecord>> SqliteStore::list_captures(std::size_t limit) {
  return readers_->list_captures(limit);
}

core::Result<MessageRecord> SqliteStore::load_capture(const std::string& queue_id) {
  return readers_->load_capture(queue_id);
}

void SqliteStore::async_operate(OperatorRequest request,
                                std::function<void(core::Result<std::size_t>)> done) {
  if (handoff_ && request.verb == OperatorVerb::remove) {
    // A deleted message must not be delivered from memory: its body goes with it.
    done = [handoff = handoff_.get(), queue_id = request.queue_id,
            done = std::move(done)](core::Result<std::size_t> result) {
      if (result) handoff->erase(queue_id);
      done(std::move(result));
    };
  }
  writer_->submit(make_operator_job(std::move(request), std::move(done)));
}

core::Result<std::vector<MessageRecord>> SqliteStore::list_pending(std::size_t limit) {
  return readers_->list_pending(limit);
}

void SqliteStore::async_prune_done(PruneRequest request,
                                   std::function<void(core::Result<PruneResult>)> done) {
  writer_->submit(make_prune_job(request, std::move(done)));
}

core::Status SqliteStore::health() const { return writer_->health(); }

StoreStats SqliteStore::stats() const { return writer_->stats(); }

core::Result<std::unique_ptr<Store>> open_store(const StoreOptions& options) {
  auto store = SqliteStore::open(options);
  if (!store) return store.error();
  return std::unique_ptr<Store>(std::move(store.value()));
}

}  // namespace postern::store
