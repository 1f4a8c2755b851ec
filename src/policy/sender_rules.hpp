#pragma once
// policy::SenderRules — which envelope senders (MAIL FROM) an account may use
// (smtp-checklist "Sender rights"; architecture invariant 3).
//
// A rule list is written as a comma list, e.g. "alice@example.com, *@example.org":
//   local@domain   that exact address. The local part is compared case-sensitively, as
//                  RFC 5321 §2.4 requires of everyone but the mailbox's own host; the domain is
//                  compared ASCII-case-insensitively (domains are case-insensitive, §2.4).
//                  Sub-addresses are allowed on top: alice@example.com also allows
//                  alice+news@example.com (and alice+a+b@example.com).
//   *@domain       any local part at that domain (domain case-insensitive). Sub-domains are
//                  NOT included: *@example.org does not allow bob@eu.example.org.
//   *              any sender at all. Meant for trusted applications that send on behalf of
//                  many addresses; the provider's own sender checks still apply.
// The null reverse-path "" (bounces, RFC 5321 §4.5.5) is always allowed.
//
// Comparison is textual: a quoted local part ("alice"@example.com) is not recognised as
// equal to its unquoted form, so it is refused unless listed as written. That errs on the
// side of refusing.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace postern::policy {

class SenderRules {
 public:
  // No rules: only the null sender is allowed.
  SenderRules() = default;

  // Parses a comma list (items trimmed of spaces and tabs). An empty or blank list gives no
  // rules. On a malformed item returns Errc::invalid_argument and, if `reason` is not null,
  // stores a one-line explanation naming the item (addresses are not secrets).
  [[nodiscard]] static core::Result<SenderRules> parse(std::string_view list,
                                                       std::string* reason = nullptr);

  // A list allowing every sender ("*").
  [[nodiscard]] static SenderRules allow_all();

  // True if an account with these rules may use `address` (a reverse-path without <>;
  // "" is the null path) as envelope sender.
  [[nodiscard]] bool allows(std::string_view address) const;

  // True for "*".
  [[nodiscard]] bool allows_any() const { return allow_all_; }
  // True if no rule is present (only the null sender is allowed).
  [[nodiscard]] bool empty() const { return !allow_all_ && rules_.empty(); }

  // The canonical comma list, without spaces ("*" alone when allows_any()); parse() of it
  // gives equal rules. Domains are kept as written.
  [[nodiscard]] std::string to_string() const;

  friend bool operator==(const SenderRules&, const SenderRules&) = default;

 private:
  struct Rule {
    std::string local;   // empty for *@domain
    std::string domain;  // as written; compared case-insensitively
    bool any_local = false;
    friend bool operator==(const Rule&, const Rule&) = default;
  };

  [[nodiscard]] bool matches_exact(std::string_view local, std::string_view domain) const;

  bool allow_all_ = false;
  std::vector<Rule> rules_;
};

}  // namespace postern::policy
