#include "config/secrets.hpp"

#include <algorithm>
#include <fstream>
#include <system_error>

#include "config/settings_readers.hpp"

namespace postern::config {
namespace {

constexpr std::size_t kMaxPasswordFile = 4096;

// Reads a one-line secret file; a final LF or CRLF is dropped. Errors never show content.
std::string read_secret_file(const std::string& key, const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    fail(key, "not a readable regular file: " + path.string());
  }
  std::ifstream in(path, std::ios::binary);
  std::string text(kMaxPasswordFile + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) fail(key, "cannot read " + path.string());
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxPasswordFile) fail(key, "password file larger than 4096 bytes");
  if (text.ends_with('\n')) text.pop_back();
  if (text.ends_with('\r')) text.pop_back();
  if (text.empty()) fail(key, "password file is empty: " + path.string());
  if (text.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    fail(key, "password file must hold a single line");
  }
  return text;
}

bool valid_variable_name(std::string_view name) {
  const auto ok = [](char c) {
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  return !name.empty() && !(name.front() >= '0' && name.front() <= '9') &&
         std::all_of(name.begin(), name.end(), ok);
}

std::optional<PasswordValue> from_environment(const Sources& s, const PasswordKeys& keys) {
  const std::string pw_env(keys.direct.env), file_env(keys.file.env);
  const auto password = s.env(pw_env);
  const auto file = s.env(file_env);
  if (password && file) fail(file_env, "set only one of " + pw_env + " and " + file_env);
  if (password) return PasswordValue{*password, "env:" + pw_env, pw_env, true};
  if (file) {
    return PasswordValue{read_secret_file(file_env, *file), "file:" + *file, file_env, true};
  }
  return std::nullopt;
}

std::optional<PasswordValue> from_file_keys(const Sources& s, const PasswordKeys& keys) {
  const auto var = read_string(s, keys.env_name);
  const auto file = read_string(s, keys.file);  // its variable is unset here
  if (var && file) {
    fail(file->name, "set only one of " + keys.env_name.dotted() + " and " + keys.file.dotted());
  }
  if (var) {
    if (!valid_variable_name(var->text)) fail(var->name, "must be an environment variable name");
    auto value = s.env(var->text);
    if (!value) fail(var->name, "the variable " + var->text + " is not set or empty");
    return PasswordValue{*value, "env:" + var->text, var->name, false};
  }
  if (file) {
    const std::string path = require_non_empty(*file).string();
    return PasswordValue{read_secret_file(file->name, path), "file:" + path, file->name, false};
  }
  return std::nullopt;
}

}  // namespace

std::optional<PasswordValue> read_password(const Sources& s, const PasswordKeys& keys) {
  if (auto value = from_environment(s, keys)) return value;
  return from_file_keys(s, keys);
}

}  // namespace postern::config
