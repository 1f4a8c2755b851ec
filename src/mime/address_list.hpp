#pragma once
// Address lists of originator fields (RFC 5322 §3.4): mailboxes "Name <a@b>", bare addr-specs,
// groups "Team: a@b, c@d;", comments in parentheses, quoted strings with quoted-pairs, and the
// obsolete forms of §4.4 (routes in angle addresses, CFWS around dots, empty list elements).
// UTF-8 is allowed in atoms and quoted strings (RFC 6532 §3.2).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace postern::mime {

struct AddressList {
  // The addr-specs in order, as "local@domain": a quoted local part is unquoted when it is a
  // plain dot-atom ("\"a.b\"@x" gives "a.b@x") and re-quoted minimally otherwise; the domain is
  // as written (case kept); comments and display names are dropped.
  std::vector<std::string> addresses;
  // Something in the list was not a mailbox or group (the valid ones are still reported).
  bool malformed = false;
};

// At most this many addresses are kept; more set `malformed`.
inline constexpr std::size_t kMaxAddresses = 100;

// Parses an unfolded field value. Linear in its size, never throws, total on any input.
[[nodiscard]] AddressList parse_address_list(std::string_view value);

}  // namespace postern::mime
