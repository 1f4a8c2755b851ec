// From the greeting to a ready session: EHLO (RFC 5321 §4.1.1.1), HELO fallback (§3.2),
// STARTTLS (RFC 3207) and AUTH (RFC 4954).
#include <cstdlib>
#include <string>

#include "core/base64.hpp"
#include "smtp/client_session.hpp"

namespace postern::smtp {
namespace {

bool positive(const Reply& reply) { return reply.code >= 200 && reply.code <= 299; }

}  // namespace

// §3.1: 220 opens the session; 554 (or 421) refuses it, and after a 554 the client sends QUIT.
void ClientSession::on_greeting(const Reply& reply) {
  if (reply.code != 220) return fail(SessionFailure::greeting_refused, reply);
  if (quit_instead()) return;
  command("EHLO " + config_.ehlo_name, Awaiting::ehlo);
}

// §3.2: a server that does not know EHLO answers 5xx; HELO is worth a try only where no
// extension is needed (no STARTTLS, no AUTH), so TLS can never be lost to a downgrade.
void ClientSession::on_ehlo(const Reply& reply) {
  if (positive(reply)) {
    caps_ = parse_ehlo_reply(reply);
    return after_ehlo();
  }
  const bool helo_will_do = config_.tls == ClientTls::none && config_.username.empty();
  if (reply.code >= 500 && helo_will_do) {
    return command("HELO " + config_.ehlo_name, Awaiting::helo);
  }
  fail(SessionFailure::ehlo_refused, reply);
}

void ClientSession::on_helo(const Reply& reply) {
  if (!positive(reply)) return fail(SessionFailure::ehlo_refused, reply);
  caps_ = ServerCapabilities{};
  after_ehlo();
}

// TLS first when required: without STARTTLS on offer nothing but QUIT is sent (no silent
// downgrade, smtp-checklist "Upstream client"); then AUTH, only when credentials are set.
void ClientSession::after_ehlo() {
  if (quit_instead()) return;
  if (config_.tls == ClientTls::required && !tls_active_) {
    if (!caps_.starttls) return fail(SessionFailure::starttls_not_offered, std::nullopt);
    return command("STARTTLS", Awaiting::starttls);
  }
  if (!config_.username.empty()) return start_auth();
  become_ready();
}

// RFC 3207 §4: 220 starts the handshake. What follows the 220 in the same read and anything
// read before the handshake ends is discarded (on_bytes() stops at tls_pending_; the parser
// stops right after each reply, so it holds nothing of those bytes).
void ClientSession::on_starttls(const Reply& reply) {
  if (reply.code != 220) return fail(SessionFailure::starttls_refused, reply);
  tls_pending_ = true;
  action_ = StartTlsAction{};
}

// RFC 3207 §4.2: the client discards what it learnt from the server and sends EHLO again.
// The parser starts afresh on the new layer (it stopped right after the 220 anyway).
void ClientSession::on_tls_established() {
  if (closed_) return;              // a timeout ended the session while the driver worked
  if (!tls_pending_) std::abort();  // a result nobody asked for: a driver bug
  tls_pending_ = false;
  tls_active_ = true;
  caps_ = ServerCapabilities{};
  parser_.reset();
  if (quit_instead()) return;
  command("EHLO " + config_.ehlo_name, Awaiting::ehlo);
}

void ClientSession::on_tls_failed() {
  if (closed_) return;
  if (!tls_pending_) std::abort();
  tls_pending_ = false;
  fail(SessionFailure::tls_failed, std::nullopt);
}

// RFC 4954 §4. PLAIN and XOAUTH2 go as initial responses; LOGIN answers two 334 challenges
// (username, then password) whatever their text.
void ClientSession::start_auth() {
  const std::optional<ClientMechanism> mechanism =
      choose_mechanism(config_.auth_mechanisms, caps_.auth_mechanisms);
  if (!mechanism) return fail(SessionFailure::auth_not_offered, std::nullopt);
  mechanism_ = *mechanism;
  auth_step_ = 0;
  auth_cancelled_ = false;
  switch (mechanism_) {
    case ClientMechanism::plain:
      return command("AUTH PLAIN " + plain_response(config_.username, config_.password),
                     Awaiting::auth);
    case ClientMechanism::login:
      return command("AUTH LOGIN", Awaiting::auth);
    case ClientMechanism::xoauth2:
      return command("AUTH XOAUTH2 " + xoauth2_response(config_.username, config_.password),
                     Awaiting::auth);
  }
}

// RFC 4954 §6: 235 succeeds; anything else (535 5.7.8, 534, 454, 421, ...) fails, and the
// reply is kept for the route's classification (providers.md: 535 stops the route).
void ClientSession::on_auth(const Reply& reply) {
  if (reply.code == 334 && !auth_cancelled_) return on_auth_challenge(reply);
  if (reply.code == 235 && !auth_cancelled_) return become_ready();
  fail(SessionFailure::auth_failed, reply);
}

void ClientSession::on_auth_challenge(const Reply& /*challenge*/) {
  ++auth_step_;
  if (mechanism_ == ClientMechanism::login && auth_step_ <= 2) {
    const std::string& secret = auth_step_ == 1 ? config_.username : config_.password;
    return command(core::base64_encode(secret), Awaiting::auth);
  }
  if (mechanism_ == ClientMechanism::xoauth2 && auth_step_ == 1) {
    // The challenge carries the error (base64 JSON); an empty response asks for the final
    // failure reply (Google's and Microsoft's XOAUTH2 protocol).
    return command("", Awaiting::auth);
  }
  // A challenge the mechanism does not have: cancel (RFC 4954 §4), then fail on its answer.
  auth_cancelled_ = true;
  command("*", Awaiting::auth);
}

void ClientSession::become_ready() {
  setup_done_ = true;
  static_cast<void>(quit_instead());
}

}  // namespace postern::smtp
