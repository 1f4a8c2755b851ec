// EHLO, HELO, RSET, QUIT, VRFY (RFC 5321 §4.1.1): the commands allowed at any time.
#include "smtp/address.hpp"
#include "smtp/replies.hpp"
#include "smtp/server_session.hpp"

namespace postern::smtp {

// EHLO SP ( Domain / address-literal ) (§4.1.1.1). EHLO and HELO reset any transaction, as
// RSET does; the authentication, if any, stays (RFC 4954 §4 ties it to the connection).
void ServerSession::handle_ehlo(std::string_view argument, bool esmtp) {
  if (!is_valid_domain(argument) && !is_valid_address_literal(argument)) {
    return protocol_error(replies::ehlo_syntax());
  }
  reset_transaction();
  greeted_ = true;
  esmtp_ = esmtp;
  helo_ = std::string(argument);
  reply(esmtp ? replies::ehlo(config_.hostname, config_.limits.max_message_size, tls_)
              : replies::helo(config_.hostname));
}

// "RSET" CRLF (§4.1.1.5)
void ServerSession::handle_rset(std::string_view argument) {
  if (!argument.empty()) return protocol_error(replies::no_parameters_allowed());
  reset_transaction();
  reply(replies::ok());
}

// "QUIT" CRLF (§4.1.1.10)
void ServerSession::handle_quit(std::string_view argument) {
  if (!argument.empty()) return protocol_error(replies::no_parameters_allowed());
  reply(replies::bye());
  close();
}

// "VRFY" SP String (§4.1.1.6); 252: we neither confirm nor deny (§3.5.3, §7.3).
void ServerSession::handle_vrfy(std::string_view argument) {
  if (argument.empty()) return protocol_error(replies::argument_required());
  reply(replies::vrfy());
}

}  // namespace postern::smtp
