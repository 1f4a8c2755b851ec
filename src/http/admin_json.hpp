#pragma once
// The JSON documents of the admin API (docs/store-format.md names the fields' sources).
// Only queue data: no content, no credentials (invariant 5). Times are RFC 3339 in UTC
// with milliseconds, e.g. "2026-11-29T12:00:00.123Z".

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace postern::http {

[[nodiscard]] std::string rfc3339(std::uint64_t unix_ms);
[[nodiscard]] std::string_view state_word(store::RecipientState state);
[[nodiscard]] std::string_view kind_word(store::MessageKind kind);

// {"queue_id", "kind", "account", "client_address", "sender", "received_at", "size",
//  "attempts", "next_attempt_at" (null when none is queued), "states": {"queued": n, ...},
//  "recipients": [{"index", "address", "state", "attempts", "next_attempt_at",
//                  "last_reply", "updated_at"}]}
[[nodiscard]] boost::json::object message_json(const store::MessageRecord& message);

// {"queue_id", "sender", "recipients": [..], "received_at", "captured_at", "size"}
[[nodiscard]] boost::json::object capture_json(const store::CaptureRecord& capture);

// {"error": "not_found", "message": "..."}
[[nodiscard]] boost::json::object error_json(std::string_view code, std::string_view message);

}  // namespace postern::http
