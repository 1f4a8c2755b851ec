#include "auth/account_store.hpp"

#include <sys/stat.h>

#include <algorithm>

#include "auth/atomic_file.hpp"
#include "core/error.hpp"

namespace postern::auth {
namespace {

core::Status ensure_directory(const std::filesystem::path& dir) {
  if (dir.empty()) return {};
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return {};
  std::filesystem::create_directories(dir, ec);
  if (ec) return ec;
  // The data dir holds hashes, keys and the queue: owner only.
  if (::chmod(dir.c_str(), 0700) != 0) return {errno, std::system_category()};
  return {};
}

std::vector<Account>::iterator find_in(std::vector<Account>& accounts, std::string_view name) {
  return std::find_if(accounts.begin(), accounts.end(),
                      [&](const Account& a) { return a.name == name; });
}

}  // namespace

AccountStore::AccountStore(std::filesystem::path file, HashParams params)
    : file_(std::move(file)), params_(params) {}

std::filesystem::path AccountStore::default_path(const std::filesystem::path& data_dir) {
  return data_dir / "accounts";
}

core::Result<std::vector<Account>> AccountStore::list(std::string* reason) const {
  auto text = read_file(file_);
  if (!text) {
    if (text.error() == std::errc::no_such_file_or_directory) return std::vector<Account>{};
    return text.error();
  }
  std::string why;
  auto accounts = parse_accounts(*text, &why);
  if (!accounts && reason != nullptr) *reason = file_.string() + ": " + why;
  return accounts;
}

core::Result<Account> AccountStore::find(std::string_view name) const {
  auto accounts = list();
  if (!accounts) return accounts.error();
  auto it = find_in(*accounts, name);
  if (it == accounts->end()) return core::make_error_code(core::Errc::not_found);
  return std::move(*it);
}

// Runs `change(accounts)` (returning a Status) under the lock on a fresh copy of the file and
// writes the result if it succeeded.
template <class Change>
core::Status AccountStore::modify(Change change) {
  if (auto st = ensure_directory(file_.parent_path())) return st;
  auto lock = FileLock::acquire(file_.string() + ".lock");
  if (!lock) return lock.error();
  auto accounts = list();
  if (!accounts) return accounts.error();
  if (auto st = change(*accounts)) return st;
  return write_file_atomically(file_, format_accounts(*accounts), 0600);
}

core::Status AccountStore::add(std::string_view name, std::string_view password,
                               const policy::SenderRules& senders) {
  if (!check_account_name(name).empty() || password.empty()) {
    return core::make_error_code(core::Errc::invalid_argument);
  }
  auto hash = hash_password(password, params_);  // before the lock: it is slow
  if (!hash) return hash.error();
  return modify([&](std::vector<Account>& accounts) -> core::Status {
    if (find_in(accounts, name) != accounts.end()) return core::Errc::already_exists;
    accounts.push_back(Account{std::string(name), std::move(hash).value(), senders});
    return {};
  });
}

core::Status AccountStore::remove(std::string_view name) {
  return modify([&](std::vector<Account>& accounts) -> core::Status {
    auto it = find_in(accounts, name);
    if (it == accounts.end()) return core::Errc::not_found;
    accounts.erase(it);
    return {};
  });
}

core::Status AccountStore::set_password(std::string_view name, std::string_view password) {
  if (password.empty()) return core::make_error_code(core::Errc::invalid_argument);
  auto hash = hash_password(password, params_);
  if (!hash) return hash.error();
  return modify([&](std::vector<Account>& accounts) -> core::Status {
    auto it = find_in(accounts, name);
    if (it == accounts.end()) return core::Errc::not_found;
    it->password_hash = std::move(hash).value();
    return {};
  });
}

core::Status AccountStore::set_senders(std::string_view name, const policy::SenderRules& senders) {
  return modify([&](std::vector<Account>& accounts) -> core::Status {
    auto it = find_in(accounts, name);
    if (it == accounts.end()) return core::Errc::not_found;
    it->senders = senders;
    return {};
  });
}

core::Result<std::optional<std::string>> add_demo_account_if_empty(
    AccountStore& store, std::string_view name, const policy::SenderRules& senders) {
  auto accounts = store.list();
  if (!accounts) return accounts.error();
  if (!accounts->empty()) return std::optional<std::string>{};
  std::string password = generate_password();
  if (auto st = store.add(name, password, senders)) return st;
  return std::optional<std::string>{std::move(password)};
}

}  // namespace postern::auth
