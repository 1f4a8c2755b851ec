#pragma once
// telemetry::Logger — structured log lines with key/value fields, as JSON lines or text.
//
//   log.info("accepted", {{"session", sid}, {"queue_id", id}, {"size", n}});
//
// json: {"ts":"2026-11-29T12:00:00.123Z","level":"info","msg":"accepted",
//        "fields":{"session":"7K2M9Q4XZA","queue_id":"01J…","size":5120}}
// text: 2026-11-29T12:00:00.123Z info accepted session=7K2M9Q4XZA queue_id=01J… size=5120
//
// Every line is built whole and handed to the sink in one call, so lines of concurrent threads
// never mix. Secrets (passwords, tokens, AUTH payloads) must never be passed as fields.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "core/clock.hpp"
#include "telemetry/sinks.hpp"

namespace postern::telemetry {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };
enum class Format { json, text };

[[nodiscard]] std::string_view to_string(Level level);
[[nodiscard]] std::optional<Level> parse_level(std::string_view text);    // "debug" … "error"
[[nodiscard]] std::optional<Format> parse_format(std::string_view text);  // "json" | "text"

// A field value: text, integer, floating point or boolean. Text is borrowed: it must stay
// valid for the duration of the log call only (temporaries in the call expression are fine).
class FieldValue {
 public:
  using Variant = std::variant<std::string_view, std::int64_t, std::uint64_t, double, bool>;

  FieldValue(std::string_view text) : v_(text) {}                // NOLINT: implicit by design
  FieldValue(const char* text) : v_(std::string_view(text)) {}   // NOLINT
  FieldValue(const std::string& text) : v_(std::string_view(text)) {}  // NOLINT
  FieldValue(bool flag) : v_(flag) {}                            // NOLINT
  template <class T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
  FieldValue(T number) {  // NOLINT
    if constexpr (std::is_signed_v<T>) {
      v_ = static_cast<std::int64_t>(number);
    } else {
      v_ = static_cast<std::uint64_t>(number);
    }
  }
  template <class T>
    requires std::is_floating_point_v<T>
  FieldValue(T number) : v_(static_cast<double>(number)) {}  // NOLINT

  [[nodiscard]] const Variant& get() const { return v_; }

 private:
  Variant v_;
};

struct Field {
  std::string_view key;
  FieldValue value;
};

// "2026-11-29T12:00:00.123Z": RFC 3339 §5.6 date-time in UTC with milliseconds.
[[nodiscard]] std::string format_rfc3339_ms(std::chrono::system_clock::time_point t);

struct LoggerOptions {
  Format format = Format::json;
  Level min_level = Level::info;
};

class Logger {
 public:
  // Logs to stderr, JSON, level info.
  Logger();
  // "*clock" must outlive the logger and every logger derived from it with with().
  explicit Logger(std::shared_ptr<Sink> sink, LoggerOptions options = {},
                  const core::Clock* clock = nullptr);

  void log(Level level, std::string_view msg, std::initializer_list<Field> fields = {}) const;
  void debug(std::string_view msg, std::initializer_list<Field> fields = {}) const {
    log(Level::debug, msg, fields);
  }
  void info(std::string_view msg, std::initializer_list<Field> fields = {}) const {
    log(Level::info, msg, fields);
  }
  void warn(std::string_view msg, std::initializer_list<Field> fields = {}) const {
    log(Level::warn, msg, fields);
  }
  void error(std::string_view msg, std::initializer_list<Field> fields = {}) const {
    log(Level::error, msg, fields);
  }

  [[nodiscard]] bool enabled(Level level) const;
  // Changes the minimum level of this logger and of every logger sharing its sink via with().
  void set_level(Level level) const;

  // A logger that adds `fields` (copied now) before the fields of every line, e.g. one per
  // connection: auto log = root.with({{"session", sid}, {"client", ip}});
  [[nodiscard]] Logger with(std::initializer_list<Field> fields) const;

 private:
  struct Shared {
    std::shared_ptr<Sink> sink;
    Format format;
    std::atomic<Level> min_level;
    const core::Clock* clock;
  };

  std::shared_ptr<Shared> shared_;
  std::string bound_;  // fields bound by with(), already rendered in shared_->format
};

// The process-wide logger: stderr/JSON/info until set_default_logger() replaces it (at start-up).
// Returns a copy, so a concurrent replacement never invalidates it.
[[nodiscard]] Logger default_logger();
void set_default_logger(Logger logger);

}  // namespace postern::telemetry
