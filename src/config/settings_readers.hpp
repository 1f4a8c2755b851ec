#pragma once
// Internal to config/: typed readers over Sources. Each returns the validated value (or the
// default / nullopt when the setting is absent) and throws ConfigError naming the key as the
// operator wrote it.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/sources.hpp"

namespace postern::config {

struct CountRange {
  std::uint64_t min;
  std::uint64_t max;
  std::string floor_note;  // why the minimum, e.g. "(the minimum of RFC 5321 §4.5.3.1.4)"
};

// A TOML or environment string; nullopt when absent.
[[nodiscard]] std::optional<RawValue> read_string(const Sources& s, const KeySpec& key);
// A whole number in `range` (TOML integer, or decimal digits in the variable).
[[nodiscard]] std::uint64_t read_count(const Sources& s, const KeySpec& key, std::uint64_t fallback,
                                       const CountRange& range);
// A byte count (TOML integer, or a size string such as "25MiB").
[[nodiscard]] std::size_t read_size(const Sources& s, const KeySpec& key, std::size_t fallback,
                                    std::uint64_t min, std::uint64_t max);
// A positive duration up to `max` (TOML integer seconds, or "30s", "5m" …).
[[nodiscard]] std::chrono::milliseconds read_duration(const Sources& s, const KeySpec& key,
                                                      std::chrono::milliseconds fallback,
                                                      std::chrono::milliseconds max);
// A list of strings: a TOML array of strings, or a comma list (file string or variable),
// items trimmed of spaces. nullopt when absent; any other type fails with "must be <what>".
[[nodiscard]] std::optional<std::vector<std::string>> read_string_list(const Sources& s,
                                                                       const KeySpec& key,
                                                                       std::string_view what);
// One of `choices` (exact, lower case); nullopt when absent.
[[nodiscard]] std::optional<std::string> read_choice(
    const Sources& s, const KeySpec& key, std::initializer_list<std::string_view> choices);

[[nodiscard]] std::filesystem::path require_non_empty(const RawValue& value);
[[nodiscard]] std::filesystem::path require_regular_file(const RawValue& value);

// The [user] section / POSTERN_USER … variables. Reads password files.
[[nodiscard]] std::optional<EnvAccount> read_env_account(const Sources& s);

// The [delivery] section.
[[nodiscard]] DeliverySettings read_delivery(const Sources& s);

// The [upstream] section / POSTERN_PROVIDER, POSTERN_UPSTREAM_*, POSTERN_SES_REGION, with the
// [delivery] overrides applied to the profile. nullopt: capture mode. Reads password and
// profile files; enforces the egress rule (policy::check_egress).
[[nodiscard]] std::optional<UpstreamSettings> read_upstream(const Sources& s,
                                                            const DeliverySettings& delivery);

}  // namespace postern::config
