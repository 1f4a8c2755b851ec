#include "policy/sender_rules.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace postern::policy {
namespace {

// RFC 5321 §4.5.3.1.1 and §4.5.3.1.2.
constexpr std::size_t kMaxLocalPart = 64;
constexpr std::size_t kMaxDomain = 255;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

// Characters never valid in a rule item: controls, space, list and path delimiters.
bool forbidden(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7f || c == ',' || c == '<' || c == '>';
}

// Returns an empty string if `domain` is acceptable, else the reason.
std::string check_domain(std::string_view domain) {
  if (domain.empty()) return "missing domain";
  if (domain.size() > kMaxDomain) return "domain longer than 255 octets";
  if (domain.front() == '.' || domain.back() == '.') return "domain starts or ends with a dot";
  for (char c : domain) {
    if (forbidden(c) || c == '@' || c == '*' || c == '"') return "invalid character in domain";
  }
  return {};
}

std::string check_local(std::string_view local) {
  if (local.empty()) return "missing local part";
  if (local.size() > kMaxLocalPart) return "local part longer than 64 octets";
  for (char c : local) {
    if (forbidden(c)) return "invalid character in local part";
    if (c == '*') return "'*' is only allowed as the whole local part (*@domain) or alone";
  }
  return {};
}

}  // namespace

core::Result<SenderRules> SenderRules::parse(std::string_view list, std::string* reason) {
  SenderRules rules;
  auto fail = [&](std::string_view item, const std::string& why) -> core::Result<SenderRules> {
    if (reason != nullptr) *reason = "'" + std::string(item) + "': " + why;
    return core::make_error_code(core::Errc::invalid_argument);
  };
  if (trim(list).empty()) return rules;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    const std::string_view item = trim(list.substr(start, comma - start));
    start = comma + 1;
    if (item.empty()) return fail(item, "empty entry (stray comma?)");
    if (item == "*") {
      rules.allow_all_ = true;
      continue;
    }
    const std::size_t at = item.rfind('@');
    if (at == std::string_view::npos) return fail(item, "not an address, *@domain or *");
    const std::string_view local = item.substr(0, at);
    const std::string_view domain = item.substr(at + 1);
    Rule rule{.local = {}, .domain = std::string(domain), .any_local = local == "*"};
    if (!rule.any_local) {
      if (auto why = check_local(local); !why.empty()) return fail(item, why);
      rule.local = std::string(local);
    }
    if (auto why = check_domain(domain); !why.empty()) return fail(item, why);
    if (std::find(rules.rules_.begin(), rules.rules_.end(), rule) == rules.rules_.end()) {
      rules.rules_.push_back(std::move(rule));
    }
  }
  if (rules.allow_all_) rules.rules_.clear();  // "*" subsumes the rest
  return rules;
}

SenderRules SenderRules::allow_all() {
  SenderRules rules;
  rules.allow_all_ = true;
  return rules;
}

bool SenderRules::matches_exact(std::string_view local, std::string_view domain) const {
  return std::any_of(rules_.begin(), rules_.end(), [&](const Rule& r) {
    return !r.any_local && r.local == local && iequals(r.domain, domain);
  });
}

bool SenderRules::allows(std::string_view address) const {
  if (address.empty() || allow_all_) return true;  // null path: bounces must always pass
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return false;
  const std::string_view local = address.substr(0, at);
  const std::string_view domain = address.substr(at + 1);
  if (local.empty() || domain.empty()) return false;
  for (const Rule& r : rules_) {
    if (r.any_local && iequals(r.domain, domain)) return true;
  }
  if (matches_exact(local, domain)) return true;
  // Sub-addressing: every prefix that ends before a '+' is a candidate base
  // (alice+a+b may be allowed by alice or by alice+a).
  for (std::size_t plus = local.find('+'); plus != std::string_view::npos;
       plus = local.find('+', plus + 1)) {
    if (plus > 0 && matches_exact(local.substr(0, plus), domain)) return true;
  }
  return false;
}

std::string SenderRules::to_string() const {
  if (allow_all_) return "*";
  std::string out;
  for (const Rule& r : rules_) {
    if (!out.empty()) out += ',';
    out += r.any_local ? std::string("*") : r.local;
    out += '@';
    out += r.domain;
  }
  return out;
}

}  // namespace postern::policy
