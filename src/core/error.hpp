#pragma once
// Postern's own error codes, for expected failures that are not errno values.

#include <system_error>

namespace postern::core {

enum class Errc {
  ok = 0,
  disk_full = 1,        // the store has no room: SMTP 452 4.3.1
  storage_failure,      // write or fsync failed: SMTP 451 4.3.0, acceptance stops
  store_unavailable,    // the store refused earlier and an operator must act
  not_found,
  already_exists,
  invalid_argument,
  malformed_input,
  permission_denied,
  timed_out,
};

const std::error_category& postern_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), postern_category()};
}

}  // namespace postern::core

template <>
struct std::is_error_code_enum<postern::core::Errc> : std::true_type {};
