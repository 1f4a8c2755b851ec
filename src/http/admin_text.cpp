#include "http/admin_text.hpp"

#include <time.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <cstdio>
#include <vector>

namespace postern::http {
namespace {

namespace json = boost::json;

std::string str(const json::value& v, std::string_view key) {
  const json::object* o = v.if_object();
  const json::value* field = o ? o->if_contains(key) : nullptr;
  if (field && field->is_string()) return std::string(field->get_string());
  return field && field->is_null() ? "" : "?";
}

std::int64_t num(const json::value& v, std::string_view key) {
  const json::object* o = v.if_object();
  const json::value* field = o ? o->if_contains(key) : nullptr;
  if (field && field->is_int64()) return field->get_int64();
  if (field && field->is_uint64()) return static_cast<std::int64_t>(field->get_uint64());
  return 0;
}

const json::array& list(const json::value& v, std::string_view key) {
  static const json::array kEmpty;
  const json::object* o = v.if_object();
  const json::value* field = o ? o->if_contains(key) : nullptr;
  return field && field->is_array() ? field->get_array() : kEmpty;
}

std::string sender(const json::value& m) {
  const std::string s = str(m, "sender");
  return s.empty() ? "<>" : s;
}

std::string age(const json::value& v, std::string_view key, std::uint64_t now_ms) {
  const auto t = parse_rfc3339_ms(str(v, key));
  if (!t) return "?";
  return *t >= now_ms ? "0s" : short_duration(now_ms - *t);
}

// "now" when due, "in 4m" when later, "-" when nothing is queued.
std::string next_attempt(const json::value& v, std::uint64_t now_ms) {
  const std::string at = str(v, "next_attempt_at");
  if (at.empty()) return "-";
  const auto t = parse_rfc3339_ms(at);
  if (!t) return "?";
  return *t <= now_ms ? "now" : "in " + short_duration(*t - now_ms);
}

// Columns padded to the widest cell; the last column is not padded.
std::string render(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out += std::string(width[i] - row[i].size() + 2, ' ');
    }
    out += '\n';
  }
  return out;
}

std::string plural(std::int64_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

}  // namespace

std::optional<std::uint64_t> parse_rfc3339_ms(std::string_view text) {
  int y, mo, d, h, mi, s;
  char tail[16] = {};
  const std::string copy(text.substr(0, 40));
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%15s", &y, &mo, &d, &h, &mi, &s, tail) <
      7) {
    return std::nullopt;
  }
  std::uint64_t ms = 0;
  std::string_view rest = tail;
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    int digits = 0;
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
      if (digits++ < 3) ms = ms * 10 + static_cast<std::uint64_t>(rest.front() - '0');
      rest.remove_prefix(1);
    }
    for (; digits < 3; ++digits) ms *= 10;
  }
  if (rest != "Z") return std::nullopt;
  tm t{};
  t.tm_year = y - 1900;
  t.tm_mon = mo - 1;
  t.tm_mday = d;
  t.tm_hour = h;
  t.tm_min = mi;
  t.tm_sec = s;
  const time_t secs = ::timegm(&t);
  if (secs < 0) return std::nullopt;
  return static_cast<std::uint64_t>(secs) * 1000 + ms;
}

std::string short_duration(std::uint64_t ms) {
  const std::uint64_t s = ms / 1000;
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m";
  if (s < 86400) {
    const auto m = (s % 3600) / 60;
    return std::to_string(s / 3600) + "h" + (m ? std::to_string(m) + "m" : "");
  }
  const auto h = (s % 86400) / 3600;
  return std::to_string(s / 86400) + "d" + (h ? std::to_string(h) + "h" : "");
}

std::string states_text(const json::value& states) {
  std::string out;
  for (const char* state : {"queued", "held", "delivered", "failed"}) {
    const std::int64_t n = num(states, state);
    if (n == 0) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(n) + " " + state;
  }
  return out.empty() ? "none" : out;
}

std::string queue_table(const json::value& body, std::uint64_t now_ms) {
  const json::array& messages = list(body, "messages");
  if (messages.empty()) return "queue is empty\n";
  std::vector<std::vector<std::string>> rows{
      {"QUEUE ID", "AGE", "SENDER", "RECIPIENTS", "NEXT ATTEMPT"}};
  for (const json::value& m : messages) {
    const json::object* o = m.if_object();
    const json::value* states = o ? o->if_contains("states") : nullptr;
    std::string id = str(m, "queue_id");
    if (str(m, "kind") == "dsn") id += " (dsn)";
    rows.push_back({id, age(m, "received_at", now_ms), sender(m),
                    states ? states_text(*states) : "?", next_attempt(m, now_ms)});
  }
  return render(rows);
}

std::string message_text(const json::value& m, std::uint64_t now_ms) {
  std::string out;
  const auto line = [&out](std::string_view label, const std::string& value) {
    out += std::string(label) + std::string(12 - label.size(), ' ') + value + "\n";
  };
  line("Queue ID:", str(m, "queue_id"));
  line("Kind:", str(m, "kind"));
  line("Account:", str(m, "account"));
  line("Client:", str(m, "client_address"));
  line("Sender:", "<" + str(m, "sender") + ">");
  line("Received:", str(m, "received_at") + " (" + age(m, "received_at", now_ms) + " ago)");
  line("Size:", std::to_string(num(m, "size")) + " octets");
  out += "Recipients:\n";
  std::vector<std::vector<std::string>> rows;
  for (const json::value& r : list(m, "recipients")) {
    std::string detail = plural(num(r, "attempts"), "attempt");
    const std::string next = str(r, "next_attempt_at");
    if (!next.empty()) detail += ", next " + next + " (" + next_attempt(r, now_ms) + ")";
    const std::string reply = str(r, "last_reply");
    if (!reply.empty()) detail += ", last reply: " + reply;
    rows.push_back({"  " + std::to_string(num(r, "index")), "<" + str(r, "address") + ">",
                    str(r, "state"), detail});
  }
  return out + render(rows);
}

std::string capture_table(const json::value& body, std::uint64_t now_ms) {
  const json::array& captures = list(body, "captures");
  if (captures.empty()) return "capture mailbox is empty\n";
  std::vector<std::vector<std::string>> rows{
      {"QUEUE ID", "CAPTURED", "SENDER", "SIZE", "RECIPIENTS"}};
  for (const json::value& c : captures) {
    std::string rcpt;
    for (const json::value& a : list(c, "recipients")) {
      if (!rcpt.empty()) rcpt += ", ";
      rcpt += a.is_string() ? std::string(a.get_string()) : "?";
    }
    rows.push_back({str(c, "queue_id"), age(c, "captured_at", now_ms) + " ago", sender(c),
                    std::to_string(num(c, "size")), rcpt});
  }
  return render(rows);
}

std::string verb_text(const json::value& body) {
  const std::string action = str(body, "action");
  const std::string n = plural(num(body, "changed"), "recipient");
  const std::string id = str(body, "queue_id");
  if (action == "hold") return "held " + n + " of " + id + "\n";
  if (action == "release") return "released " + n + " of " + id + " (due now)\n";
  if (action == "retry") return "retry: " + n + " of " + id + " due now\n";
  if (action == "delete") return "deleted " + id + " with its " + n + "\n";
  if (action == "flush") return "flushed: " + n + " due now\n";
  return action + ": " + n + "\n";
}

std::string reply_error_text(const AdminReply& reply) {
  boost::system::error_code ec;
  const json::value body = json::parse(reply.body, ec);
  const std::string message = ec ? "?" : str(body, "message");
  if (message != "?" && !message.empty()) return message;
  return "the admin API answered " + std::to_string(reply.status);
}

std::string call_error_text(const AdminEndpoint& endpoint, std::error_code ec) {
  if (ec == std::errc::device_or_resource_busy) {
    return "the store " + endpoint.store_dir.string() +
           " is locked by a running postern, but its admin socket " + endpoint.socket.string() +
           " does not answer; is the daemon starting, hung, or too old to have one?";
  }
  if (ec == std::errc::permission_denied) {
    return "permission denied on " + endpoint.socket.string() + " or " +
           endpoint.store_dir.string() + " (run as the daemon's user)";
  }
  return ec.message();
}

}  // namespace postern::http
