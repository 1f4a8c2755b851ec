#include "auth/account_file.hpp"

#include <algorithm>

#include "auth/password_hash.hpp"
#include "core/error.hpp"

namespace postern::auth {
namespace {

constexpr std::size_t kMaxNameLength = 255;
constexpr std::string_view kHeader =
    "# postern accounts (format 1): NAME<TAB>ARGON2ID-HASH<TAB>SENDERS. "
    "Edit with `postern users`.\n";

// Splits `line` at tabs; returns false unless there are exactly three fields.
bool split3(std::string_view line, std::string_view (&fields)[3]) {
  for (int i = 0; i < 2; ++i) {
    const std::size_t tab = line.find('\t');
    if (tab == std::string_view::npos) return false;
    fields[i] = line.substr(0, tab);
    line.remove_prefix(tab + 1);
  }
  fields[2] = line;
  return line.find('\t') == std::string_view::npos;
}

// Parses one non-comment line into `account`; returns the reason on failure.
std::string parse_line(std::string_view line, Account& account) {
  std::string_view fields[3];
  if (!split3(line, fields)) return "expected NAME<TAB>HASH<TAB>SENDERS";
  if (auto why = check_account_name(fields[0]); !why.empty()) return "account name " + why;
  if (!is_argon2id_hash(fields[1])) return "password hash is not an argon2id string";
  std::string why;
  auto senders = policy::SenderRules::parse(fields[2], &why);
  if (!senders) return "senders: " + why;
  account = Account{std::string(fields[0]), std::string(fields[1]), std::move(senders).value()};
  return {};
}

}  // namespace

std::string check_account_name(std::string_view name) {
  if (name.empty()) return "is empty";
  if (name.size() > kMaxNameLength) return "is longer than 255 octets";
  if (name.front() == '#') return "must not start with '#'";
  const bool bad = std::any_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
  if (bad) return "contains a space or control character";
  return {};
}

std::string format_accounts(const std::vector<Account>& accounts) {
  std::string out(kHeader);
  for (const Account& a : accounts) {
    out += a.name;
    out += '\t';
    out += a.password_hash;
    out += '\t';
    out += a.senders.to_string();
    out += '\n';
  }
  return out;
}

core::Result<std::vector<Account>> parse_accounts(std::string_view text, std::string* reason) {
  std::vector<Account> accounts;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty() || line.front() == '#') continue;
    Account account;
    std::string why = parse_line(line, account);
    if (why.empty() && std::any_of(accounts.begin(), accounts.end(),
                                   [&](const Account& a) { return a.name == account.name; })) {
      why = "duplicate account name";
    }
    if (!why.empty()) {
      if (reason != nullptr) *reason = "line " + std::to_string(line_no) + ": " + why;
      return core::make_error_code(core::Errc::malformed_input);
    }
    accounts.push_back(std::move(account));
  }
  return accounts;
}

}  // namespace postern::auth
