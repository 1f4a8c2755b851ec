#include "telemetry/metrics.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace postern::telemetry {
namespace {

bool is_name_char(char c, bool first, bool colon_allowed) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  const bool digit = c >= '0' && c <= '9';
  return alpha || (!first && digit) || (colon_allowed && c == ':');
}

bool is_valid_name(std::string_view name, bool colon_allowed) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!is_name_char(name[i], i == 0, colon_allowed)) return false;
  }
  return true;
}

[[noreturn]] void misuse(std::string_view what, std::string_view name) {
  std::fprintf(stderr, "postern: metrics misuse: %.*s: %.*s\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(name.size()), name.data());
  std::abort();
}

// Exposition format escapes: HELP text escapes '\' and newline; label values also '"'.
std::string escape(std::string_view text, bool quote) {
  std::string out;
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string render_labels(const Labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  for (const auto& [key, value] : labels) {
    if (!is_valid_name(key, false) || key.starts_with("__")) misuse("invalid label name", key);
    if (out.size() > 1) out += ',';
    out.append(key).append("=\"").append(escape(value, true)).append("\"");
  }
  return out + "}";
}

}  // namespace

Registry::Series& Registry::series(std::string_view name, std::string_view help,
                                   const Labels& labels, Type type) {
  if (!is_valid_name(name, true)) misuse("invalid metric name", name);
  std::string rendered = render_labels(labels);
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{type, std::string(help), {}}).first;
  } else if (it->second.type != type || it->second.help != help) {
    misuse("metric registered again with another type or help", name);
  }
  auto& all = it->second.series;
  auto found = std::find_if(all.begin(), all.end(),
                            [&](const Series& s) { return s.labels == rendered; });
  if (found != all.end()) return *found;
  Series& created = all.emplace_back(Series{std::move(rendered), nullptr, nullptr});
  if (type == Type::counter) {
    created.counter = std::make_unique<Counter>();
  } else {
    created.gauge = std::make_unique<Gauge>();
  }
  return created;
}

Counter& Registry::counter(std::string_view name, std::string_view help, const Labels& labels) {
  return *series(name, help, labels, Type::counter).counter;
}

Gauge& Registry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
  return *series(name, help, labels, Type::gauge).gauge;
}

std::string Registry::expose() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out.append("# HELP ").append(name).append(" ").append(escape(family.help, false)).append("\n");
    out.append("# TYPE ").append(name).append(family.type == Type::counter ? " counter\n" : " gauge\n");
    for (const Series& s : family.series) {
      out.append(name).append(s.labels).append(" ");
      out.append(s.counter ? std::to_string(s.counter->value()) : std::to_string(s.gauge->value()));
      out.append("\n");
    }
  }
  return out;
}

Registry& default_registry() {
  static Registry registry;
  return registry;
}

}  // namespace postern::telemetry
