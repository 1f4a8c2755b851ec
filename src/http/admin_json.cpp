#include "http/admin_json.hpp"

#include <chrono>

#include "telemetry/logger.hpp"

namespace postern::http {

namespace json = boost::json;

std::string rfc3339(std::uint64_t unix_ms) {
  const std::chrono::system_clock::time_point t{std::chrono::milliseconds(unix_ms)};
  return telemetry::format_rfc3339_ms(t);
}

std::string_view state_word(store::RecipientState state) {
  switch (state) {
    case store::RecipientState::queued:
      return "queued";
    case store::RecipientState::delivered:
      return "delivered";
    case store::RecipientState::failed:
      return "failed";
    case store::RecipientState::held:
      return "held";
  }
  return "unknown";
}

std::string_view kind_word(store::MessageKind kind) {
  return kind == store::MessageKind::dsn ? "dsn" : "message";
}

namespace {

json::object recipient_json(std::size_t index, const store::RecipientRecord& r) {
  json::object o;
  o["index"] = index;
  o["address"] = r.address;
  o["state"] = state_word(r.state);
  o["attempts"] = r.attempts;
  if (r.state == store::RecipientState::queued) {
    o["next_attempt_at"] = rfc3339(r.next_attempt_at_ms);
  } else {
    o["next_attempt_at"] = nullptr;
  }
  o["last_reply"] = r.last_reply;
  o["updated_at"] = rfc3339(r.updated_at_ms);
  return o;
}

}  // namespace

json::object message_json(const store::MessageRecord& m) {
  const store::StateSummary summary = store::summarize(m);
  json::object o;
  o["queue_id"] = m.queue_id;
  o["kind"] = kind_word(m.kind);
  o["account"] = m.account;
  o["client_address"] = m.client_address;
  o["sender"] = m.mail_from;
  o["received_at"] = rfc3339(m.received_at_ms);
  o["size"] = m.size;
  o["attempts"] = summary.attempts;
  if (summary.next_attempt_at_ms) {
    o["next_attempt_at"] = rfc3339(*summary.next_attempt_at_ms);
  } else {
    o["next_attempt_at"] = nullptr;
  }
  o["states"] = json::object{{"queued", summary.queued},
                             {"delivered", summary.delivered},
                             {"failed", summary.failed},
                             {"held", summary.held}};
  json::array recipients;
  for (std::size_t i = 0; i < m.recipients.size(); ++i) {
    recipients.push_back(recipient_json(i, m.recipients[i]));
  }
  o["recipients"] = std::move(recipients);
  return o;
}

json::object capture_json(const store::CaptureRecord& c) {
  json::object o;
  o["queue_id"] = c.queue_id;
  o["sender"] = c.mail_from;
  json::array rcpt;
  for (const auto& a : c.rcpt_to) rcpt.emplace_back(a);
  o["recipients"] = std::move(rcpt);
  o["received_at"] = rfc3339(c.received_at_ms);
  o["captured_at"] = rfc3339(c.captured_at_ms);
  o["size"] = c.size;
  return o;
}

json::object error_json(std::string_view code, std::string_view message) {
  return json::object{{"error", code}, {"message", message}};
}

}  // namespace postern::http
