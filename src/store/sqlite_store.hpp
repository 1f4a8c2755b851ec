#pragma once
// store::SqliteStore — the embedded backend: one file, <data_dir>/queue.db, in WAL mode with
// synchronous=FULL. Writes go through one writer thread (group commit, SqliteWriter); reads
// use a pool of read connections (SqliteReaders). Format and protocol: docs/store-format.md.

#include <memory>

#include "store/content_handoff.hpp"
#include "store/data_dir.hpp"
#include "store/done_sweeper.hpp"
#include "store/sqlite_readers.hpp"
#include "store/sqlite_writer.hpp"
#include "store/store.hpp"

namespace postern::store {

class SqliteStore final : public Store {
 public:
  // Locks and opens the data directory, configures the connection, migrates the schema and
  // clears stale leases (start-up clean-up), then starts the writer.
  [[nodiscard]] static core::Result<std::unique_ptr<SqliteStore>> open(const StoreOptions& options);

  // Drains every queued write (each `done` is called) and joins the writer.
  ~SqliteStore() override;

  void async_commit(NewMessage message, std::function<void(core::Status)> done) override;
  core::Result<MessageRecord> load_message(const std::string& queue_id) override;
  core::Result<std::vector<MessageRecord>> list_messages(std::size_t limit) override;
  void async_lease_due(
      LeaseRequest request,
      std::function<void(core::Result<std::vector<LeasedRecipient>>)> done) override;
  void async_record_outcomes(std::vector<RecipientOutcome> outcomes,
                             std::function<void(core::Status)> done) override;
  void async_record_outcomes(std::vector<RecipientOutcome> outcomes, std::optional<NewMessage> dsn,
                             std::function<void(core::Status)> done) override;
  void async_capture(CaptureRequest request, std::function<void(core::Status)> done) override;
  core::Result<std::vector<CaptureRecord>> list_captures(std::size_t limit) override;
  core::Result<MessageRecord> load_capture(const std::string& queue_id) override;
  void async_operate(OperatorRequest request,
                     std::function<void(core::Result<std::size_t>)> done) override;
  core::Result<std::vector<MessageRecord>> list_pending(std::size_t limit) override;
  void async_prune_done(PruneRequest request,
                        std::function<void(core::Result<PruneResult>)> done) override;
  core::Status health() const override;
  StoreStats stats() const override;
  const std::vector<InterruptedRecipient>& interrupted_at_open() const override;
  std::optional<std::string> take_content(const std::string& queue_id) override;

 private:
  SqliteStore(DirLock lock, std::unique_ptr<SqliteWriter> writer,
              std::unique_ptr<SqliteReaders> readers, std::vector<InterruptedRecipient> interrupted,
              std::size_t handoff_bytes);

  DirLock lock_;  // released last
  std::unique_ptr<SqliteWriter> writer_;
  std::unique_ptr<SqliteReaders> readers_;  // closed before the writer's connection
  std::vector<InterruptedRecipient> interrupted_;
  std::unique_ptr<ContentHandoff> handoff_;  // null when StoreOptions::handoff_bytes is 0
  std::unique_ptr<DoneSweeper> sweeper_;     // null without StoreOptions::keep_done; first to go
};

}  // namespace postern::store
