#pragma once
// Internal to smtp/address.cpp: the Path grammar of RFC 5321 §4.1.2, shared by MAIL and RCPT.
//   Path = "<" [ A-d-l ":" ] Mailbox ">"     Mailbox = Local-part "@" ( Domain / address-literal )
// UTF-8 (RFC 6531 §3.3) is parsed wherever it may appear and reported, so the caller decides.

#include <cstddef>
#include <string>
#include <string_view>

namespace postern::smtp::detail {

struct Path {
  bool ok = false;         // syntactically valid (UTF-8, if any, well-formed)
  bool null = false;       // "<>"
  bool non_ascii = false;  // holds UTF-8: allowed only with SMTPUTF8
  std::string mailbox;     // Local-part "@" domain, route stripped
  std::size_t local_part_length = 0;
  std::size_t domain_length = 0;
  std::string_view rest;  // what follows ">"
};

// Parses a path at the start of `text`. `allow_null` admits "<>" (reverse-path only).
[[nodiscard]] Path parse_path(std::string_view text, bool allow_null);

// Domain with U-labels admitted: non-ASCII octets count as letters (UTF-8 checked elsewhere).
[[nodiscard]] bool is_valid_domain_utf8(std::string_view domain);

}  // namespace postern::smtp::detail
