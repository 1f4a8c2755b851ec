#pragma once
// http::AdminClient — one HTTP/1.1 request to the daemon's admin socket, for the CLI.

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace postern::http {

struct AdminReply {
  unsigned status = 0;
  std::string content_type;
  std::string body;
};

class AdminClient {
 public:
  explicit AdminClient(std::filesystem::path socket_path,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // Connects, sends `method target`, reads the whole reply, closes. Errors: the connect
  // error when nobody listens (std::errc::no_such_file_or_directory: no socket file;
  // std::errc::connection_refused: a stale file), core::Errc::timed_out, or the I/O or parse
  // error. Blocks the calling thread (it runs an io_context of its own).
  [[nodiscard]] core::Result<AdminReply> request(std::string_view method,
                                                 std::string_view target) const;

  // True when nobody listens on the socket: the caller may open the store itself.
  [[nodiscard]] static bool is_no_listener(std::error_code ec);

 private:
  std::filesystem::path path_;
  std::chrono::milliseconds timeout_;
};

}  // namespace postern::http
