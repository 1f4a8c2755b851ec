#pragma once
// One admin request from the CLI, wherever the queue is: through the daemon's admin socket when
// a daemon answers there, else in-process on the store opened directly (the daemon is
// stopped, so the store's lock is free). Both paths run AdminApi, so they answer alike.

#include <filesystem>
#include <string_view>

#include "core/result.hpp"
#include "http/admin_client.hpp"

namespace postern::http {

struct AdminEndpoint {
  std::filesystem::path socket;     // <data_dir>/admin.sock
  std::filesystem::path store_dir;  // config.store.dir
};

enum class AdminVia { daemon, store };

struct AdminCallReply {
  AdminReply reply;
  AdminVia via = AdminVia::daemon;
};

// Errors: std::errc::device_or_resource_busy when nobody answers on the socket but another
// process holds the store's lock (a daemon without its admin socket, or a hung one); a
// socket error other than "nobody listens"; the store's open error.
[[nodiscard]] core::Result<AdminCallReply> call_admin(const AdminEndpoint& endpoint,
                                                      std::string_view method,
                                                      std::string_view target);

}  // namespace postern::http
