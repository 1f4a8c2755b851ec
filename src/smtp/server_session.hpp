#pragma once
// smtp::ServerSession — the submission protocol (RFC 5321, RFC 6409, RFC 3207, RFC 4954,
// RFC 2920) as a sans-IO state machine: bytes in, replies and actions out, results of the
// actions fed back as events. It owns no socket, no clock, no TLS and no store, so it is tested
// in-process and fuzzed directly.
//
// Driving contract (the socket driver in server/ does exactly this):
//   1. Call on_connect() once; write take_output().
//   2. Loop: read bytes, on_bytes(bytes); write take_output(); then, while take_action()
//      yields an action, perform it and feed its result back (on_tls_established,
//      on_credentials_checked, on_message_stored), writing take_output() after each event.
//   3. Arm a read timer of timeout() before every read; on expiry call on_timeout().
//   4. After writing the output, close the connection once closed() is true.
// Output produced before an action must be written before the action is performed (the
// `220 Ready to start TLS` goes out in plaintext, then the handshake starts).
// Results fed after the session closed (a timeout while the driver worked) are ignored; a
// result nobody asked for is a driver bug and aborts.
//
// Behaviour (replies spelled in smtp/replies.hpp, scripts in tests/dialogs/):
// - Gate of MAIL/RCPT/DATA, in this order: TLS (530 5.7.0 STARTTLS first), a greeting
//   (503 5.5.1), AUTH (530 5.7.0 Authentication required). STARTTLS and AUTH need EHLO.
// - STARTTLS drops the rest of the buffered input and any bytes that arrive before the
//   handshake; after it the session forgets EHLO and starts over (RFC 3207 §4.2).
// - Protocol errors (500/501/503/504/530/553/554/555 answers to commands, refused lines) count;
//   the max_errors-th is followed by 421 4.7.0 and the close. An AUTH cancel, 502 EXPN,
//   550 sender refusals, 452/552 limits and refused messages do not count.
// - The max_auth_failures-th 535 is followed by 421 4.7.0 and the close.
// - A duplicate RCPT is answered 250 and recorded once.
// - A 421 from the store closes the session after it is sent.

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "smtp/command_parser.hpp"
#include "smtp/data_decoder.hpp"
#include "smtp/reply.hpp"
#include "smtp/sasl.hpp"

namespace postern::smtp {

// Every limit the listener enforces, each configurable (smtp-checklist "Limits").
struct Limits {
  std::size_t max_command_line = 512;               // octets incl. CRLF (RFC 5321 §4.5.3.1.4)
  std::size_t max_text_line = 1000;                 // octets incl. CRLF (§4.5.3.1.6)
  std::size_t max_recipients = 100;                 // §4.5.3.1.8
  std::size_t max_message_size = 25 * 1024 * 1024;  // advertised as SIZE (RFC 1870)
  std::size_t max_local_part = 64;                  // §4.5.3.1.1
  std::size_t max_domain = 255;                     // §4.5.3.1.2
  int max_errors = 10;                              // protocol errors before 421 and close
  int max_auth_failures = 3;                        // failed AUTHs before 421 and close
  // Timeouts (§4.5.3.2): short before AUTH, the RFC minimums after it.
  std::chrono::milliseconds unauthenticated_command{std::chrono::seconds(30)};
  std::chrono::milliseconds command{std::chrono::minutes(5)};
  std::chrono::milliseconds data_block{std::chrono::minutes(3)};
};

struct SessionConfig {
  std::string hostname = "localhost";  // our name, in the greeting and EHLO
  Limits limits;
  BareLinePolicy bare_line_policy = BareLinePolicy::strict;
  bool tls_active = false;  // true if the connection is already TLS
};

// The envelope of one transaction, as accepted.
struct Envelope {
  std::string helo;                          // the EHLO/HELO argument
  bool esmtp = false;                        // EHLO (true) or HELO (false)
  std::string mail_from;                     // reverse-path without <>; empty for the null path
  std::vector<std::string> rcpt_to;          // forward-paths without <>
  bool body_8bitmime = false;                // BODY=8BITMIME (RFC 6152)
  bool smtputf8 = false;                     // SMTPUTF8 (RFC 6531)
  std::optional<std::size_t> declared_size;  // SIZE= (RFC 1870)
};

// --- Actions: what the driver must do next -------------------------------------------------

// Write the pending output, then run the server-side TLS handshake; on success call
// on_tls_established(), on failure close the connection.
struct StartTls {};

// Check a username and password (off the I/O thread: hashing is slow by design), then call
// on_credentials_checked(). `password` is a secret: never log it.
struct CheckCredentials {
  std::string mechanism;  // "PLAIN" or "LOGIN"
  std::string authzid;    // PLAIN authorization identity; empty if none
  std::string username;
  std::string password;
};

// Make the message durable (policy checks on the header From, added headers, store commit),
// then call on_message_stored() with the reply to send: 250 only once durable (invariant 1).
struct StoreMessage {
  Envelope envelope;
  std::string account;  // the authenticated account
  std::string content;  // the message as received: dot-unstuffed, CRLF line endings
};

// Write the pending output, then close the connection.
struct CloseConnection {};

using Action = std::variant<StartTls, CheckCredentials, StoreMessage, CloseConnection>;

// --- Results fed back -------------------------------------------------------------------------

struct CredentialsResult {
  bool ok = false;
  std::string account;  // the account name to record, when ok
  // Sender rights of the account: true if it may use `address` as envelope sender
  // (policy/ implements it). Called for every MAIL FROM; "" is the null path.
  std::function<bool(std::string_view address)> may_send_as;
};

class ServerSession {
 public:
  explicit ServerSession(SessionConfig config);

  void on_connect();
  void on_bytes(std::string_view bytes);
  void on_tls_established();
  void on_credentials_checked(CredentialsResult result);
  void on_message_stored(Reply reply);
  void on_timeout();
  // The server is stopping: 421 and close (RFC 5321 §3.8), if the session is between
  // commands; otherwise nothing (a message in progress is finished first; ask again later).
  // Returns whether the session closed.
  bool on_shutdown();
  // True when nothing is in progress: no partial line buffered, no DATA, no AUTH exchange,
  // no action awaiting its result. The driver may then end the session for a shutdown.
  [[nodiscard]] bool between_commands() const;

  // Bytes to write to the peer, in order; empties the buffer.
  [[nodiscard]] std::string take_output();
  // The next action to perform, if any. At most one action is outstanding at a time: while
  // one waits for its result, further input is buffered, not processed (pipelining, RFC 2920).
  [[nodiscard]] std::optional<Action> take_action();
  // How long the driver may wait for the next bytes before calling on_timeout().
  [[nodiscard]] std::chrono::milliseconds timeout() const;
  // True once the session has ended (QUIT, limits, timeout); the driver closes after writing.
  [[nodiscard]] bool closed() const;
  [[nodiscard]] bool tls_active() const;
  [[nodiscard]] bool authenticated() const;
  [[nodiscard]] const std::string& account() const;

 private:
  enum class Phase { command, auth_response, data };
  enum class Awaiting { nothing, tls, credentials, store };

  // server_session.cpp: input loop, replies, error counting, closing.
  void process_input();
  void handle_line(std::string_view line);
  void dispatch(const Command& command);
  void reply(const Reply& reply);
  void protocol_error(const Reply& reply);  // counts toward Limits::max_errors
  void start_action(Action action, Awaiting awaiting);
  void await_result(Awaiting awaiting);  // REQUIRES: that result is awaited
  void reset_transaction();
  void close();
  // server_session_greeting.cpp: EHLO, HELO, RSET, NOOP, QUIT, HELP, VRFY, EXPN.
  void handle_ehlo(std::string_view argument, bool esmtp);
  void handle_rset(std::string_view argument);
  void handle_quit(std::string_view argument);
  void handle_vrfy(std::string_view argument);
  // server_session_auth.cpp: STARTTLS and AUTH.
  void handle_starttls(std::string_view argument);
  void handle_auth(std::string_view argument);
  void handle_auth_response(std::string_view line);
  [[nodiscard]] std::size_t line_limit(std::string_view rest) const;
  void handle_sasl_step(SaslStep step);
  // server_session_envelope.cpp: MAIL, RCPT and the checks every transaction command makes.
  [[nodiscard]] bool may_transact();
  void handle_mail(std::string_view argument);
  void handle_rcpt(std::string_view argument);
  // server_session_data.cpp: DATA and the message body.
  void handle_data(std::string_view argument);
  void finish_data();

  SessionConfig config_;
  LineSplitter splitter_;
  SaslServer sasl_;
  std::optional<DataDecoder> data_;  // set while reading a message body
  std::string input_;                // received, not yet processed
  std::string output_;
  std::optional<Action> action_;  // produced, not yet taken
  Awaiting awaiting_ = Awaiting::nothing;
  Phase phase_ = Phase::command;
  bool connected_ = false;
  bool closed_ = false;
  bool discard_input_ = false;  // STARTTLS: drop what follows it (CVE-2011-0411)
  bool tls_ = false;
  bool greeted_ = false;  // EHLO or HELO seen (since TLS started)
  bool esmtp_ = false;    // ... and it was EHLO
  std::string helo_;
  bool authenticated_ = false;
  std::string account_;
  std::function<bool(std::string_view)> may_send_as_;
  bool in_transaction_ = false;  // MAIL accepted
  Envelope envelope_;
  int errors_ = 0;
  int auth_failures_ = 0;
};

}  // namespace postern::smtp
