#include "auth/authenticator.hpp"

#include <algorithm>
#include <system_error>

#include "core/error.hpp"

namespace postern::auth {
namespace {

std::string make_dummy_hash(const HashParams& params) {
  // The dummy's password is random and discarded: nothing can match it.
  auto hash = hash_password(generate_password(), params);
  if (!hash) throw std::system_error(hash.error(), "cannot make the dummy password hash");
  return std::move(hash).value();
}

}  // namespace

Authenticator::Authenticator(std::vector<Account> stored, std::optional<Account> extra,
                             Options options)
    : options_(std::move(options)),
      dummy_hash_(make_dummy_hash(options_.dummy_params)),
      stored_(std::move(stored)),
      extra_(std::move(extra)),
      cache_(options_.cache_capacity) {
  if (!options_.verify) options_.verify = verify_password;
}

Authenticator::Authenticator(std::vector<Account> stored, std::optional<Account> extra)
    : Authenticator(std::move(stored), std::move(extra), Options{}) {}

const Account* Authenticator::find_locked(std::string_view user) const {
  if (extra_ && extra_->name == user) return &*extra_;
  auto it = std::find_if(stored_.begin(), stored_.end(),
                         [&](const Account& a) { return a.name == user; });
  return it == stored_.end() ? nullptr : &*it;
}

CheckResult Authenticator::check(std::string_view user, std::string_view password) {
  ++checks_;
  const CredentialCache::Mac mac = cache_.mac(user, password);  // the key is immutable
  std::optional<Account> account;
  {
    std::unique_lock lock(mutex_);
    for (;;) {
      const Account* found = find_locked(user);
      if (found == nullptr) break;
      if (cache_.hit(user, mac, found->password_hash)) {
        ++cache_hits_;
        return CheckResult{true, found->name, found->senders};
      }
      if (std::find(in_flight_.begin(), in_flight_.end(), mac) == in_flight_.end()) {
        in_flight_.push_back(mac);
        account = *found;  // copied: argon2 runs unlocked, the store may change meanwhile
        break;
      }
      verified_.wait(lock);  // the same credentials are being verified: wait for the verdict
    }
  }
  if (!account) {
    ++dummy_verifications_;
    (void)options_.verify(dummy_hash_, password);  // equal work for unknown names
    return CheckResult{};
  }
  ++verifications_;
  const bool ok = options_.verify(account->password_hash, password);
  {
    std::lock_guard lock(mutex_);
    if (ok) cache_.remember(user, mac, account->password_hash);
    std::erase(in_flight_, mac);
  }
  verified_.notify_all();
  if (!ok) return CheckResult{};
  return CheckResult{true, std::move(account->name), std::move(account->senders)};
}

void Authenticator::replace_stored(std::vector<Account> stored) {
  std::lock_guard lock(mutex_);
  stored_ = std::move(stored);
}

Authenticator::Stats Authenticator::stats() const {
  return Stats{checks_.load(), verifications_.load(), dummy_verifications_.load(),
               cache_hits_.load()};
}

std::size_t Authenticator::account_count() const {
  std::lock_guard lock(mutex_);
  std::size_t n = stored_.size();
  if (extra_ && std::none_of(stored_.begin(), stored_.end(),
                             [&](const Account& a) { return a.name == extra_->name; })) {
    ++n;
  }
  return n;
}

core::Result<Account> make_account(std::string name, std::string_view password,
                                   policy::SenderRules senders, const HashParams& params) {
  if (!check_account_name(name).empty() || password.empty()) {
    return core::make_error_code(core::Errc::invalid_argument);
  }
  auto hash = hash_password(password, params);
  if (!hash) return hash.error();
  return Account{std::move(name), std::move(hash).value(), std::move(senders)};
}

}  // namespace postern::auth
