#pragma once
// http::AdminServer — the admin API (AdminApi) over HTTP/1.1 on a Unix domain socket,
// <data_dir>/admin.sock, for `postern queue` and `postern capture` while the daemon holds the
// store. Authentication is the file system: the socket is mode 0600 inside the 0700 data
// directory, and a peer whose uid is neither ours nor root is refused (SO_PEERCRED).
//
// Requests: header ≤ 8 KiB, body ≤ 64 KiB (413 beyond), 30 s to read one request; keep-alive
// is honoured. Reads of the store run on the io_context thread; writes go through the store's
// writer and resume on the io_context.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <memory>

#include "store/store.hpp"
#include "telemetry/logger.hpp"

namespace postern::http {

class AdminServer {
 public:
  // REQUIRES: `store` outlives this object and every connection it serves (destroy the store
  // after the io_context has stopped).
  AdminServer(boost::asio::io_context& io, store::Store& store, std::filesystem::path socket_path,
              telemetry::Logger log);
  ~AdminServer();  // stop()
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Removes a stale socket file (only a socket: any other file there is an error), binds,
  // sets mode 0600 and starts accepting on the io_context. A start-up step: throws
  // boost::system::system_error when the socket cannot be created (e.g. a path longer than
  // sun_path's 107 bytes).
  void start();

  // Stops accepting, closes open connections and removes the socket file. Thread-safe,
  // idempotent.
  void stop();

  [[nodiscard]] const std::filesystem::path& socket_path() const { return path_; }

  struct State;  // shared with the connections (admin_server.cpp)

 private:
  std::shared_ptr<State> state_;
  std::filesystem::path path_;
  std::atomic<bool> started_{false};
};

}  // namespace postern::http
