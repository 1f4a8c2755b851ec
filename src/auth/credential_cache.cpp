#include "auth/credential_cache.hpp"

#include <sodium.h>

#include <cstdint>

#include "auth/password_hash.hpp"

namespace postern::auth {
namespace {

void update(crypto_generichash_state& state, std::string_view part) {
  // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
  const std::uint64_t n = part.size();
  unsigned char len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(n >> (8 * i));
  crypto_generichash_update(&state, len, sizeof len);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(part.data()),
                            part.size());
}

}  // namespace

CredentialCache::CredentialCache(std::size_t capacity) : capacity_(capacity) {
  init_sodium();
  crypto_generichash_keygen(key_.data());
}

CredentialCache::~CredentialCache() {
  clear();
  sodium_memzero(key_.data(), key_.size());
}

CredentialCache::Mac CredentialCache::mac(std::string_view user, std::string_view password) const {
  crypto_generichash_state state;
  crypto_generichash_init(&state, key_.data(), key_.size(), Mac{}.size());
  update(state, user);
  update(state, password);
  Mac out{};
  crypto_generichash_final(&state, out.data(), out.size());
  sodium_memzero(&state, sizeof state);
  return out;
}

bool CredentialCache::hit(std::string_view user, const Mac& mac, std::string_view current_hash) {
  auto found = index_.find(user);
  if (found == index_.end()) return false;
  const Lru::iterator entry = found->second;
  if (entry->verified_hash != current_hash) {  // password changed since: forget it
    index_.erase(found);
    lru_.erase(entry);
    return false;
  }
  if (sodium_memcmp(entry->mac.data(), mac.data(), mac.size()) != 0) return false;
  lru_.splice(lru_.begin(), lru_, entry);
  return true;
}

void CredentialCache::remember(std::string_view user, const Mac& mac, std::string verified_hash) {
  if (capacity_ == 0) return;
  if (auto found = index_.find(user); found != index_.end()) {
    const Lru::iterator entry = found->second;
    entry->mac = mac;
    entry->verified_hash = std::move(verified_hash);
    lru_.splice(lru_.begin(), lru_, entry);
    return;
  }
  if (index_.size() >= capacity_) {
    index_.erase(lru_.back().user);
    lru_.pop_back();
  }
  lru_.push_front(Entry{std::string(user), mac, std::move(verified_hash)});
  index_.emplace(lru_.front().user, lru_.begin());
}

void CredentialCache::clear() {
  index_.clear();
  for (Entry& e : lru_) sodium_memzero(e.mac.data(), e.mac.size());
  lru_.clear();
}

}  // namespace postern::auth
