#pragma once
// Helpers shared by the store tests: a temporary data directory, message builders, and
// synchronous wrappers around the store's callbacks.

#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <cstdint>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <system_error>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "store/store.hpp"

namespace postern::store::testing {

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "postern-store-XXXXXX");
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path data_dir() const { return path_ / "data"; }

 private:
  std::filesystem::path path_;
};

inline StoreOptions options_for(const TempDir& dir) {
  StoreOptions options;
  options.data_dir = dir.data_dir();
  return options;
}

inline std::unique_ptr<Store> must_open(const StoreOptions& options) {
  auto store = open_store(options);
  if (!store) throw std::system_error(store.error(), "open_store");
  return std::move(store.value());
}

// Deterministic bytes (all 256 values occur), derived from `seed`.
inline std::string binary_content(std::size_t size, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(engine() & 0xff);
  return out;
}

inline NewMessage make_message(std::string queue_id, std::string content = "Subject: t\r\n\r\nx\r\n",
                               std::vector<std::string> rcpt_to = {"rcpt@example.org"}) {
  NewMessage m;
  m.queue_id = std::move(queue_id);
  m.account = "app";
  m.client_address = "192.0.2.1";
  m.mail_from = "sender@example.com";
  m.rcpt_to = std::move(rcpt_to);
  m.content = std::move(content);
  m.received_at_ms = 1'700'000'000'000;
  return m;
}

inline std::future<core::Status> commit_async(Store& store, NewMessage message) {
  auto promise = std::make_shared<std::promise<core::Status>>();
  auto future = promise->get_future();
  store.async_commit(std::move(message),
                     [promise](core::Status st) { promise->set_value(st); });
  return future;
}

inline core::Status commit(Store& store, NewMessage message) {
  return commit_async(store, std::move(message)).get();
}

inline core::Result<std::vector<LeasedRecipient>> lease(Store& store, LeaseRequest request) {
  std::promise<core::Result<std::vector<LeasedRecipient>>> promise;
  auto future = promise.get_future();
  store.async_lease_due(std::move(request),
                        [&promise](core::Result<std::vector<LeasedRecipient>> r) {
                          promise.set_value(std::move(r));
                        });
  return future.get();
}

inline core::Status record(Store& store, std::vector<RecipientOutcome> outcomes) {
  std::promise<core::Status> promise;
  auto future = promise.get_future();
  store.async_record_outcomes(std::move(outcomes),
                              [&promise](core::Status st) { promise.set_value(st); });
  return future.get();
}

inline core::Status record(Store& store, std::vector<RecipientOutcome> outcomes,
                           std::optional<NewMessage> dsn) {
  std::promise<core::Status> promise;
  auto future = promise.get_future();
  store.async_record_outcomes(std::move(outcomes), std::move(dsn),
                              [&promise](core::Status st) { promise.set_value(st); });
  return future.get();
}

inline core::Status capture(Store& store, CaptureRequest request) {
  std::promise<core::Status> promise;
  auto future = promise.get_future();
  store.async_capture(std::move(request), [&promise](core::Status st) { promise.set_value(st); });
  return future.get();
}

inline core::Result<std::size_t> operate(Store& store, OperatorRequest request) {
  std::promise<core::Result<std::size_t>> promise;
  auto future = promise.get_future();
  store.async_operate(std::move(request), [&promise](core::Result<std::size_t> r) {
    promise.set_value(std::move(r));
  });
  return future.get();
}

inline core::Result<PruneResult> prune(Store& store, PruneRequest request) {
  std::promise<core::Result<PruneResult>> promise;
  auto future = promise.get_future();
  store.async_prune_done(request, [&promise](core::Result<PruneResult> r) {
    promise.set_value(std::move(r));
  });
  return future.get();
}

// Rows in a table, read with a connection of our own (not through the store).
inline std::int64_t count_rows(const std::filesystem::path& db_path, const char* table) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  const std::string sql = std::string("SELECT count(*) FROM ") + table;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
  std::int64_t n = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return n;
}

// Lowers RLIMIT_FSIZE for this process; writes that would grow a file past it fail with
// EFBIG (root is not exempt), which SQLite reports as SQLITE_IOERR_WRITE.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);  // else the kernel kills us instead
    ::getrlimit(RLIMIT_FSIZE, &old_);
    rlimit lowered = old_;
    lowered.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &lowered);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    ::signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit old_{};
  sighandler_t old_handler_;
};

}  // namespace postern::store::testing
