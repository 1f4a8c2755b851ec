#pragma once
// Read connections for load_message/list_messages. WAL lets them read a consistent snapshot
// while the writer commits, so reads never wait for the writer. A connection is used by one
// thread at a time: a read takes one from the idle pool (or opens one) and gives it back.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/result.hpp"
#include "store/sqlite_db.hpp"
#include "store/store.hpp"

namespace postern::store {

class SqliteReaders {
 public:
  SqliteReaders(std::filesystem::path db_path, std::size_t max_idle, int busy_timeout_ms);
  ~SqliteReaders();
  SqliteReaders(const SqliteReaders&) = delete;
  SqliteReaders& operator=(const SqliteReaders&) = delete;

  // Thread-safe.
  [[nodiscard]] core::Result<MessageRecord> load_message(const std::string& queue_id);
  [[nodiscard]] core::Result<std::vector<MessageRecord>> list_messages(std::size_t limit);
  [[nodiscard]] core::Result<std::vector<MessageRecord>> list_pending(std::size_t limit);
  [[nodiscard]] core::Result<std::vector<CaptureRecord>> list_captures(std::size_t limit);
  [[nodiscard]] core::Result<MessageRecord> load_capture(const std::string& queue_id);

 private:
  struct Reader;
  struct Release {
    SqliteReaders* pool;
    void operator()(Reader* reader) const;
  };
  using Lease = std::unique_ptr<Reader, Release>;

  [[nodiscard]] core::Result<Lease> acquire();
  [[nodiscard]] core::Result<MessageRecord> load_in(Reader& r, const std::string& queue_id);
  [[nodiscard]] core::Result<std::vector<MessageRecord>> list_with(Stmt Reader::*query,
                                                                   std::size_t limit);

  std::filesystem::path db_path_;
  std::size_t max_idle_;
  int busy_timeout_ms_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Reader>> idle_;  // guarded by mu_
};

}  // namespace postern::store
