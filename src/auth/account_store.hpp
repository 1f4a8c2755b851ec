#pragma once
// auth::AccountStore — the submission accounts in `<data_dir>/accounts` (format in
// account_file.hpp), managed by `postern users add/remove/list/passwd` and read by `serve`.
//
// Every change is a locked read-modify-write: take an flock on `<file>.lock`, re-read the
// file, change it, replace it atomically (temp file, fsync, rename, fsync the directory) with
// mode 0600. So two `postern users` commands never lose each other's change, and a crash
// leaves either the old or the new file. A running `serve` sees changes only when it reloads
// (Authenticator::replace_stored).
//
// Passwords given here are hashed with argon2id (password_hash.hpp) and never stored or
// returned; they are not copied beyond the hashing call.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/account_file.hpp"
#include "auth/password_hash.hpp"
#include "core/result.hpp"
#include "policy/sender_rules.hpp"

namespace postern::auth {

class AccountStore {
 public:
  // `file` is the accounts file, usually default_path(data_dir). Nothing is touched here.
  // `params` are used for new hashes (tests pass kTestHashParams).
  explicit AccountStore(std::filesystem::path file, HashParams params = kServerHashParams);

  [[nodiscard]] static std::filesystem::path default_path(const std::filesystem::path& data_dir);
  [[nodiscard]] const std::filesystem::path& path() const { return file_; }

  // All accounts in file order; a missing file is an empty list. Errc::malformed_input for a
  // bad file, with "FILE: line N: what" in `reason` if given; errno values for I/O failures.
  [[nodiscard]] core::Result<std::vector<Account>> list(std::string* reason = nullptr) const;
  // Errc::not_found if there is no such account.
  [[nodiscard]] core::Result<Account> find(std::string_view name) const;

  // Errc::already_exists; Errc::invalid_argument for a bad name or an empty password.
  // The data directory is created (mode 0700) if missing.
  [[nodiscard]] core::Status add(std::string_view name, std::string_view password,
                                 const policy::SenderRules& senders);
  // Errc::not_found.
  [[nodiscard]] core::Status remove(std::string_view name);
  // Errc::not_found; Errc::invalid_argument for an empty password.
  [[nodiscard]] core::Status set_password(std::string_view name, std::string_view password);
  // Errc::not_found.
  [[nodiscard]] core::Status set_senders(std::string_view name, const policy::SenderRules& senders);

 private:
  template <class Change>
  core::Status modify(Change change);

  std::filesystem::path file_;
  HashParams params_;
};

// For `serve` on first run: if the store holds no account, adds `name` with a fresh
// generate_password() and `senders`, and returns that password so the caller prints it once
// (it is not recoverable afterwards). Returns std::nullopt if accounts exist. The caller
// checks first that no account comes from the environment either.
[[nodiscard]] core::Result<std::optional<std::string>> add_demo_account_if_empty(
    AccountStore& store, std::string_view name = "demo",
    const policy::SenderRules& senders = policy::SenderRules::allow_all());

}  // namespace postern::auth
