// STARTTLS (RFC 3207) and AUTH (RFC 4954) of the submission listener (RFC 6409).
#include <utility>

#include "smtp/replies.hpp"
#include "smtp/server_session.hpp"

namespace postern::smtp {

// "STARTTLS" CRLF (RFC 3207 §4). What the client sent after it, before the handshake, is
// dropped, never executed (CVE-2011-0411); after the handshake the session starts over (§4.2).
void ServerSession::handle_starttls(std::string_view argument) {
  if (tls_) return protocol_error(replies::tls_already_active());
  if (!argument.empty()) return protocol_error(replies::no_parameters_allowed());
  if (!esmtp_) return protocol_error(replies::send_ehlo_first());
  reply(replies::ready_to_start_tls());
  discard_input_ = true;
  splitter_.reset();
  start_action(StartTls{}, Awaiting::tls);
}

void ServerSession::on_tls_established() {
  if (closed_) return;
  await_result(Awaiting::tls);
  tls_ = true;
  // RFC 3207 §4.2: forget all knowledge obtained from the client, EHLO included.
  greeted_ = false;
  esmtp_ = false;
  helo_.clear();
  reset_transaction();
  input_.clear();
  splitter_.reset();
}

// AUTH SP mechanism [SP initial-response] (RFC 4954 §4): only inside TLS (invariant 3), after
// EHLO, once per session, outside a transaction.
void ServerSession::handle_auth(std::string_view argument) {
  if (!tls_) return protocol_error(replies::starttls_required());
  if (!esmtp_) return protocol_error(replies::send_ehlo_first());
  if (authenticated_) return protocol_error(replies::auth_already_done());
  if (in_transaction_) return protocol_error(replies::auth_in_transaction());
  sasl_ = SaslServer{};
  handle_sasl_step(sasl_.start(argument));
}

void ServerSession::handle_auth_response(std::string_view line) {
  phase_ = Phase::command;
  handle_sasl_step(sasl_.respond(line));
}

void ServerSession::handle_sasl_step(SaslStep step) {
  if (auto* challenge = std::get_if<SaslChallenge>(&step)) {
    reply(replies::auth_continue(challenge->text));
    phase_ = Phase::auth_response;
  } else if (auto* credentials = std::get_if<SaslCredentials>(&step)) {
    start_action(
        CheckCredentials{std::move(credentials->mechanism), std::move(credentials->authzid),
                         std::move(credentials->username), std::move(credentials->password)},
        Awaiting::credentials);
  } else {
    const Reply& refusal = std::get<Reply>(step);
    // A cancel is the client's right (RFC 4954 §4); anything else is a protocol error.
    if (refusal == replies::auth_cancelled()) return reply(refusal);
    protocol_error(refusal);
  }
}

// RFC 4954 §6: 235 on success, 535 5.7.8 on bad credentials; after max_auth_failures the
// connection is closed (smtp-checklist).
void ServerSession::on_credentials_checked(CredentialsResult result) {
  if (closed_) return;
  await_result(Awaiting::credentials);
  if (result.ok) {
    authenticated_ = true;
    account_ = std::move(result.account);
    may_send_as_ = std::move(result.may_send_as);
    reply(replies::auth_succeeded());
  } else {
    reply(replies::auth_failed());
    if (++auth_failures_ >= config_.limits.max_auth_failures) {
      reply(replies::too_many_auth_failures());
      close();
    }
  }
  process_input();
}

}  // namespace postern::smtp
