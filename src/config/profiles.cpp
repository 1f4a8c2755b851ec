// Provider profiles: the embedded profiles/*.toml and their parser (format: docs/providers.md).
// With load_config.cpp the only toml++ user of config/.

#include "config/profiles.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <initializer_list>

#include "config/config.hpp"
#include "config/embedded_profiles.hpp"
#include "config/sources.hpp"
#include "config/value_parsers.hpp"

namespace postern::config {
namespace {

using policy::ProviderProfile;

constexpr std::string_view kDefaultsName = "defaults";

// Reads one table of a profile, naming every problem "SOURCE: where.key: reason".
class TableReader {
 public:
  TableReader(const toml::table& table, std::string source, std::string where)
      : table_(table), source_(std::move(source)), where_(std::move(where)) {}

  [[noreturn]] void bad(std::string_view key, const std::string& reason) const {
    fail(source_, where_ + std::string(key) + ": " + reason);
  }

  // Refuses keys outside `known`, so a typo in a profile never passes silently.
  void only(std::initializer_list<std::string_view> known) const {
    for (auto&& [k, node] : table_) {
      if (std::find(known.begin(), known.end(), k.str()) == known.end())
        bad(k.str(), "unknown key");
    }
  }

  std::optional<std::string> string(std::string_view key) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_string()) bad(key, "must be a string");
    return node->as_string()->get();
  }

  std::string required_string(std::string_view key) const {
    auto value = string(key);
    if (!value) bad(key, "required");
    return *value;
  }

  bool boolean(std::string_view key, bool fallback) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return fallback;
    if (!node->is_boolean()) bad(key, "must be true or false");
    return node->as_boolean()->get();
  }

  std::uint64_t count(std::string_view key, std::uint64_t fallback, std::uint64_t max) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return fallback;
    if (!node->is_integer() || node->as_integer()->get() < 1)
      bad(key, "must be a positive integer");
    const auto n = static_cast<std::uint64_t>(node->as_integer()->get());
    if (n > max) bad(key, "must be at most " + std::to_string(max));
    return n;
  }

  std::vector<std::string> strings(std::string_view key) const {
    std::vector<std::string> out;
    const toml::node* node = table_.get(key);
    if (node == nullptr) return out;
    const toml::array* array = node->as_array();
    if (array == nullptr) bad(key, "must be an array of strings");
    for (const toml::node& item : *array) {
      if (!item.is_string()) bad(key, "must be an array of strings");
      out.push_back(item.as_string()->get());
    }
    return out;
  }

  std::chrono::seconds duration(std::string_view key) const {
    auto text = string(key);
    if (!text) return std::chrono::seconds(0);
    std::string why;
    auto d = parse_duration(*text, why);
    if (!d) bad(key, why);
    return std::chrono::duration_cast<std::chrono::seconds>(*d);
  }

  template <class E>
  E choice(std::string_view key, std::optional<E> (*parse)(std::string_view), E fallback,
           std::string_view choices) const {
    auto text = string(key);
    if (!text) return fallback;
    auto value = parse(*text);
    if (!value) bad(key, "must be one of: " + std::string(choices));
    return *value;
  }

  const toml::table& table() const { return table_; }
  const std::string& source() const { return source_; }

 private:
  const toml::table& table_;
  std::string source_;
  std::string where_;
};

// The [[name]] array of tables, or nothing.
std::vector<const toml::table*> tables_of(const TableReader& r, std::string_view name) {
  std::vector<const toml::table*> out;
  const toml::node* node = r.table().get(name);
  if (node == nullptr) return out;
  const toml::array* array = node->as_array();
  if (array == nullptr) r.bad(name, "must be an array of tables ([[" + std::string(name) + "]])");
  for (const toml::node& item : *array) {
    if (!item.is_table()) r.bad(name, "must be an array of tables ([[" + std::string(name) + "]])");
    out.push_back(item.as_table());
  }
  return out;
}

policy::ReplyMatch read_match(const TableReader& r) {
  policy::ReplyMatch m;
  m.codes = r.strings("codes");
  for (const std::string& code : m.codes) {
    if (!policy::valid_code_pattern(code)) r.bad("codes", "'" + code + "' is not like 550 or 4xx");
  }
  m.text_prefixes = r.strings("text_prefixes");
  m.text_contains = r.strings("text_contains");
  for (const std::string& name : r.strings("phases")) {
    auto phase = policy::parse_phase(name);
    if (!phase) {
      r.bad("phases", "'" + name +
                          "' is not one of connect, ehlo, starttls, auth, mail, rcpt, data, "
                          "final_dot");
    }
    m.phases.push_back(*phase);
  }
  if (m.codes.empty() && m.text_prefixes.empty() && m.text_contains.empty()) {
    r.bad("codes", "a row needs codes, text_prefixes or text_contains");
  }
  return m;
}

policy::ReplyRule read_rule(const TableReader& r) {
  r.only({"codes", "text_prefixes", "text_contains", "phases", "outcome", "effect", "pause",
          "utc_day_reset", "split_recipients", "consumes_attempt", "alert", "reason"});
  policy::ReplyRule rule;
  rule.match = read_match(r);
  policy::Classification& c = rule.action;
  const auto outcome = policy::parse_outcome(r.required_string("outcome"));
  if (!outcome || *outcome == policy::Outcome::delivered) {
    r.bad("outcome", "must be one of: temporary, permanent");
  }
  c.outcome = *outcome;
  c.route_effect = r.choice("effect", &policy::parse_route_effect, policy::RouteEffect::none,
                            "none, slow_down, pause_until_window, back_off, auth_broken, "
                            "reduce_concurrency");
  c.pause = r.duration("pause");
  c.until_utc_day_reset = r.boolean("utc_day_reset", false);
  c.split_recipients = r.boolean("split_recipients", false);
  c.consumes_attempt = r.boolean("consumes_attempt", true);
  c.alert = r.boolean("alert", false);
  c.reason = r.required_string("reason");
  return rule;
}

void read_rules(const TableReader& r, policy::ReplyTable& table) {
  int n = 0;
  for (const toml::table* t : tables_of(r, "reply")) {
    ++n;
    table.rules.push_back(
        read_rule(TableReader(*t, r.source(), "reply #" + std::to_string(n) + " ")));
  }
}

policy::Quota read_quota(const TableReader& r) {
  r.only({"unit", "count", "period", "window"});
  policy::Quota q;
  q.unit = r.choice("unit", &policy::parse_quota_unit, policy::QuotaUnit::messages,
                    "messages, recipients");
  q.count = r.count("count", 0, 1'000'000'000);
  if (q.count == 0) r.bad("count", "required");
  q.window = r.choice("window", &policy::parse_quota_window, policy::QuotaWindow::rolling,
                      "rolling, utc_day");
  q.period = r.duration("period");
  if (q.window == policy::QuotaWindow::utc_day) {
    if (q.period.count() == 0) q.period = std::chrono::hours(24);
    if (q.period != std::chrono::hours(24)) r.bad("period", "must be 24h for window utc_day");
  }
  if (q.period.count() == 0) r.bad("period", "required (a duration like 1m or 24h)");
  return q;
}

void read_smtp_fields(const TableReader& r, ProviderProfile& p) {
  p.host = r.string("host").value_or("");
  p.port = static_cast<std::uint16_t>(r.count("port", 587, 65535));
  p.tls =
      r.choice("tls", &policy::parse_upstream_tls, policy::UpstreamTls::required, "required, none");
  p.auth_mechanisms = r.strings("auth");
  for (const std::string& m : p.auth_mechanisms) {
    if (!policy::known_auth_mechanism(m))
      r.bad("auth", "'" + m + "' is not PLAIN, LOGIN or XOAUTH2");
  }
  p.username = r.string("username").value_or("");
  p.recipients_per_message = r.count("recipients_per_message", p.recipients_per_message, 100000);
  p.messages_per_connection =
      r.count("messages_per_connection", p.messages_per_connection, 1'000'000);
  p.max_connections = r.count("max_connections", p.max_connections, 1000);
  if (auto size = r.string("max_message_size")) {
    std::string why;
    auto bytes = parse_size(*size, why);
    if (!bytes || *bytes == 0) r.bad("max_message_size", why);
    p.max_message_size = *bytes;
  }
  for (const toml::table* t : tables_of(r, "quota")) {
    p.quotas.push_back(read_quota(TableReader(*t, r.source(), "quota ")));
  }
}

toml::table parse_text(std::string_view text, std::string_view source_name) {
  try {
    return toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    fail(std::string(source_name) + ":" + std::to_string(where.line) + ":" +
             std::to_string(where.column),
         std::string(e.description()));
  }
}

policy::ReplyTable default_rows() {
  const toml::table root =
      parse_text(builtin_profile_text(kDefaultsName), "profiles/defaults.toml");
  const TableReader r(root, "profiles/defaults.toml", "");
  r.only({"reply"});
  policy::ReplyTable table;
  read_rules(r, table);
  return table;
}

}  // namespace

std::vector<std::string> builtin_profile_names() {
  std::vector<std::string> names;
  for (const EmbeddedFile& f : embedded_profile_files()) {
    if (f.name != kDefaultsName) names.emplace_back(f.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string_view builtin_profile_text(std::string_view name) {
  for (const EmbeddedFile& f : embedded_profile_files()) {
    if (f.name == name) return f.text;
  }
  return {};
}

ProviderProfile parse_profile(std::string_view toml_text, std::string_view source_name) {
  const toml::table root = parse_text(toml_text, source_name);
  const TableReader r(root, std::string(source_name), "");
  r.only({"name", "description", "kind", "host", "port", "tls", "auth", "username",
          "recipients_per_message", "messages_per_connection", "max_connections",
          "max_message_size", "quota", "reply"});
  ProviderProfile p;
  p.name = r.required_string("name");
  if (p.name.empty() || p.name == kDefaultsName) r.bad("name", "must be a profile name");
  p.description = r.string("description").value_or("");
  p.kind =
      r.choice("kind", &policy::parse_profile_kind, policy::ProfileKind::smtp, "smtp, capture");
  if (p.kind == policy::ProfileKind::capture) {
    r.only({"name", "description", "kind"});
    return p;
  }
  read_smtp_fields(r, p);
  if (p.auth_mechanisms.empty()) r.bad("auth", "required (e.g. [\"PLAIN\", \"LOGIN\"])");
  read_rules(r, p.replies);
  const policy::ReplyTable defaults = default_rows();
  p.replies.rules.insert(p.replies.rules.end(), defaults.rules.begin(), defaults.rules.end());
  return p;
}

ProviderProfile builtin_profile(std::string_view name, std::string_view key) {
  const std::string_view text =
      name == kDefaultsName ? std::string_view{} : builtin_profile_text(name);
  if (text.empty()) {
    std::string list;
    for (const std::string& n : builtin_profile_names()) list += (list.empty() ? "" : ", ") + n;
    std::string shown(name.substr(0, 64));
    for (char& c : shown) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    }
    fail(std::string(key), "unknown provider '" + shown + "' (known: " + list + ")");
  }
  return parse_profile(text, "profiles/" + std::string(name) + ".toml");
}

}  // namespace postern::config
