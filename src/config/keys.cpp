#include "config/keys.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace postern::config {
namespace {

using namespace keys;

constexpr std::array kAllKeys{
    kDataDir,
    kListen,
    kHostname,
    kIoThreads,
    kTlsCert,
    kTlsKey,
    kLogFormat,
    kUserName,
    kUserPassword,
    kUserPasswordEnv,
    kUserPasswordFile,
    kUserSenders,
    kMaxCommandLine,
    kMaxTextLine,
    kMaxRecipients,
    kMaxMessageSize,
    kMaxLocalPart,
    kMaxDomain,
    kMaxErrors,
    kMaxAuthFailures,
    kUnauthenticatedCommandTimeout,
    kCommandTimeout,
    kDataBlockTimeout,
    kBareLinePolicy,
    kStoreDir,
    kUpstreamProvider,
    kUpstreamProfileFile,
    kUpstreamHost,
    kUpstreamPort,
    kUpstreamTls,
    kUpstreamAuth,
    kUpstreamUser,
    kUpstreamPassword,
    kUpstreamPasswordEnv,
    kUpstreamPasswordFile,
    kUpstreamCaFile,
    kSesRegion,
    kRetrySchedule,
    kRetryJitter,
    kLifetime,
    kMaxConnections,
    kMessagesPerConnection,
    kCaptureLimit,
    kKeepDone,
    kLeaseTime,
    kPollInterval,
    kUpstreamCommandTimeout,
};

constexpr std::array<std::string_view, 7> kSections{"tls",   "log",      "user",    "submission",
                                                    "store", "upstream", "delivery"};

// Levenshtein distance, enough for typo suggestions on short names.
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string KeySpec::dotted() const {
  if (section.empty()) return std::string(key);
  return std::string(section) + "." + std::string(key);
}

std::span<const KeySpec> all_keys() { return kAllKeys; }

std::span<const std::string_view> all_sections() { return kSections; }

const KeySpec* find_toml_key(std::string_view section, std::string_view key) {
  if (key.empty()) return nullptr;
  auto it = std::find_if(kAllKeys.begin(), kAllKeys.end(),
                         [&](const KeySpec& k) { return k.section == section && k.key == key; });
  return it == kAllKeys.end() ? nullptr : &*it;
}

std::string_view closest(std::string_view name, std::span<const std::string_view> candidates) {
  if (name.size() > 64) return {};  // long junk: no suggestion, and no quadratic cost
  std::string_view best;
  std::size_t best_distance = 3;
  for (std::string_view c : candidates) {
    const std::size_t d = distance(name, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace postern::config
