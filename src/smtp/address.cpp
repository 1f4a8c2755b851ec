#include "smtp/address.hpp"

#include <charconv>
#include <vector>

#include "smtp/path_parser.hpp"
#include "smtp/replies.hpp"
#include "smtp/text.hpp"

namespace postern::smtp {
namespace {

// esmtp-param = esmtp-keyword ["=" esmtp-value] (RFC 5321 §4.1.2)
struct Param {
  std::string_view keyword;
  std::optional<std::string_view> value;
};

bool is_keyword(std::string_view k) {
  if (k.empty() || !is_alnum(k.front())) return false;
  for (char c : k) {
    if (!is_alnum(c) && c != '-') return false;
  }
  return true;
}

// esmtp-value = 1*(%d33-60 / %d62-126): no "=", SP, controls or non-ASCII.
bool is_value(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v) {
    if (c < 33 || c > 126 || c == '=') return false;
  }
  return true;
}

// `rest` follows ">": empty, or SP-separated parameters (runs of SP tolerated).
std::optional<std::vector<Param>> split_params(std::string_view rest) {
  std::vector<Param> params;
  if (rest.empty()) return params;
  if (rest.front() != ' ') return std::nullopt;
  while (!rest.empty()) {
    const std::size_t start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const std::string_view token = rest.substr(0, rest.find(' '));
    rest.remove_prefix(token.size());
    const std::size_t eq = token.find('=');
    Param p{token.substr(0, eq), std::nullopt};
    if (eq != std::string_view::npos) p.value = token.substr(eq + 1);
    if (!is_keyword(p.keyword) || (p.value && !is_value(*p.value))) return std::nullopt;
    params.push_back(p);
  }
  return params;
}

bool starts_with_ignore_case(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && equals_ignore_case(s.substr(0, prefix.size()), prefix);
}

// "FROM:" / "TO:" then the path; spaces after the colon are tolerated.
std::optional<std::string_view> after_prefix(std::string_view argument, std::string_view prefix) {
  if (!starts_with_ignore_case(argument, prefix)) return std::nullopt;
  argument.remove_prefix(prefix.size());
  while (!argument.empty() && argument.front() == ' ') argument.remove_prefix(1);
  return argument;
}

bool too_long(const detail::Path& path, const AddressLimits& limits) {
  return path.local_part_length > limits.max_local_part || path.domain_length > limits.max_domain;
}

// Applies one MAIL parameter (RFC 1870 §6, RFC 6152 §2, RFC 6531 §3.4, RFC 4954 §5).
std::optional<Reply> apply_mail_param(const Param& p, MailFrom& mail, bool& seen_body,
                                      bool& seen_auth) {
  if (equals_ignore_case(p.keyword, "SIZE")) {
    if (mail.size || !p.value || p.value->size() > 20) return replies::bad_parameter_syntax();
    std::size_t size = 0;
    const auto [end, ec] =
        std::from_chars(p.value->data(), p.value->data() + p.value->size(), size);
    if (ec == std::errc::result_out_of_range) {
      size = static_cast<std::size_t>(-1);  // 1*20DIGIT beyond size_t: too big anyway
    } else if (ec != std::errc{} || end != p.value->data() + p.value->size()) {
      return replies::bad_parameter_syntax();
    }
    mail.size = size;
  } else if (equals_ignore_case(p.keyword, "BODY")) {
    if (seen_body || !p.value) return replies::bad_parameter_syntax();
    seen_body = true;
    if (equals_ignore_case(*p.value, "8BITMIME")) {
      mail.body_8bitmime = true;
    } else if (equals_ignore_case(*p.value, "BINARYMIME")) {
      return replies::unsupported_parameter();  // CHUNKING/BINARYMIME not offered
    } else if (!equals_ignore_case(*p.value, "7BIT")) {
      return replies::bad_parameter_syntax();
    }
  } else if (equals_ignore_case(p.keyword, "SMTPUTF8")) {
    if (mail.smtputf8 || p.value) return replies::bad_parameter_syntax();
    mail.smtputf8 = true;
  } else if (equals_ignore_case(p.keyword, "AUTH")) {
    if (seen_auth || !p.value) return replies::bad_parameter_syntax();
    seen_auth = true;  // accepted and ignored: the session's own AUTH identity is used
  } else {
    return replies::unsupported_parameter();
  }
  return std::nullopt;
}

}  // namespace

std::variant<MailFrom, Reply> parse_mail_from(std::string_view argument,
                                              const AddressLimits& limits, bool esmtp) {
  const std::optional<std::string_view> text = after_prefix(argument, "FROM:");
  if (!text) return replies::mail_syntax();
  const detail::Path path = detail::parse_path(*text, /*allow_null=*/true);
  if (!path.ok) return replies::bad_sender_syntax();
  const std::optional<std::vector<Param>> params = split_params(path.rest);
  if (!params) return replies::bad_parameter_syntax();
  if (!esmtp && !params->empty()) return replies::unsupported_parameter();
  MailFrom mail;
  bool seen_body = false, seen_auth = false;
  for (const Param& p : *params) {
    if (auto error = apply_mail_param(p, mail, seen_body, seen_auth)) return *error;
  }
  if (path.non_ascii && !mail.smtputf8) return replies::non_ascii_sender();
  if (too_long(path, limits)) return replies::address_too_long();
  if (mail.size && *mail.size > limits.max_message_size) return replies::message_too_big();
  mail.reverse_path = path.mailbox;
  return mail;
}

std::variant<RcptTo, Reply> parse_rcpt_to(std::string_view argument, const AddressLimits& limits,
                                          bool smtputf8) {
  const std::optional<std::string_view> text = after_prefix(argument, "TO:");
  if (!text) return replies::rcpt_syntax();
  const detail::Path path = detail::parse_path(*text, /*allow_null=*/false);
  if (!path.ok) return replies::bad_recipient_syntax();
  const std::optional<std::vector<Param>> params = split_params(path.rest);
  if (!params) return replies::bad_parameter_syntax();
  if (!params->empty()) return replies::unsupported_parameter();  // no DSN (RFC 3461) offered
  if (path.non_ascii && !smtputf8) return replies::non_ascii_recipient();
  if (too_long(path, limits)) return replies::address_too_long();
  return RcptTo{path.mailbox};
}

}  // namespace postern::smtp
