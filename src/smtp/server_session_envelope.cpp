// MAIL and RCPT (RFC 5321 §4.1.1.2-3) on the submission listener (RFC 6409).
#include <algorithm>
#include <variant>

#include "smtp/address.hpp"
#include "smtp/replies.hpp"
#include "smtp/server_session.hpp"

namespace postern::smtp {
namespace {

AddressLimits address_limits(const Limits& limits) {
  return {limits.max_local_part, limits.max_domain, limits.max_message_size};
}

}  // namespace

// The gate of MAIL, RCPT and DATA: TLS first, then a greeting, then AUTH (invariant 3).
// Answers and returns false when the command may not run.
bool ServerSession::may_transact() {
  if (!tls_) {
    protocol_error(replies::starttls_required());
  } else if (!greeted_) {
    protocol_error(replies::send_ehlo_first());
  } else if (!authenticated_) {
    protocol_error(replies::auth_required());
  } else {
    return true;
  }
  return false;
}

void ServerSession::handle_mail(std::string_view argument) {
  if (!may_transact()) return;
  if (in_transaction_) return protocol_error(replies::nested_mail());
  auto parsed = parse_mail_from(argument, address_limits(config_.limits), esmtp_);
  if (const Reply* refusal = std::get_if<Reply>(&parsed)) {
    // SIZE over the limit is an honest declaration, not a protocol error (RFC 1870 §6.1).
    return refusal->code == 552 ? reply(*refusal) : protocol_error(*refusal);
  }
  MailFrom& mail = std::get<MailFrom>(parsed);
  // Sender rights (invariant 3); "" is the null path, which policy/ normally allows.
  if (!may_send_as_ || !may_send_as_(mail.reverse_path))
    return reply(replies::sender_not_allowed());
  in_transaction_ = true;
  envelope_ =
      Envelope{helo_,         esmtp_,   std::move(mail.reverse_path), {}, mail.body_8bitmime,
               mail.smtputf8, mail.size};
  reply(replies::sender_ok());
}

void ServerSession::handle_rcpt(std::string_view argument) {
  if (!may_transact()) return;
  if (!in_transaction_) return protocol_error(replies::need_mail());
  auto parsed = parse_rcpt_to(argument, address_limits(config_.limits), envelope_.smtputf8);
  if (const Reply* refusal = std::get_if<Reply>(&parsed)) return protocol_error(*refusal);
  std::string& address = std::get<RcptTo>(parsed).forward_path;
  std::vector<std::string>& rcpt_to = envelope_.rcpt_to;
  // The same address twice is accepted once: one delivery per recipient.
  if (std::find(rcpt_to.begin(), rcpt_to.end(), address) != rcpt_to.end()) {
    return reply(replies::recipient_ok());
  }
  // §4.5.3.1.10: 452 for the recipients over the limit; the client sends them later.
  if (rcpt_to.size() >= config_.limits.max_recipients) return reply(replies::too_many_recipients());
  rcpt_to.push_back(std::move(address));
  reply(replies::recipient_ok());
}

}  // namespace postern::smtp
