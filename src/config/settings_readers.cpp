#include "config/settings_readers.hpp"

#include <algorithm>
#include <system_error>

#include "config/value_parsers.hpp"

namespace postern::config {

void fail(const std::string& key, std::string reason) { throw ConfigError(key, std::move(reason)); }

std::optional<RawValue> Sources::get(const KeySpec& key) const {
  if (!key.env.empty()) {
    if (auto value = env(key.env)) {
      return RawValue{.name = std::string(key.env), .from_env = true, .text = *value};
    }
  }
  if (key.key.empty()) return std::nullopt;
  auto it = file_values_.find(key.dotted());
  if (it == file_values_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Sources::env(std::string_view name) const {
  auto it = env_.find(name);
  if (it == env_.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::optional<RawValue> read_string(const Sources& s, const KeySpec& key) {
  auto value = s.get(key);
  if (value && value->kind != RawValue::Kind::string) {
    fail(value->name, "must be a string, not " + value->type_name);
  }
  return value;
}

std::optional<std::vector<std::string>> read_string_list(const Sources& s, const KeySpec& key,
                                                        std::string_view what) {
  auto value = s.get(key);
  if (!value) return std::nullopt;
  if (value->kind == RawValue::Kind::string_array) return value->strings;
  if (value->kind != RawValue::Kind::string) {
    fail(value->name, "must be " + std::string(what) + ", not " + value->type_name);
  }
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= value->text.size()) {
    std::size_t comma = value->text.find(',', start);
    if (comma == std::string::npos) comma = value->text.size();
    std::string item = value->text.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    items.push_back(std::move(item));
    start = comma + 1;
  }
  return items;
}

std::uint64_t read_count(const Sources& s, const KeySpec& key, std::uint64_t fallback,
                         const CountRange& range) {
  auto value = s.get(key);
  if (!value) return fallback;
  const std::string positive = "must be a positive integer";
  std::uint64_t n = 0;
  if (value->kind == RawValue::Kind::integer) {
    if (value->integer < 1) fail(value->name, positive);
    n = static_cast<std::uint64_t>(value->integer);
  } else if (value->from_env) {
    std::string why;
    auto parsed = parse_uint(value->text, why);
    if (!parsed || *parsed < 1) fail(value->name, positive);
    n = *parsed;
  } else {
    fail(value->name, positive);
  }
  if (n < range.min) {
    fail(value->name, "must be at least " + std::to_string(range.min) +
                          (range.floor_note.empty() ? "" : " " + range.floor_note));
  }
  if (n > range.max) fail(value->name, "must be at most " + std::to_string(range.max));
  return n;
}

std::size_t read_size(const Sources& s, const KeySpec& key, std::size_t fallback, std::uint64_t min,
                      std::uint64_t max) {
  auto value = s.get(key);
  if (!value) return fallback;
  std::uint64_t n = 0;
  if (value->kind == RawValue::Kind::integer) {
    if (value->integer < 0) fail(value->name, "must be a positive size");
    n = static_cast<std::uint64_t>(value->integer);
  } else if (value->kind == RawValue::Kind::string) {
    std::string why;
    auto parsed = parse_size(value->text, why);
    if (!parsed) fail(value->name, why);
    n = *parsed;
  } else {
    fail(value->name, "must be a size like 25MiB or a byte count, not " + value->type_name);
  }
  if (n < min) fail(value->name, "must be a positive size");
  if (n > max) fail(value->name, "must be at most " + format_size(max));
  return static_cast<std::size_t>(n);
}

std::chrono::milliseconds read_duration(const Sources& s, const KeySpec& key,
                                        std::chrono::milliseconds fallback,
                                        std::chrono::milliseconds max) {
  auto value = s.get(key);
  if (!value) return fallback;
  std::chrono::milliseconds d{0};
  if (value->kind == RawValue::Kind::integer) {  // seconds
    if (value->integer < 1) fail(value->name, "must be a positive duration");
    if (value->integer > max.count() / 1000)
      fail(value->name, "must be at most " + format_duration(max));
    d = std::chrono::seconds(value->integer);
  } else if (value->kind == RawValue::Kind::string) {
    std::string why;
    auto parsed = parse_duration(value->text, why);
    if (!parsed) fail(value->name, why);
    d = *parsed;
  } else {
    fail(value->name, "must be a duration like 30s or 5m, not " + value->type_name);
  }
  if (d.count() < 1) fail(value->name, "must be a positive duration");
  if (d > max) fail(value->name, "must be at most " + format_duration(max));
  return d;
}

std::optional<std::string> read_choice(const Sources& s, const KeySpec& key,
                                       std::initializer_list<std::string_view> choices) {
  auto value = read_string(s, key);
  if (!value) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), value->text) == choices.end()) {
    std::string list;
    for (std::string_view c : choices) list += (list.empty() ? "" : ", ") + std::string(c);
    fail(value->name, "must be one of: " + list);
  }
  return value->text;
}

std::filesystem::path require_non_empty(const RawValue& value) {
  if (value.text.empty()) fail(value.name, "must not be empty");
  return value.text;
}

std::filesystem::path require_regular_file(const RawValue& value) {
  std::filesystem::path path = require_non_empty(value);
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) fail(value.name, "no such file: " + path.string());
  if (!std::filesystem::is_regular_file(status)) {
    fail(value.name, "not a regular file: " + path.string());
  }
  return path;
}

}  // namespace postern::config
