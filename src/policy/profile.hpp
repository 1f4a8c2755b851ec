#pragma once
// policy::ProviderProfile — everything Postern knows about a provider, as data (providers.md;
// architecture "Provider profiles are data"). The shipped profiles are profiles/*.toml,
// embedded into the binary and parsed by config/ (config/profiles.hpp); an operator may
// replace one with upstream.profile_file. The user supplies only credentials.
//
// Limits are planning budgets for the scheduler: it spends them instead of letting every
// message discover a limit by failing. The provider's actual answer is still classified by
// `replies` (policy/classify.hpp).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "policy/classify.hpp"

namespace postern::policy {

// required: STARTTLS with a verified certificate (the only choice off loopback, egress.hpp).
// none: plaintext, allowed only towards a loopback address and only when configured.
enum class UpstreamTls { required, none };

enum class ProfileKind {
  smtp,     // deliver through host:port
  capture,  // no network: keep messages in the local capture mailbox (the default)
};

enum class QuotaUnit { messages, recipients };

enum class QuotaWindow {
  rolling,  // the last `period` (Gmail's rolling 24 h)
  utc_day,  // the calendar day in UTC; `period` is 24 h (SendGrid credits)
};

// At most `count` units per window, e.g. {messages, 500, 24h, rolling} for Gmail or
// {messages, 30, 1min, rolling} for Office 365. SES counts every recipient as a message:
// its quotas use QuotaUnit::recipients.
struct Quota {
  QuotaUnit unit = QuotaUnit::messages;
  std::uint64_t count = 0;
  std::chrono::seconds period{0};
  QuotaWindow window = QuotaWindow::rolling;
  friend bool operator==(const Quota&, const Quota&) = default;
};

struct ProviderProfile {
  std::string name;         // "gmail", "office365", ... (the file name without .toml)
  std::string description;  // one line for `config check` and the docs
  ProfileKind kind = ProfileKind::smtp;
  // Upstream host. After config/ resolved it: a plain host name (placeholders such as
  // ${POSTERN_SES_REGION} substituted, overrides applied). Empty only for capture.
  std::string host;
  std::uint16_t port = 587;
  UpstreamTls tls = UpstreamTls::required;
  // SASL mechanisms to try, in order, among those the server offers: "PLAIN", "LOGIN",
  // "XOAUTH2" (office365: LOGIN, XOAUTH2 — never PLAIN).
  std::vector<std::string> auth_mechanisms;
  // A fixed login name ("apikey" for SendGrid); empty: the user's name is used.
  std::string username;
  std::size_t recipients_per_message = 100;       // RCPT TOs per transaction; more are split
  std::size_t messages_per_connection = 100;      // transactions before QUIT and a new connection
  std::size_t max_connections = 4;                // concurrent connections to the route
  std::optional<std::uint64_t> max_message_size;  // bytes; absent: unknown
  std::vector<Quota> quotas;
  ReplyTable replies;  // the profile's rows, then profiles/defaults.toml's rows

  friend bool operator==(const ProviderProfile&, const ProviderProfile&) = default;
};

// "required" / "none"; "messages" / "recipients"; "rolling" / "utc_day"; "smtp" / "capture".
[[nodiscard]] std::string_view to_string(UpstreamTls tls);
[[nodiscard]] std::string_view to_string(QuotaUnit unit);
[[nodiscard]] std::string_view to_string(QuotaWindow window);
[[nodiscard]] std::string_view to_string(ProfileKind kind);
[[nodiscard]] std::optional<UpstreamTls> parse_upstream_tls(std::string_view name);
[[nodiscard]] std::optional<QuotaUnit> parse_quota_unit(std::string_view name);
[[nodiscard]] std::optional<QuotaWindow> parse_quota_window(std::string_view name);
[[nodiscard]] std::optional<ProfileKind> parse_profile_kind(std::string_view name);

// True for the mechanisms the client side knows: PLAIN, LOGIN, XOAUTH2 (upper case).
[[nodiscard]] bool known_auth_mechanism(std::string_view name);

}  // namespace postern::policy
