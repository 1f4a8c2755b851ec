#pragma once
// Internal to config/: the texts of profiles/*.toml, compiled in. The definition is generated
// at build time by embed_profiles.cmake (see CMakeLists.txt), sorted by name.

#include <span>
#include <string_view>

namespace postern::config {

struct EmbeddedFile {
  std::string_view name;  // the file name without ".toml": "gmail", "defaults", ...
  std::string_view text;
};

[[nodiscard]] std::span<const EmbeddedFile> embedded_profile_files();

}  // namespace postern::config
