#pragma once
// Text for terminals from the admin API's JSON (what `postern queue` and `postern capture`
// print). `now_ms` is the reader's clock, for ages ("3m") and relative times ("in 4m").
// Missing or mistyped fields print as "?" rather than failing.

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/admin_call.hpp"

namespace postern::http {

// "2026-11-29T12:00:00.123Z" (or without fraction) to unix ms; nullopt if malformed.
[[nodiscard]] std::optional<std::uint64_t> parse_rfc3339_ms(std::string_view text);

// A duration for humans: "45s", "3m", "2h5m", "4d3h".
[[nodiscard]] std::string short_duration(std::uint64_t ms);

// "2 queued, 1 delivered" from {"queued": 2, "delivered": 1, ...}; states with 0 are left out.
[[nodiscard]] std::string states_text(const boost::json::value& states);

// `queue ls`: a header and one row per message (id, age, sender, recipients, next attempt),
// or "queue is empty".
[[nodiscard]] std::string queue_table(const boost::json::value& body, std::uint64_t now_ms);

// `queue show`: the envelope, then one line per recipient.
[[nodiscard]] std::string message_text(const boost::json::value& message, std::uint64_t now_ms);

// `capture ls`: id, captured (age), sender, recipients, size.
[[nodiscard]] std::string capture_table(const boost::json::value& body, std::uint64_t now_ms);

// A verb's result: "held 2 recipients of 01J…", "flushed: 3 recipients due now".
[[nodiscard]] std::string verb_text(const boost::json::value& body);

// The message of an error reply ({"error", "message"}), or its status line.
[[nodiscard]] std::string reply_error_text(const AdminReply& reply);

// A call_admin failure explained for the operator.
[[nodiscard]] std::string call_error_text(const AdminEndpoint& endpoint, std::error_code ec);

}  // namespace postern::http
