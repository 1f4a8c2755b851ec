#pragma once
// auth::Authenticator — checks submission logins (AUTH PLAIN/LOGIN, RFC 4954) for server/.
//
// Contract of check():
//   * Same work whether or not the account exists: an unknown name is verified against a
//     dummy argon2id hash made at construction with the server parameters, so timing does
//     not reveal which accounts exist (smtp-checklist "Password checks take the same time").
//   * Recent successful logins are cached (credential_cache.hpp): a repeated login with the
//     same password skips argon2. A changed password always misses.
//   * Thread-safe; argon2 runs outside the lock, so checks proceed in parallel. It is slow by
//     design (tens of ms, 19 MiB each): call it off the I/O threads.
//   * One verification per credentials at a time: when many connections log in with the same
//     name and password at once (an app's connection pool starting), one runs argon2 and the
//     others wait for its verdict through the cache instead of each spending 19 MiB and tens
//     of ms on the same answer.
//   * Accounts come from the accounts file (replace_stored() on reload) plus an optional
//     extra account from the environment (POSTERN_USER…), hashed at start-up with
//     make_account(). The extra account wins over a stored account of the same name.
// Names are compared exactly. The password is never stored, logged or copied into results.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/account_file.hpp"
#include "auth/credential_cache.hpp"
#include "auth/password_hash.hpp"
#include "core/result.hpp"
#include "policy/sender_rules.hpp"

namespace postern::auth {

struct CheckResult {
  bool ok = false;
  std::string account;          // the account name, when ok
  policy::SenderRules senders;  // its sender rights, when ok (empty otherwise)
};

class Authenticator {
 public:
  using VerifyFn = std::function<bool(std::string_view hash, std::string_view password)>;

  struct Options {
    std::size_t cache_capacity = 1024;  // accounts remembered; 0 disables the cache
    // Parameters of the dummy hash; should match the stored hashes (kServerHashParams).
    HashParams dummy_params = kServerHashParams;
    // The argon2 check. Replaceable so that tests can observe which hash is verified.
    VerifyFn verify = verify_password;
  };

  struct Stats {
    std::uint64_t checks = 0;
    std::uint64_t verifications = 0;        // argon2 runs against a real account's hash
    std::uint64_t dummy_verifications = 0;  // argon2 runs against the dummy (unknown name)
    std::uint64_t cache_hits = 0;
  };

  // Throws std::system_error if the dummy hash cannot be made (start-up only).
  Authenticator(std::vector<Account> stored, std::optional<Account> extra, Options options);
  Authenticator(std::vector<Account> stored, std::optional<Account> extra);
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  [[nodiscard]] CheckResult check(std::string_view user, std::string_view password);

  // Replaces the accounts read from the file (after `postern users …` changed it). The extra
  // account stays. Cache entries of changed passwords stop matching by themselves.
  void replace_stored(std::vector<Account> stored);

  [[nodiscard]] Stats stats() const;
  [[nodiscard]] std::size_t account_count() const;
  // The hash an unknown name is verified against (for tests).
  [[nodiscard]] const std::string& dummy_hash() const { return dummy_hash_; }

 private:
  // REQUIRES: mutex_ held.
  [[nodiscard]] const Account* find_locked(std::string_view user) const;

  Options options_;
  const std::string dummy_hash_;
  mutable std::mutex mutex_;
  std::vector<Account> stored_;   // guarded by mutex_
  std::optional<Account> extra_;  // immutable after construction
  CredentialCache cache_;         // guarded by mutex_
  std::vector<CredentialCache::Mac> in_flight_;  // credentials being verified; guarded by mutex_
  std::condition_variable verified_;             // an in_flight_ entry went away
  std::atomic<std::uint64_t> checks_{0}, verifications_{0}, dummy_verifications_{0}, cache_hits_{0};
};

// An account with a freshly computed hash of `password` (e.g. the environment account at
// start-up). Errc::invalid_argument for a bad name or an empty password.
[[nodiscard]] core::Result<Account> make_account(std::string name, std::string_view password,
                                                 policy::SenderRules senders,
                                                 const HashParams& params = kServerHashParams);

}  // namespace postern::auth
