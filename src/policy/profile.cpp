#include "policy/profile.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace postern::policy {
namespace {

template <class E, std::size_t N>
using Names = std::array<std::pair<E, std::string_view>, N>;

constexpr Names<UpstreamTls, 2> kTls{
    {{UpstreamTls::required, "required"}, {UpstreamTls::none, "none"}}};
constexpr Names<QuotaUnit, 2> kUnits{
    {{QuotaUnit::messages, "messages"}, {QuotaUnit::recipients, "recipients"}}};
constexpr Names<QuotaWindow, 2> kWindows{
    {{QuotaWindow::rolling, "rolling"}, {QuotaWindow::utc_day, "utc_day"}}};
constexpr Names<ProfileKind, 2> kKinds{
    {{ProfileKind::smtp, "smtp"}, {ProfileKind::capture, "capture"}}};
constexpr std::array<std::string_view, 3> kMechanisms{"PLAIN", "LOGIN", "XOAUTH2"};

template <class E, std::size_t N>
std::string_view name_of(const Names<E, N>& names, E value) {
  for (const auto& [v, n] : names) {
    if (v == value) return n;
  }
  return "?";
}

template <class E, std::size_t N>
std::optional<E> value_of(const Names<E, N>& names, std::string_view name) {
  for (const auto& [v, n] : names) {
    if (n == name) return v;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(UpstreamTls tls) { return name_of(kTls, tls); }
std::string_view to_string(QuotaUnit unit) { return name_of(kUnits, unit); }
std::string_view to_string(QuotaWindow window) { return name_of(kWindows, window); }
std::string_view to_string(ProfileKind kind) { return name_of(kKinds, kind); }
std::optional<UpstreamTls> parse_upstream_tls(std::string_view name) {
  return value_of(kTls, name);
}
std::optional<QuotaUnit> parse_quota_unit(std::string_view name) { return value_of(kUnits, name); }
std::optional<QuotaWindow> parse_quota_window(std::string_view name) {
  return value_of(kWindows, name);
}
std::optional<ProfileKind> parse_profile_kind(std::string_view name) {
  return value_of(kKinds, name);
}

bool known_auth_mechanism(std::string_view name) {
  return std::find(kMechanisms.begin(), kMechanisms.end(), name) != kMechanisms.end();
}

}  // namespace postern::policy
