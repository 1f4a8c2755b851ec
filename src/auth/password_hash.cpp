#include "auth/password_hash.hpp"

#include <sodium.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace postern::auth {
namespace {

// libsodium wants the encoded hash NUL-terminated inside a crypto_pwhash_STRBYTES buffer.
// Returns false if it does not fit.
bool to_hash_buffer(std::string_view hash, std::array<char, crypto_pwhash_STRBYTES>& buf) {
  if (hash.size() >= buf.size() || hash.find('\0') != std::string_view::npos) return false;
  buf.fill('\0');
  std::memcpy(buf.data(), hash.data(), hash.size());
  return true;
}

}  // namespace

void init_sodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) {
      std::fputs("postern: libsodium failed to initialise\n", stderr);
      std::abort();
    }
  });
}

core::Result<std::string> hash_password(std::string_view password, const HashParams& params) {
  init_sodium();
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), params.opslimit,
                            params.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
  return std::string(out.data());
}

bool verify_password(std::string_view hash, std::string_view password) {
  init_sodium();
  std::array<char, crypto_pwhash_STRBYTES> buf{};
  if (!to_hash_buffer(hash, buf)) return false;
  return crypto_pwhash_str_verify(buf.data(), password.data(), password.size()) == 0;
}

bool is_argon2id_hash(std::string_view hash) {
  init_sodium();
  std::array<char, crypto_pwhash_STRBYTES> buf{};
  if (!hash.starts_with("$argon2id$") || !to_hash_buffer(hash, buf)) return false;
  // needs_rehash parses the whole string: -1 means malformed.
  return crypto_pwhash_str_needs_rehash(buf.data(), crypto_pwhash_OPSLIMIT_MIN,
                                        crypto_pwhash_MEMLIMIT_MIN) != -1;
}

bool needs_rehash(std::string_view hash, const HashParams& params) {
  init_sodium();
  std::array<char, crypto_pwhash_STRBYTES> buf{};
  if (!to_hash_buffer(hash, buf)) return true;
  return crypto_pwhash_str_needs_rehash(buf.data(), params.opslimit, params.memlimit) != 0;
}

std::string generate_password() {
  init_sodium();
  std::array<unsigned char, 15> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::array<char, sodium_base64_ENCODED_LEN(15, kVariant)> text{};
  sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(), kVariant);
  sodium_memzero(bytes.data(), bytes.size());
  std::string password(text.data());
  sodium_memzero(text.data(), text.size());
  return password;
}

}  // namespace postern::auth
