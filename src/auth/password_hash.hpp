#pragma once
// Password hashing for submission accounts: argon2id through libsodium (crypto_pwhash_str,
// RFC 9106). Hashes are self-describing strings ("$argon2id$v=19$m=19456,t=2,p=1$salt$hash"),
// so the parameters used for an account travel with its hash and verification needs none.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace postern::auth {

struct HashParams {
  std::uint64_t opslimit;  // argon2 passes over memory (t)
  std::size_t memlimit;    // bytes of memory (m)
};

// Server parameters: t = 2, m = 19 MiB (p = 1, fixed by libsodium). This is the OWASP Password
// Storage Cheat Sheet's baseline for argon2id. Why not libsodium's INTERACTIVE (t = 2, 64 MiB):
// a relay verifies logins for many applications at once, and memory is paid per concurrent
// verification, so 19 MiB keeps a burst of 50 logins (say every app reconnecting after a
// restart) under 1 GiB while still costing an attacker ~19 MiB per guess on a GPU. One
// verification takes a few tens of milliseconds on one core; Authenticator's cache spares the
// cost for an application that logs in again with the same password.
inline constexpr HashParams kServerHashParams{2, std::size_t{19} * 1024 * 1024};

// The cheapest parameters libsodium accepts. For tests only: never for stored accounts.
inline constexpr HashParams kTestHashParams{1, 8192};

// Initialises libsodium once; thread-safe and idempotent. Every function here calls it, so
// callers need not. Aborts if libsodium cannot initialise (no usable randomness source).
void init_sodium();

// Hashes `password` with argon2id and a random salt. Fails (std::errc::not_enough_memory)
// only if the memory for `params` cannot be allocated.
[[nodiscard]] core::Result<std::string> hash_password(std::string_view password,
                                                      const HashParams& params = kServerHashParams);

// True if `password` matches `hash` (a string made by hash_password). A malformed hash is
// simply a mismatch. Takes the time the hash's own parameters dictate.
[[nodiscard]] bool verify_password(std::string_view hash, std::string_view password);

// True if `hash` is well formed and was made by argon2id (what the account file accepts).
[[nodiscard]] bool is_argon2id_hash(std::string_view hash);

// True if `hash` was made with parameters other than `params` (re-hash on next password set).
[[nodiscard]] bool needs_rehash(std::string_view hash,
                                const HashParams& params = kServerHashParams);

// A fresh random password: 20 characters of base64url (RFC 4648 §5) from 15 random bytes
// (120 bits). Used for the demo account that `serve` creates when there is none.
[[nodiscard]] std::string generate_password();

}  // namespace postern::auth
