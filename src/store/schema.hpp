#pragma once
// The SQLite schema of queue.db (docs/store-format.md describes it column by column) and the
// start-up steps that run on the write connection before the writer thread starts.

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "store/store.hpp"

namespace postern::store {

// PRAGMA user_version of a database this code writes. 0 = empty file, created on open;
// version 1 files are migrated to 2 at open (docs/store-format.md, "Migrations").
inline constexpr std::int64_t kSchemaVersion = 2;

// Bits of messages.flags.
inline constexpr std::int64_t kFlag8BitMime = 1;
inline constexpr std::int64_t kFlagSmtpUtf8 = 2;
inline constexpr std::int64_t kFlagDsn = 4;  // MessageKind::dsn; the column `kind` shows it

// messages.flags of a message, and its kind back from them.
[[nodiscard]] std::int64_t message_flags(bool body_8bitmime, bool smtputf8, MessageKind kind);
[[nodiscard]] MessageKind kind_from_flags(std::int64_t flags);

// recipients.state is stored as these words (CHECK constraint in the schema).
[[nodiscard]] std::string_view state_name(RecipientState state);
[[nodiscard]] std::optional<RecipientState> parse_state(std::string_view name);

// Connection settings of the write connection: WAL, synchronous=FULL, foreign keys, ...
// `max_page_count` is the test-only cap of StoreOptions.
[[nodiscard]] core::Status configure_writer(sqlite3* db,
                                            std::optional<std::uint32_t> max_page_count);

// Connection settings of a read connection (query_only, foreign keys, no checkpoint on close).
[[nodiscard]] core::Status configure_reader(sqlite3* db);

// Creates the schema on an empty database, migrates an older one to kSchemaVersion, or checks
// the version; one transaction. std::errc::not_supported if the file was written by a newer
// schema or is not a Postern queue.
[[nodiscard]] core::Status migrate(sqlite3* db);

// Start-up clean-up of a previous process's leftovers: every lease is stale, because the
// data directory lock guarantees no other process is delivering from this file. The
// recipients it cleared are appended to `cleared` (queue order).
[[nodiscard]] core::Status clear_stale_leases(sqlite3* db,
                                              std::vector<InterruptedRecipient>& cleared);

}  // namespace postern::store
