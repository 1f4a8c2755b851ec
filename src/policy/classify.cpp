#include "policy/classify.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace postern::policy {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

bool code_matches(std::string_view pattern, int code) {
  if (pattern.size() != 3 || code < 100 || code > 999) return false;
  const std::array<char, 3> digits{static_cast<char>('0' + code / 100),
                                   static_cast<char>('0' + code / 10 % 10),
                                   static_cast<char>('0' + code % 10)};
  for (std::size_t i = 0; i < 3; ++i) {
    if (pattern[i] != 'x' && pattern[i] != digits[i]) return false;
  }
  return true;
}

// The first line of the reply, for prefix matching.
std::string_view first_line(std::string_view text) { return text.substr(0, text.find('\n')); }

bool prefix_matches(std::string_view prefix, std::string_view text) {
  if (prefix.empty() || text.size() < prefix.size()) return prefix.empty();
  if (!iequals(prefix, text.substr(0, prefix.size()))) return false;
  // "5.4.5" must not match "5.4.50": a prefix ending in a digit ends at a digit boundary.
  return !is_digit(prefix.back()) || text.size() == prefix.size() || !is_digit(text[prefix.size()]);
}

bool contains(std::string_view needle, std::string_view text) {
  if (needle.empty()) return true;
  const auto it =
      std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char x, char y) {
        const char a = x == '\n' ? ' ' : x;  // lines of a multi-line reply are joined by a space
        return lower(a) == lower(y);
      });
  return it != text.end();
}

template <class T, class Pred>
bool any_or_empty(const std::vector<T>& items, Pred pred) {
  return items.empty() || std::any_of(items.begin(), items.end(), pred);
}

Classification make(Outcome outcome, RouteEffect effect, bool consumes, std::string reason) {
  Classification c;
  c.outcome = outcome;
  c.route_effect = effect;
  c.consumes_attempt = consumes;
  c.reason = std::move(reason);
  return c;
}

// Used when no row matched: RFC 5321 §4.2.1 reply classes.
Classification last_resort(int code) {
  if (code >= 200 && code <= 399)
    return make(Outcome::delivered, RouteEffect::none, false, "accepted");
  if (code >= 400 && code <= 499)
    return make(Outcome::temporary, RouteEffect::none, true, "temporary failure (4xx)");
  if (code >= 500 && code <= 599)
    return make(Outcome::permanent, RouteEffect::none, true, "permanent failure (5xx)");
  // No reply at all (code 0) or a code outside the classes: the message is not at fault.
  return make(Outcome::temporary, RouteEffect::back_off, true, "no valid reply from the provider");
}

constexpr std::array<std::pair<Phase, std::string_view>, 8> kPhases{{
    {Phase::connect, "connect"},
    {Phase::ehlo, "ehlo"},
    {Phase::starttls, "starttls"},
    {Phase::auth, "auth"},
    {Phase::mail, "mail"},
    {Phase::rcpt, "rcpt"},
    {Phase::data, "data"},
    {Phase::final_dot, "final_dot"},
}};
constexpr std::array<std::pair<Outcome, std::string_view>, 3> kOutcomes{{
    {Outcome::delivered, "delivered"},
    {Outcome::temporary, "temporary"},
    {Outcome::permanent, "permanent"},
}};
constexpr std::array<std::pair<RouteEffect, std::string_view>, 6> kEffects{{
    {RouteEffect::none, "none"},
    {RouteEffect::slow_down, "slow_down"},
    {RouteEffect::pause_until_window, "pause_until_window"},
    {RouteEffect::back_off, "back_off"},
    {RouteEffect::auth_broken, "auth_broken"},
    {RouteEffect::reduce_concurrency, "reduce_concurrency"},
}};

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& names, E value) {
  for (const auto& [v, n] : names) {
    if (v == value) return n;
  }
  return "?";
}

template <class E, std::size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& names,
                          std::string_view name) {
  for (const auto& [v, n] : names) {
    if (n == name) return v;
  }
  return std::nullopt;
}

}  // namespace

bool matches(const ReplyMatch& match, const smtp::Reply& reply, Phase phase) {
  const std::string_view line = first_line(reply.text);
  return any_or_empty(match.codes,
                      [&](const std::string& p) { return code_matches(p, reply.code); }) &&
         any_or_empty(match.text_prefixes,
                      [&](const std::string& p) { return prefix_matches(p, line); }) &&
         any_or_empty(match.text_contains,
                      [&](const std::string& s) { return contains(s, reply.text); }) &&
         any_or_empty(match.phases, [&](Phase p) { return p == phase; });
}

Classification classify(const ReplyTable& table, const smtp::Reply& reply, Phase phase) {
  if (reply.code >= 200 && reply.code <= 399) return last_resort(reply.code);
  for (const ReplyRule& rule : table.rules) {
    if (matches(rule.match, reply, phase)) return rule.action;
  }
  return last_resort(reply.code);
}

std::chrono::system_clock::time_point route_resume_at(const Classification& c,
                                                      std::chrono::system_clock::time_point now) {
  if (c.until_utc_day_reset) {
    // system_clock counts Unix time, whose days start at 00:00 UTC.
    const auto today = std::chrono::floor<std::chrono::days>(now);
    return today + std::chrono::days(1);
  }
  return now + c.pause;
}

std::string_view to_string(Phase phase) { return name_of(kPhases, phase); }
std::string_view to_string(Outcome outcome) { return name_of(kOutcomes, outcome); }
std::string_view to_string(RouteEffect effect) { return name_of(kEffects, effect); }
std::optional<Phase> parse_phase(std::string_view name) { return value_of(kPhases, name); }
std::optional<Outcome> parse_outcome(std::string_view name) { return value_of(kOutcomes, name); }
std::optional<RouteEffect> parse_route_effect(std::string_view name) {
  return value_of(kEffects, name);
}

bool valid_code_pattern(std::string_view pattern) {
  if (pattern.size() != 3) return false;
  if (pattern[0] != 'x' && (pattern[0] < '2' || pattern[0] > '5')) return false;
  return std::all_of(pattern.begin(), pattern.end(),
                     [](char c) { return c == 'x' || is_digit(c); });
}

}  // namespace postern::policy
