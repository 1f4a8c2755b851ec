// The [upstream] section and POSTERN_PROVIDER / POSTERN_UPSTREAM_* / POSTERN_SES_REGION: the
// provider profile, resolved and checked against the egress rule (architecture invariant 4),
// and its credentials (read like the account's: never from the file itself).

#include <arpa/inet.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "config/profiles.hpp"
#include "config/secrets.hpp"
#include "config/settings_readers.hpp"
#include "config/value_parsers.hpp"
#include "policy/egress.hpp"

namespace postern::config {
namespace {

using namespace keys;

// Where the profile came from, for naming it in errors about its data.
struct Chosen {
  policy::ProviderProfile profile;
  std::string key;  // the provider or profile_file key as the operator wrote it
  bool from_env = false;
  std::optional<std::filesystem::path> file;
};

std::string name_of(const KeySpec& key, bool env) {
  return env ? std::string(key.env) : key.dotted();
}

// The first [upstream] setting other than the provider and profile file, or nullopt.
std::optional<std::string> other_upstream_setting(const Sources& s) {
  for (const KeySpec& k : all_keys()) {
    if (k.section != "upstream" || k.key == kUpstreamProvider.key ||
        k.key == kUpstreamProfileFile.key) {
      continue;
    }
    if (auto v = s.get(k)) return v->name;
  }
  return std::nullopt;
}

std::string read_text_file(const RawValue& value) {
  const std::filesystem::path path = require_regular_file(value);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in || in.bad()) fail(value.name, "cannot read " + path.string());
  return text.str();
}

std::optional<Chosen> choose_profile(const Sources& s) {
  const auto provider = read_string(s, kUpstreamProvider);
  const auto file = read_string(s, kUpstreamProfileFile);
  if (file) {
    Chosen c{parse_profile(read_text_file(*file), file->text), file->name, file->from_env,
             std::filesystem::path(file->text)};
    if (provider && provider->text != c.profile.name) {
      fail(provider->name,
           "is " + provider->text + " but " + file->name + " defines profile " + c.profile.name);
    }
    return c;
  }
  if (!provider) {
    if (auto other = other_upstream_setting(s)) {
      fail(*other,
           "set without a provider: set POSTERN_PROVIDER (or upstream.provider) to one "
           "of the profiles, or custom for any other submission server");
    }
    return std::nullopt;  // capture mode, the default
  }
  return Chosen{builtin_profile(provider->text, provider->name), provider->name, provider->from_env,
                std::nullopt};
}

bool valid_region(std::string_view region) {
  return !region.empty() && region.size() <= 32 &&
         std::all_of(region.begin(), region.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

// Replaces ${VAR} in the profile's host by the setting whose variable is VAR
// (POSTERN_SES_REGION in the ses profile); a missing setting is an error naming VAR.
std::string resolve_host(const Sources& s, const Chosen& chosen, UpstreamSettings& up) {
  std::string host = chosen.profile.host;
  const std::size_t start = host.find("${");
  if (start == std::string::npos) return host;
  const std::size_t end = host.find('}', start);
  const std::string var = end == std::string::npos ? "" : host.substr(start + 2, end - start - 2);
  if (var != kSesRegion.env) fail(chosen.key, "the profile's host has an unknown placeholder");
  const auto region = read_string(s, kSesRegion);
  if (!region) {
    fail(std::string(kSesRegion.env),
         "required by provider " + chosen.profile.name +
             ": the AWS region of the SES SMTP endpoint, e.g. eu-west-1 (or upstream.ses_region)");
  }
  if (!valid_region(region->text)) fail(region->name, "must be an AWS region like eu-west-1");
  up.ses_region = region->text;
  return host.replace(start, end - start + 1, region->text);
}

bool valid_host(const std::string& host) {
  unsigned char v6[sizeof(in6_addr)];
  return check_hostname(host).empty() || ::inet_pton(AF_INET6, host.c_str(), v6) == 1;
}

void read_endpoint(const Sources& s, const Chosen& chosen, UpstreamSettings& up) {
  policy::ProviderProfile& p = up.profile;
  if (auto host = read_string(s, kUpstreamHost)) {
    if (!valid_host(host->text)) fail(host->name, "must be a host name or an IP address");
    p.host = host->text;
    up.host_set = true;
  } else if (p.host.empty()) {
    fail(name_of(kUpstreamHost, chosen.from_env),
         "required by provider " + p.name + " (the submission server's host name)");
  } else {
    p.host = resolve_host(s, chosen, up);
  }
  const auto port = s.get(kUpstreamPort);
  if (port) {
    p.port = static_cast<std::uint16_t>(read_count(s, kUpstreamPort, p.port, {1, 65535, {}}));
    up.port_set = true;
  }
  const auto tls = s.get(kUpstreamTls);
  if (auto mode = read_choice(s, kUpstreamTls, {"required", "none"})) {
    p.tls = *policy::parse_upstream_tls(*mode);
    up.tls_set = true;
  }
  up.loopback = policy::is_loopback_host(p.host);
  if (auto violation = policy::check_egress(p.host, p.port, p.tls, up.loopback)) {
    const bool about_tls = violation->error == policy::EgressError::plaintext_not_loopback;
    const auto& explicit_value = about_tls ? tls : port;
    fail(explicit_value ? explicit_value->name : chosen.key, violation->message);
  }
}

void read_auth(const Sources& s, policy::ProviderProfile& p, UpstreamSettings& up) {
  auto value = s.get(kUpstreamAuth);
  if (!value) return;
  std::vector<std::string> items =
      *read_string_list(s, kUpstreamAuth, "a comma list or an array of strings");
  for (std::string& m : items) {
    std::transform(m.begin(), m.end(), m.begin(), [](char c) {
      return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    });
    if (!policy::known_auth_mechanism(m)) {
      fail(value->name, "mechanisms are PLAIN, LOGIN and XOAUTH2 (comma list)");
    }
  }
  if (items.empty()) fail(value->name, "must name at least one mechanism");
  p.auth_mechanisms = std::move(items);
  up.auth_set = true;
}

void read_credentials(const Sources& s, const Chosen& chosen, UpstreamSettings& up) {
  auto password =
      read_password(s, {kUpstreamPassword, kUpstreamPasswordFile, kUpstreamPasswordEnv});
  const auto user = read_string(s, kUpstreamUser);
  if (user) {
    const bool bad = std::any_of(user->text.begin(), user->text.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
    if (user->text.empty() || user->text.size() > 255 || bad) {
      fail(user->name, "must be 1-255 octets without control characters");
    }
  }
  up.user = user ? user->text : up.profile.username;
  const bool env = chosen.from_env;
  if (password && up.user.empty()) {
    fail(name_of(kUpstreamUser, password->from_env), "required when " + password->key + " is set");
  }
  if (!password && (user || !up.loopback)) {
    const std::string why = user ? "required when " + user->name + " is set"
                                 : "required by provider " + up.profile.name;
    fail(name_of(env ? kUpstreamPassword : kUpstreamPasswordEnv, env),
         why + " (or " + name_of(kUpstreamPasswordFile, env) + ")");
  }
  if (password) {
    up.password = std::move(password->password);
    up.password_source = std::move(password->source);
  }
  if (auto ca = read_string(s, kUpstreamCaFile)) up.ca_file = require_regular_file(*ca);
}

}  // namespace

std::optional<UpstreamSettings> read_upstream(const Sources& s, const DeliverySettings& delivery) {
  auto chosen = choose_profile(s);
  if (!chosen) return std::nullopt;
  if (chosen->profile.kind == policy::ProfileKind::capture) {
    if (auto other = other_upstream_setting(s)) {
      fail(*other, "not used by provider capture (capture mode sends nothing)");
    }
    return std::nullopt;
  }
  UpstreamSettings up;
  up.profile = chosen->profile;
  up.profile_file = chosen->file;
  read_endpoint(s, *chosen, up);
  read_auth(s, up.profile, up);
  read_credentials(s, *chosen, up);
  if (delivery.max_connections) up.profile.max_connections = *delivery.max_connections;
  if (delivery.messages_per_connection) {
    up.profile.messages_per_connection = *delivery.messages_per_connection;
  }
  return up;
}

}  // namespace postern::config
