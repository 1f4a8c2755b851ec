#pragma once
// Internal to config/: the raw values of the settings, before validation, from the
// environment and the TOML file. The environment wins key by key.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/keys.hpp"

namespace postern::config {

struct RawValue {
  enum class Kind { string, integer, string_array, other };
  std::string name;  // how errors name it: the variable, or "section.key"
  bool from_env = false;
  Kind kind = Kind::string;
  std::string text;                  // Kind::string (every variable is a string)
  std::int64_t integer = 0;          // Kind::integer
  std::vector<std::string> strings;  // Kind::string_array
  std::string type_name;             // the TOML type, for "must be …, not a boolean"
};

class Sources {
 public:
  // `file_values` is keyed by KeySpec::dotted(); the keys were checked to exist.
  Sources(const Environment& env, std::map<std::string, RawValue> file_values)
      : env_(env), file_values_(std::move(file_values)) {}

  // The variable of `key` if set and non-empty, else its TOML value, else nullopt.
  // An empty variable counts as unset (compose files often write `VAR=`).
  [[nodiscard]] std::optional<RawValue> get(const KeySpec& key) const;
  // A non-empty environment variable.
  [[nodiscard]] std::optional<std::string> env(std::string_view name) const;

 private:
  const Environment& env_;
  std::map<std::string, RawValue> file_values_;
};

// Validates every setting into a Config. Throws ConfigError.
[[nodiscard]] Config build_config(const Sources& sources, const LoadInput& input);

// Throws ConfigError(key, reason).
[[noreturn]] void fail(const std::string& key, std::string reason);

}  // namespace postern::config
