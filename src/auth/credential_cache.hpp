#pragma once
// auth::CredentialCache — remembers recent successful logins so an application that logs in
// again with the same password does not pay argon2 each time.
//
// What is kept: per account name, MAC = keyed BLAKE2b(user, password) under a random key made
// once per process (crypto_generichash), plus the password hash the login was verified
// against. Never the password. A lookup recomputes the MAC and compares it in constant time
// (sodium_memcmp); it hits only if the account's current hash is still the one verified, so a
// changed password (or a removed and re-added account) misses and is verified afresh.
//
// Trade-off (documented in docs/config.md): a cached login costs a BLAKE2b instead of
// argon2id. Someone who can read the process memory gets the key and the MACs and could test
// guesses at BLAKE2b speed for the cached accounts only; without memory access the cache
// changes nothing an attacker can observe except that a correct password answers faster,
// which a correct password reveals anyway. Entries are indexed by account name (not by the
// MAC) so that the secret-derived value is only ever compared in constant time. The cache
// holds at most `capacity` accounts (least recently used evicted) and lives until restart.
//
// Not thread-safe: Authenticator guards it with its mutex.

#include <array>
#include <cstddef>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

namespace postern::auth {

class CredentialCache {
 public:
  using Mac = std::array<unsigned char, 32>;

  // capacity 0 disables the cache (every lookup misses, nothing is stored).
  explicit CredentialCache(std::size_t capacity);
  ~CredentialCache();
  CredentialCache(const CredentialCache&) = delete;
  CredentialCache& operator=(const CredentialCache&) = delete;

  // The MAC of a login attempt under this cache's key.
  [[nodiscard]] Mac mac(std::string_view user, std::string_view password) const;

  // True if `user` logged in with the password behind `mac` while its hash was
  // `current_hash`. A stale entry (different hash) is dropped.
  [[nodiscard]] bool hit(std::string_view user, const Mac& mac, std::string_view current_hash);

  // Records a successful verification of `user` against `verified_hash`.
  void remember(std::string_view user, const Mac& mac, std::string verified_hash);

  void clear();
  [[nodiscard]] std::size_t size() const { return index_.size(); }

 private:
  struct Entry {
    std::string user;
    Mac mac;
    std::string verified_hash;
  };
  using Lru = std::list<Entry>;  // most recently used first

  std::size_t capacity_;
  std::array<unsigned char, 32> key_;
  Lru lru_;
  std::unordered_map<std::string_view, Lru::iterator> index_;  // views into Entry::user
};

}  // namespace postern::auth
