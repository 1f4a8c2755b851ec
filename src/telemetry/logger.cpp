#include "telemetry/logger.hpp"

#include <charconv>
#include <cmath>
#include <mutex>

#include "telemetry/json_escape.hpp"

namespace postern::telemetry {
namespace {

void append_padded(std::string& out, long long value, int width) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  for (int pad = width - static_cast<int>(end - buffer); pad > 0; --pad) out += '0';
  out.append(buffer, end);
}

void append_number(std::string& out, const FieldValue::Variant& v) {
  char buffer[32];
  std::to_chars_result r{};
  if (const auto* s = std::get_if<std::int64_t>(&v)) {
    r = std::to_chars(buffer, buffer + sizeof buffer, *s);
  } else if (const auto* u = std::get_if<std::uint64_t>(&v)) {
    r = std::to_chars(buffer, buffer + sizeof buffer, *u);
  } else {
    const double d = std::get<double>(v);
    if (!std::isfinite(d)) {  // JSON has no NaN or infinity
      out += "null";
      return;
    }
    r = std::to_chars(buffer, buffer + sizeof buffer, d);
  }
  out.append(buffer, r.ptr);
}

// A text-format token needs quotes if it is empty or holds a space, control character, '"',
// '=', '\' or a non-ASCII byte (which the JSON escaper then checks for valid UTF-8).
bool needs_quotes(std::string_view text) {
  if (text.empty()) return true;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7F || c == '"' || c == '=' || c == '\\') return true;
  }
  return false;
}

void append_text_token(std::string& out, std::string_view text) {
  if (needs_quotes(text)) {
    out += json_quote(text);
  } else {
    out += text;
  }
}

void append_json_field(std::string& out, const Field& field) {
  out += json_quote(field.key);
  out += ':';
  const auto& v = field.value.get();
  if (const auto* s = std::get_if<std::string_view>(&v)) {
    out += json_quote(*s);
  } else if (const auto* b = std::get_if<bool>(&v)) {
    out += *b ? "true" : "false";
  } else {
    append_number(out, v);
  }
}

void append_text_field(std::string& out, const Field& field) {
  out += ' ';
  append_text_token(out, field.key);
  out += '=';
  const auto& v = field.value.get();
  if (const auto* s = std::get_if<std::string_view>(&v)) {
    append_text_token(out, *s);
  } else if (const auto* b = std::get_if<bool>(&v)) {
    out += *b ? "true" : "false";
  } else {
    append_number(out, v);
  }
}

// JSON fields are rendered comma-separated without braces; text fields each start with ' '.
void append_fields(std::string& out, Format format, std::initializer_list<Field> fields) {
  for (const Field& field : fields) {
    if (format == Format::text) {
      append_text_field(out, field);
      continue;
    }
    if (!out.empty() && out.back() != '{') out += ',';
    append_json_field(out, field);
  }
}

const core::SystemClock kSystemClock{};

}  // namespace

std::string_view to_string(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "unknown";
}

std::optional<Level> parse_level(std::string_view text) {
  for (Level level : {Level::debug, Level::info, Level::warn, Level::error}) {
    if (text == to_string(level)) return level;
  }
  return std::nullopt;
}

std::optional<Format> parse_format(std::string_view text) {
  if (text == "json") return Format::json;
  if (text == "text") return Format::text;
  return std::nullopt;
}

std::string format_rfc3339_ms(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss hms{ms - day};
  std::string out;
  out.reserve(24);
  append_padded(out, static_cast<int>(ymd.year()), 4);
  out += '-';
  append_padded(out, static_cast<unsigned>(ymd.month()), 2);
  out += '-';
  append_padded(out, static_cast<unsigned>(ymd.day()), 2);
  out += 'T';
  append_padded(out, hms.hours().count(), 2);
  out += ':';
  append_padded(out, hms.minutes().count(), 2);
  out += ':';
  append_padded(out, hms.seconds().count(), 2);
  out += '.';
  append_padded(out, hms.subseconds().count(), 3);
  out += 'Z';
  return out;
}

Logger::Logger() : Logger(std::make_shared<FdSink>(2)) {}

Logger::Logger(std::shared_ptr<Sink> sink, LoggerOptions options, const core::Clock* clock)
    : shared_(std::make_shared<Shared>()) {
  shared_->sink = std::move(sink);
  shared_->format = options.format;
  shared_->min_level.store(options.min_level);
  shared_->clock = clock != nullptr ? clock : &kSystemClock;
}

bool Logger::enabled(Level level) const {
  return level >= shared_->min_level.load(std::memory_order_relaxed);
}

void Logger::set_level(Level level) const { shared_->min_level.store(level); }

Logger Logger::with(std::initializer_list<Field> fields) const {
  Logger child = *this;
  if (shared_->format == Format::json) {
    std::string more = "{";
    append_fields(more, Format::json, fields);
    if (!child.bound_.empty() && more.size() > 1) child.bound_ += ',';
    child.bound_.append(more, 1);
  } else {
    append_fields(child.bound_, Format::text, fields);
  }
  return child;
}

void Logger::log(Level level, std::string_view msg, std::initializer_list<Field> fields) const {
  if (!enabled(level)) return;
  const std::string ts = format_rfc3339_ms(shared_->clock->now());
  std::string line;
  line.reserve(128 + bound_.size());
  if (shared_->format == Format::json) {
    line.append("{\"ts\":\"").append(ts).append("\",\"level\":\"").append(to_string(level));
    line.append("\",\"msg\":").append(json_quote(msg)).append(",\"fields\":{").append(bound_);
    append_fields(line, Format::json, fields);
    line.append("}}\n");
  } else {
    line.append(ts).append(" ").append(to_string(level)).append(" ");
    append_text_token(line, msg);
    line.append(bound_);
    append_fields(line, Format::text, fields);
    line += '\n';
  }
  shared_->sink->write_line(line);
}

namespace {
std::mutex default_mutex;
Logger& default_instance() {
  static Logger instance;
  return instance;
}
}  // namespace

Logger default_logger() {
  std::lock_guard lock(default_mutex);
  return default_instance();
}

void set_default_logger(Logger logger) {
  std::lock_guard lock(default_mutex);
  default_instance() = std::move(logger);
}

}  // namespace postern::telemetry
