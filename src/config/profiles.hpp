#pragma once
// The provider profiles shipped in profiles/*.toml, embedded into the binary at build time
// (CMake generates the texts into embedded_profiles.cpp, so the binary needs no repository),
// and the parser of the profile format (docs/providers.md). config/ owns the parsing because
// it owns toml++; policy/ keeps plain structs.

#include <string>
#include <string_view>
#include <vector>

#include "policy/profile.hpp"

namespace postern::config {

// The shipped profile names, sorted: capture, custom, gmail, google-workspace, mailgun,
// mailgun-eu, office365, sendgrid, ses.
[[nodiscard]] std::vector<std::string> builtin_profile_names();

// The embedded text of profiles/<name>.toml, or "" if there is none. "defaults" is the
// common reply rows appended to every profile's table.
[[nodiscard]] std::string_view builtin_profile_text(std::string_view name);

// Parses a profile file and appends the rows of profiles/defaults.toml to its reply table.
// The host is returned as written (placeholders such as ${POSTERN_SES_REGION} unresolved).
// Throws ConfigError naming `source_name` (with line:column for syntax errors) or
// `source_name: key` for a bad value.
[[nodiscard]] policy::ProviderProfile parse_profile(std::string_view toml_text,
                                                    std::string_view source_name);

// parse_profile of the embedded profile `name`. Throws ConfigError(key, "unknown provider
// ...") listing the known names when there is none.
[[nodiscard]] policy::ProviderProfile builtin_profile(std::string_view name,
                                                      std::string_view key = "upstream.provider");

}  // namespace postern::config
