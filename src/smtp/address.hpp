#pragma once
// MAIL FROM / RCPT TO arguments (RFC 5321 §4.1.1.2-3, §4.1.2 grammar), with the parameters of
// SIZE (RFC 1870), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531) and AUTH= (RFC 4954 §5).
//
// Choices (documented in tests/smtp/address_test.cpp too):
// - Spaces between "FROM:"/"TO:" and "<" are tolerated (a common client habit; unambiguous).
// - Source routes (`<@a,@b:user@d>`) are accepted and stripped (§4.1.1.3 says a server SHOULD
//   accept and MAY ignore them); each route domain must still be a valid Domain.
// - UTF-8 (well-formed, RFC 3629) is allowed in the local part and in domain labels only when
//   the transaction carries SMTPUTF8 (RFC 6531 §3.3); otherwise 553 5.6.7. U-labels are not
//   checked against IDNA2008.
// - Address literals: IPv4 and "IPv6:" (§4.1.3); general literals are refused, no tag being
//   registered. `<Postmaster>` without a domain is refused: a submission server relays only.
// - Lengths: local part (as written, quotes included) and domain (or literal) in octets.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "smtp/reply.hpp"

namespace postern::smtp {

struct AddressLimits {
  std::size_t max_local_part = 64;                  // §4.5.3.1.1
  std::size_t max_domain = 255;                     // §4.5.3.1.2
  std::size_t max_message_size = 25 * 1024 * 1024;  // SIZE= above this: 552 5.3.4
};

struct MailFrom {
  std::string reverse_path;  // mailbox without <> and route; "" for the null path <>
  bool body_8bitmime = false;
  bool smtputf8 = false;
  std::optional<std::size_t> size;

  friend bool operator==(const MailFrom&, const MailFrom&) = default;
};

struct RcptTo {
  std::string forward_path;  // mailbox without <> and route

  friend bool operator==(const RcptTo&, const RcptTo&) = default;
};

// `argument` is what follows "MAIL " (e.g. "FROM:<a@b> SIZE=10"). `esmtp` is false after
// HELO: then no parameter is accepted (RFC 5321 §4.1.1.2, parameters are EHLO extensions).
[[nodiscard]] std::variant<MailFrom, Reply> parse_mail_from(std::string_view argument,
                                                            const AddressLimits& limits,
                                                            bool esmtp = true);

// `argument` is what follows "RCPT ". `smtputf8` is the SMTPUTF8 flag of the transaction.
[[nodiscard]] std::variant<RcptTo, Reply> parse_rcpt_to(std::string_view argument,
                                                        const AddressLimits& limits, bool smtputf8);

// Domain (§4.1.2: sub-domain *("." sub-domain)), ASCII only.
[[nodiscard]] bool is_valid_domain(std::string_view domain);

// address-literal including the brackets (§4.1.3): "[192.0.2.1]", "[IPv6:2001:db8::1]".
[[nodiscard]] bool is_valid_address_literal(std::string_view literal);

}  // namespace postern::smtp
