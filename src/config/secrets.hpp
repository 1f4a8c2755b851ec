#pragma once
// Internal to config/: reading a password (or API key, or token) the way the account does it
// (smtp-checklist "Secrets": credentials come from the environment or *_FILE paths; a config
// file holds only the name of the variable or the path, never the value).

#include <optional>
#include <string>

#include "config/sources.hpp"

namespace postern::config {

struct PasswordKeys {
  const KeySpec& direct;    // variable only: POSTERN_PASSWORD, POSTERN_UPSTREAM_PASSWORD
  const KeySpec& file;      // variable and key: POSTERN_PASSWORD_FILE / user.password_file
  const KeySpec& env_name;  // key only: user.password_env (names another variable)
};

struct PasswordValue {
  std::string password;  // SECRET
  std::string source;    // "env:VAR" or "file:PATH"
  std::string key;       // the key that supplied it, for errors
  bool from_env = false;
};

// Precedence: the direct variable, then the file variable (both set: error), then the
// file's env_name or file key (both set: error). nullopt when none is set. Reads files
// (one line, at most 4096 bytes, a final newline dropped); errors never show content.
[[nodiscard]] std::optional<PasswordValue> read_password(const Sources& s,
                                                         const PasswordKeys& keys);

}  // namespace postern::config
