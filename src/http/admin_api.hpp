#pragma once
// http::AdminApi — the admin API without a socket: a method and a target in, a status and a
// body out. AdminServer feeds it requests from admin.sock; `postern queue` calls it in-process
// on a store it opened itself when the daemon is stopped, so both paths answer alike.
//
//   GET    /v1/queue[?all=1][&limit=N]     messages with a queued or held recipient (all=1:
//                                          every message), oldest first
//   GET    /v1/queue/{id}                  one message with its recipients
//   POST   /v1/queue/{id}/retry|hold|release
//   DELETE /v1/queue/{id}
//   POST   /v1/queue/flush
//   GET    /v1/captures[?limit=N]          the capture mailbox, newest first
//   GET    /v1/captures/{id}               the captured message's content (text/plain)
//
// Errors are JSON {"error": code, "message": text}: 400 bad_request, 404 not_found,
// 405 method_not_allowed, 503 store_unavailable, 500 internal.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "store/store.hpp"

namespace postern::http {

struct ApiResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string allow;  // for 405: the methods the target accepts
};

inline constexpr std::size_t kDefaultListLimit = 1000;
inline constexpr std::size_t kMaxListLimit = 10000;

class AdminApi {
 public:
  // REQUIRES: `store` and `clock` outlive this object.
  explicit AdminApi(store::Store& store, const core::Clock& clock = system_clock());

  // Handles one request; `done` is called exactly once — before returning for reads (a read
  // runs on the calling thread), from a store thread for writes.
  void async_handle(std::string_view method, std::string_view target,
                    std::function<void(ApiResponse)> done);

  static const core::Clock& system_clock();

 private:
  void operate(store::OperatorVerb verb, std::string id, std::function<void(ApiResponse)> done);
  [[nodiscard]] ApiResponse list_queue(bool all, std::size_t limit);
  [[nodiscard]] ApiResponse show(const std::string& id);
  [[nodiscard]] ApiResponse list_captures(std::size_t limit);
  [[nodiscard]] ApiResponse show_capture(const std::string& id);

  store::Store& store_;
  const core::Clock& clock_;
};

// The reply for a failed store call: 404, 400, 503 or 500.
[[nodiscard]] ApiResponse error_response(core::Status status, std::string_view what);

}  // namespace postern::http
