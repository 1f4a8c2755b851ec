// The account from the environment (POSTERN_USER, POSTERN_PASSWORD or POSTERN_PASSWORD_FILE,
// POSTERN_USER_SENDERS) or the [user] section. The file names only where the password is
// (password_env / password_file), never the password (smtp-checklist "Secrets").

#include <algorithm>
#include <fstream>
#include <system_error>

#include "config/settings_readers.hpp"

namespace postern::config {
namespace {

using namespace keys;

constexpr std::size_t kMaxPasswordFile = 4096;

struct PasswordValue {
  std::string password;  // SECRET
  std::string source;    // "env:VAR" or "file:PATH"
  std::string key;       // the key that supplied it, for errors
  bool from_env = false;
};

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

std::optional<PasswordValue> read_env_password(const Sources& s) {
  const std::string pw_env(kUserPassword.env), file_env(kUserPasswordFile.env);
  const auto password = s.env(pw_env);
  const auto file = s.env(file_env);
  if (password && file) fail(file_env, "set only one of " + pw_env + " and " + file_env);
  if (password) return PasswordValue{*password, "env:" + pw_env, pw_env, true};
  if (file)
    return PasswordValue{read_secret_file(file_env, *file), "file:" + *file, file_env, true};
  return std::nullopt;
}

std::optional<PasswordValue> read_file_password(const Sources& s) {
  const auto var = read_string(s, kUserPasswordEnv);
  const auto file = read_string(s, kUserPasswordFile);  // POSTERN_PASSWORD_FILE is unset here
  if (var && file) {
    fail(file->name, "set only one of user.password_env and user.password_file");
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

// Senders as a comma list, or in the file also as an array of strings.
std::optional<RawValue> read_senders(const Sources& s) {
  auto value = s.get(kUserSenders);
  if (!value || value->kind == RawValue::Kind::string) return value;
  if (value->kind != RawValue::Kind::string_array) {
    fail(value->name, "must be a comma list or an array of strings, not " + value->type_name);
  }
  for (const std::string& item : value->strings) {
    value->text += (value->text.empty() ? "" : ",") + item;
  }
  value->kind = RawValue::Kind::string;
  return value;
}

std::string name_of(const KeySpec& key, bool env) {
  return env ? std::string(key.env) : key.dotted();
}

void check_name(const RawValue& name) {
  const bool bad = std::any_of(name.text.begin(), name.text.end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
  });
  if (name.text.empty() || name.text.size() > 255 || bad || name.text.front() == '#') {
    fail(name.name, "must be 1-255 octets without spaces or control characters");
  }
}

}  // namespace

std::optional<EnvAccount> read_env_account(const Sources& s) {
  const auto name = read_string(s, kUserName);
  auto password = read_env_password(s);
  if (!password) password = read_file_password(s);
  const auto senders = read_senders(s);
  if (!name) {
    const std::string why = "set without POSTERN_USER or user.name";
    if (password) fail(password->key, why);
    if (senders) fail(senders->name, why);
    return std::nullopt;
  }
  check_name(*name);
  if (!password) {
    fail(name_of(name->from_env ? kUserPassword : kUserPasswordEnv, name->from_env),
         "required when " + name->name + " is set (or " +
             name_of(kUserPasswordFile, name->from_env) + ")");
  }
  if (!senders) {
    fail(name_of(kUserSenders, name->from_env),
         "required when " + name->name + " is set (* allows any sender)");
  }
  std::string why;
  auto rules = policy::SenderRules::parse(senders->text, &why);
  if (!rules) fail(senders->name, why);
  if (rules->empty()) fail(senders->name, "must name at least one sender (* allows any sender)");
  return EnvAccount{name->text, std::move(password->password), std::move(password->source),
                    std::move(rules).value()};
}

}  // namespace postern::config
