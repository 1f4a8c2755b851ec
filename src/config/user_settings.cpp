// The account from the environment (POSTERN_USER, POSTERN_PASSWORD or POSTERN_PASSWORD_FILE,
// POSTERN_USER_SENDERS) or the [user] section. The file names only where the password is
// (password_env / password_file), never the password (smtp-checklist "Secrets").

#include <algorithm>

#include "config/secrets.hpp"
#include "config/settings_readers.hpp"

namespace postern::config {
namespace {

using namespace keys;

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

constexpr std::size_t kMaxAccountPassword = 4096;

std::optional<EnvAccount> read_env_account(const Sources& s) {
  const auto name = read_string(s, kUserName);
  auto password = read_password(s, {kUserPassword, kUserPasswordFile, kUserPasswordEnv});
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
  // AUTH PLAIN and LOGIN take fields up to 4096 octets (smtp::kMaxSaslField): a longer password
  // could never log in.
  if (password->password.size() > kMaxAccountPassword) {
    fail(password->key, "longer than 4096 bytes, more than AUTH accepts");
  }
  std::string why;
  auto rules = policy::SenderRules::parse(senders->text, &why);
  if (!rules) fail(senders->name, why);
  if (rules->empty()) fail(senders->name, "must name at least one sender (* allows any sender)");
  return EnvAccount{name->text, std::move(password->password), std::move(password->source),
                    std::move(rules).value()};
}

}  // namespace postern::config
