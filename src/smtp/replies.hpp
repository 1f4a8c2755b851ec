#pragma once
// Every reply the submission server sends, in one place. Codes follow RFC 5321 §4.2.2/§4.3.2;
// enhanced status codes (RFC 3463, RFC 5248) preface every 2xx/4xx/5xx text because
// ENHANCEDSTATUSCODES is always advertised (RFC 2034 §3; the greeting, the EHLO/HELO answer
// and 3xx replies carry none). Pinned texts come from the smtp-checklist; never 521 (RFC 6409
// §7: a submission server does not refuse service that way).

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "smtp/reply.hpp"

namespace postern::smtp::replies {

// --- Connection ------------------------------------------------------------------------------
inline Reply greeting(std::string_view host) { return {220, std::string(host) + " ESMTP Postern"}; }
inline Reply bye() { return {221, "2.0.0 Bye"}; }
inline Reply timeout(std::string_view host) {
  return {421, "4.4.2 " + std::string(host) + " Timeout exceeded, closing connection"};
}
// RFC 5321 §3.8: a server that must stop answers 421 to the next command, or at once.
inline Reply shutting_down(std::string_view host) {
  return {421, "4.3.2 " + std::string(host) + " Service shutting down, closing connection"};
}
inline Reply too_many_errors() { return {421, "4.7.0 Too many errors, closing connection"}; }
inline Reply http_refused() { return {421, "4.7.0 This is an SMTP server, closing connection"}; }

// --- Generic ----------------------------------------------------------------------------------
inline Reply ok() { return {250, "2.0.0 Ok"}; }
inline Reply help() { return {214, "2.0.0 See RFC 5321 and RFC 6409"}; }
inline Reply vrfy() {
  return {252, "2.5.0 Cannot VRFY user, but will accept message and attempt delivery"};
}
inline Reply expn() { return {502, "5.5.1 EXPN not supported"}; }
inline Reply unknown_command() { return {500, "5.5.2 Syntax error, command unrecognized"}; }
inline Reply command_too_long() { return {500, "5.5.6 Command line too long"}; }
inline Reply bare_line_ending_in_command() {
  return {500, "5.5.2 Bare CR or LF in command, lines must end in CRLF"};
}
inline Reply no_parameters_allowed() { return {501, "5.5.4 Syntax error, no parameters allowed"}; }
inline Reply argument_required() { return {501, "5.5.4 Syntax error, argument required"}; }
inline Reply send_ehlo_first() { return {503, "5.5.1 Send EHLO first"}; }

// --- EHLO / HELO (no enhanced codes on these, RFC 2034 §3) -----------------------------------
inline Reply helo(std::string_view host) { return {250, std::string(host)}; }
// RFC 5321 §4.1.1.1. Before TLS: STARTTLS and no AUTH; after TLS: AUTH and no STARTTLS
// (RFC 3207 §4.2, RFC 4954 §4, smtp-checklist "Submission listener").
inline Reply ehlo(std::string_view host, std::size_t max_message_size, bool tls_active) {
  std::string text(host);
  text += "\nPIPELINING\nSIZE " + std::to_string(max_message_size);
  text += "\n8BITMIME\nSMTPUTF8\nENHANCEDSTATUSCODES\n";
  text += tls_active ? "AUTH PLAIN LOGIN" : "STARTTLS";
  return {250, std::move(text)};
}
inline Reply ehlo_syntax() { return {501, "5.5.4 Syntax: EHLO domain-or-address-literal"}; }

// --- STARTTLS (RFC 3207 §4) --------------------------------------------------------------------
inline Reply ready_to_start_tls() { return {220, "2.0.0 Ready to start TLS"}; }
inline Reply tls_already_active() { return {503, "5.5.1 TLS already active"}; }
inline Reply starttls_required() { return {530, "5.7.0 Must issue a STARTTLS command first"}; }

// --- AUTH (RFC 4954 §4, §6) --------------------------------------------------------------------
inline Reply auth_required() { return {530, "5.7.0 Authentication required"}; }
inline Reply auth_continue(std::string_view challenge) { return {334, std::string(challenge)}; }
inline Reply auth_succeeded() { return {235, "2.7.0 Authentication successful"}; }
inline Reply auth_failed() { return {535, "5.7.8 Authentication credentials invalid"}; }
inline Reply auth_cancelled() { return {501, "5.0.0 Authentication cancelled"}; }
inline Reply auth_bad_base64() { return {501, "5.5.2 Cannot decode response"}; }
inline Reply auth_malformed() { return {501, "5.5.2 Malformed authentication response"}; }
inline Reply auth_syntax() { return {501, "5.5.4 Syntax: AUTH mechanism [initial-response]"}; }
inline Reply auth_unknown_mechanism() { return {504, "5.5.4 Unrecognized authentication type"}; }
inline Reply auth_already_done() { return {503, "5.5.1 Already authenticated"}; }
inline Reply auth_in_transaction() {
  return {503, "5.5.1 AUTH not permitted during a mail transaction"};
}
inline Reply too_many_auth_failures() {
  return {421, "4.7.0 Too many failed authentications, closing connection"};
}

// --- MAIL / RCPT (RFC 5321 §4.1.1.2-3, RFC 1870, RFC 6531) -----------------------------------
inline Reply sender_ok() { return {250, "2.1.0 Ok"}; }
inline Reply recipient_ok() { return {250, "2.1.5 Ok"}; }
inline Reply mail_syntax() { return {501, "5.5.4 Syntax: MAIL FROM:<address> [parameters]"}; }
inline Reply rcpt_syntax() { return {501, "5.5.4 Syntax: RCPT TO:<address> [parameters]"}; }
inline Reply bad_sender_syntax() { return {501, "5.1.7 Bad sender address syntax"}; }
inline Reply bad_recipient_syntax() { return {501, "5.1.3 Bad recipient address syntax"}; }
inline Reply address_too_long() {
  return {501, "5.1.3 Address too long (local part 64, domain 255 octets at most)"};
}
inline Reply non_ascii_sender() {
  return {553, "5.6.7 Non-ASCII addresses not permitted for that sender"};
}
inline Reply non_ascii_recipient() {
  return {553, "5.6.7 Non-ASCII addresses not permitted for that recipient"};
}
inline Reply bad_parameter_syntax() { return {501, "5.5.4 Syntax error in parameters"}; }
inline Reply unsupported_parameter() { return {555, "5.5.4 Unsupported parameter"}; }
inline Reply sender_not_allowed() {
  return {550, "5.7.1 Sender address not allowed for this account"};
}
// The header From names an address the account may not use (checked by the accept pipeline in
// server/, after the final dot; smtp-checklist "Sender rights").
inline Reply header_from_not_allowed() {
  return {550, "5.7.1 Header From address not allowed for this account"};
}
inline Reply nested_mail() { return {503, "5.5.1 Nested MAIL command"}; }
inline Reply need_mail() { return {503, "5.5.1 Need MAIL command"}; }
inline Reply too_many_recipients() { return {452, "4.5.3 Too many recipients"}; }
inline Reply message_too_big() { return {552, "5.3.4 Message size exceeds fixed limit"}; }

// --- DATA (RFC 5321 §4.1.1.4, §3.3) ------------------------------------------------------------
inline Reply need_rcpt() { return {554, "5.5.1 No valid recipients"}; }
inline Reply start_data() { return {354, "End data with <CR><LF>.<CR><LF>"}; }
// SMTP smuggling defence (smtp-checklist "Line endings and DATA").
inline Reply bare_line_ending_in_message() { return {554, "5.5.2 bare CR or LF in message"}; }
// A text line over Limits::max_text_line (RFC 5321 §4.5.3.1.6). 554 is a permitted answer to
// the final dot (§4.3.2); 5.6.0 is "other or undefined media error" (RFC 3463 §3.7).
inline Reply text_line_too_long() { return {554, "5.6.0 Message text line too long"}; }

// Answers to the final dot that only the store can give (the driver passes them back).
inline Reply queued(std::string_view queue_id) {
  return {250, "2.0.0 Ok: queued as " + std::string(queue_id)};
}
inline Reply store_failed() { return {451, "4.3.0 Temporary failure storing the message"}; }
inline Reply store_full() { return {452, "4.3.1 Insufficient system storage"}; }

}  // namespace postern::smtp::replies
