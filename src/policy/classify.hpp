#pragma once
// policy::classify — what an upstream reply means, by the provider's table, not by its first
// digit (providers.md "Replies that do not mean what their first digit says"; architecture
// "Reply codes are classified by a table").
//
// A ReplyTable is data (profiles/*.toml, [[reply]] rows): the profile's own rows, then the
// common rows of profiles/defaults.toml. classify() takes the first row that matches; when no
// row matches, a built-in last resort applies (2xx/3xx delivered, 4xx temporary, 5xx
// permanent, anything else temporary with back-off), so even an empty table is safe.
//
// Matching a row (every given condition must hold; an empty list means "any"):
//   codes          patterns of three characters, digit or 'x' ("550", "4xx", "5xx"); any of.
//   text_prefixes  ASCII-case-insensitive prefixes of the reply text (the enhanced code comes
//                  first: "5.4.5"); any of. A prefix ending in a digit must end at a digit
//                  boundary, so "5.4.5" does not match "5.4.50".
//   text_contains  ASCII-case-insensitive substrings of the whole text (lines joined by a
//                  space); any of.
//   phases         the command the reply answered; any of.
// Replies 200-399 never consult the table: they are always `delivered` (for phases before the
// final dot that means "accepted, go on").

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtp/reply.hpp"

namespace postern::policy {

// The command a reply answers. `connect` is the greeting.
enum class Phase { connect, ehlo, starttls, auth, mail, rcpt, data, final_dot };

// What happens to the message (or to the recipient, for RCPT replies).
enum class Outcome {
  delivered,  // 2xx/3xx: accepted (at final_dot: delivered)
  temporary,  // keep the message, retry later
  permanent,  // fail it: one DSN to the sender (mime/dsn.hpp)
};

// What happens to the route (the upstream) as a whole.
enum class RouteEffect {
  none,
  slow_down,           // lower the route's sending rate, then retry
  pause_until_window,  // no sending until the quota window frees (see pause / utc_day_reset)
  back_off,            // temporary trouble at the provider: wait before the next connection
  auth_broken,         // credentials refused: no more logins, a probe with backoff, alert
  reduce_concurrency,  // too many connections: lower the route's connection count
};

struct Classification {
  Outcome outcome = Outcome::temporary;
  RouteEffect route_effect = RouteEffect::none;
  // For pause_until_window and back_off: how long the route waits (0: the scheduler's own
  // default). For the others ignored.
  std::chrono::seconds pause{0};
  // pause_until_window: the window is the UTC calendar day (SendGrid credits); the route
  // waits until the next 00:00 UTC instead of `pause`.
  bool until_utc_day_reset = false;
  // 452 4.5.3: the recipient list was too long; send the rest in another transaction.
  bool split_recipients = false;
  // False for quota and throttling deferrals and route problems (auth broken, too many
  // connections): the message is not at fault, so its attempt count must not grow and its
  // next attempt follows the route's window instead of the retry schedule.
  bool consumes_attempt = true;
  // The operator must act (route stopped, credentials refused): log loudly, raise an alert.
  bool alert = false;
  // Short, for logs and events; never holds a secret (the reply is logged separately).
  std::string reason;

  friend bool operator==(const Classification&, const Classification&) = default;
};

struct ReplyMatch {
  std::vector<std::string> codes;
  std::vector<std::string> text_prefixes;
  std::vector<std::string> text_contains;
  std::vector<Phase> phases;
  friend bool operator==(const ReplyMatch&, const ReplyMatch&) = default;
};

struct ReplyRule {
  ReplyMatch match;
  Classification action;
  friend bool operator==(const ReplyRule&, const ReplyRule&) = default;
};

struct ReplyTable {
  std::vector<ReplyRule> rules;  // first match wins
  friend bool operator==(const ReplyTable&, const ReplyTable&) = default;
};

// True if `rule` matches `reply` answered in `phase`.
[[nodiscard]] bool matches(const ReplyMatch& match, const smtp::Reply& reply, Phase phase);

// The classification of `reply`: the first matching row's action, else the last resort.
[[nodiscard]] Classification classify(const ReplyTable& table, const smtp::Reply& reply,
                                      Phase phase);

// When a route paused by `c` may send again, counted from `now`: the next 00:00 UTC for
// until_utc_day_reset, else now + pause. REQUIRES: c.route_effect is pause_until_window or
// back_off.
[[nodiscard]] std::chrono::system_clock::time_point route_resume_at(
    const Classification& c, std::chrono::system_clock::time_point now);

// Names as written in profiles/*.toml ("final_dot", "pause_until_window", ...).
[[nodiscard]] std::string_view to_string(Phase phase);
[[nodiscard]] std::string_view to_string(Outcome outcome);
[[nodiscard]] std::string_view to_string(RouteEffect effect);
[[nodiscard]] std::optional<Phase> parse_phase(std::string_view name);
[[nodiscard]] std::optional<Outcome> parse_outcome(std::string_view name);
[[nodiscard]] std::optional<RouteEffect> parse_route_effect(std::string_view name);
// True if `pattern` is three characters, each a digit or 'x', the first 2-5 or 'x'.
[[nodiscard]] bool valid_code_pattern(std::string_view pattern);

}  // namespace postern::policy
