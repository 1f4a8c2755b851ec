#pragma once
// smtp::ClientSession — the upstream side (RFC 5321 client, RFC 3207 STARTTLS, RFC 4954 AUTH,
// RFC 2920 PIPELINING) as a sans-IO state machine, the mirror of ServerSession: bytes in,
// bytes and actions out, results of actions fed back as events. Used by delivery/ to send
// through a provider's submission port.
//
// Driving contract (delivery/'s socket driver does exactly this):
//   1. After the TCP connect, loop: read bytes, on_bytes(bytes); write take_output(); perform
//      take_action() if any (StartTls: handshake, then on_tls_established() or
//      on_tls_failed()); arm a timer of timeout() for each read; on expiry on_timeout(); on
//      EOF or a socket error on_connection_lost().
//   2. When ready() is true, send(message) starts one transaction; its outcome appears in
//      take_result() once complete. Then ready() is true again (RSET is sent between
//      messages only when a transaction failed midway) or the session is over.
//   3. quit() sends QUIT; closed() becomes true once the peer answered or the link is gone.
// The session never sends AUTH or mail before TLS when TLS is required, refuses to go on when
// STARTTLS is not offered (no silent downgrade), discards bytes that arrive before the TLS
// handshake completes (response injection, CVE-2011-0411 mirrored), and parses replies
// strictly (multi-line form, bounded line length and count).
//
// Choices (RFC references in client_session*.cpp):
// - EHLO refused with 5xx: HELO is tried only when TLS is not required and no credentials are
//   configured (RFC 5321 §3.2); otherwise ehlo_refused. A HELO session offers no extension.
// - AUTH uses the first mechanism of auth_mechanisms the server offers and tries no other
//   after a refusal (a second try with the same credentials only counts against lockouts).
// - A failure the server did not cause by closing (anything but 421) is followed by QUIT; the
//   session closes once QUIT is answered. After a 421, a timeout, a malformed reply or a
//   failed handshake it closes at once (CloseAction).
// - MAIL refused, no recipient accepted or DATA refused: the result is published and ready()
//   is true at once; RSET goes out before the next MAIL (with PIPELINING in the same group,
//   RFC 2920 §3.1; without, alone and answered first) and never before QUIT. If DATA got 354
//   although no recipient was accepted (pipelined), a lone "." ends the empty message
//   (RFC 2920 §3.1); its reply is not recorded (no message was sent), and RSET follows as
//   above. After the reply to the final dot no RSET is needed.
// - A 421 in a transaction is recorded where it came, ends the transaction, then the session
//   (failure() connection_lost, failure_reply() the 421).
// - An address holding a control character, '<' or '>' never reaches the wire (command
//   injection): it gets a local 501 5.1.7 (sender: no command at all) or 501 5.1.3 (recipient)
//   reply whose text ends in "(local)". No sendable recipient: nothing is sent.
// - Credentials appear only in take_output(): never in replies, results or failure_reply().

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "smtp/client_auth.hpp"
#include "smtp/client_capabilities.hpp"
#include "smtp/reply.hpp"
#include "smtp/reply_parser.hpp"

namespace postern::smtp {

enum class ClientTls { required, none };  // none: plaintext, only for loopback upstreams

struct ClientConfig {
  std::string ehlo_name = "localhost";  // our name in EHLO
  ClientTls tls = ClientTls::required;
  // Mechanisms to try, in this order, among those the server offers ("PLAIN", "LOGIN",
  // "XOAUTH2"). Empty username: no AUTH at all.
  std::vector<std::string> auth_mechanisms = {"PLAIN", "LOGIN"};
  std::string username;
  std::string password;               // SECRET: never in a log or error text;
                                      // the access token for XOAUTH2
  std::size_t max_reply_line = 2048;  // octets per reply line incl. CRLF
  std::size_t max_reply_lines = 128;  // lines per multi-line reply
  // RFC 5321 §4.5.3.2 minimum timeouts.
  std::chrono::milliseconds greeting_timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds command_timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds data_start_timeout{std::chrono::minutes(2)};
  std::chrono::milliseconds final_dot_timeout{std::chrono::minutes(10)};
};

// One message to send: content with CRLF line endings, not dot-stuffed (the session stuffs).
struct OutgoingMessage {
  std::string mail_from;  // without <>; "" for the null path (DSNs)
  std::vector<std::string> rcpt_to;
  std::string content;
  bool body_8bitmime = false;
  bool smtputf8 = false;
};

struct RecipientReply {
  std::string address;
  Reply reply;
};

// The outcome of one transaction. A recipient is delivered only if its RCPT got 2xx AND the
// final dot got 2xx.
struct TransactionResult {
  std::optional<Reply> mail_reply;         // absent if the link died before it
  std::vector<RecipientReply> recipients;  // one per rcpt_to, in order; a recipient
                                           // without a reply has code 0
  std::optional<Reply> data_reply;         // the reply to DATA (354) if it came
  std::optional<Reply> final_reply;        // the reply to the final dot
  // The connection was lost or timed out after the final dot was sent and before its reply
  // arrived: the provider may or may not have taken the message (an at-least-once window).
  // "Sent" means handed to take_output(): the session cannot know how much was written.
  bool ambiguous = false;
};

// Why a session ended before or between transactions.
enum class SessionFailure {
  none,
  greeting_refused,  // 4xx/5xx greeting (e.g. 421 at greeting)
  ehlo_refused,
  starttls_not_offered,  // TLS required but not advertised: nothing is sent
  starttls_refused,      // STARTTLS got a non-220 reply
  tls_failed,            // on_tls_failed(): handshake or certificate verification failed
  auth_not_offered,      // credentials configured, but no common mechanism
  auth_failed,           // 535 and friends: see failure_reply()
  protocol_error,        // malformed or oversized reply, unexpected bytes
  timed_out,
  connection_lost,
};

struct StartTlsAction {};  // write pending output, then run the client TLS handshake
struct CloseAction {};     // write pending output, then close
using ClientAction = std::variant<StartTlsAction, CloseAction>;

class ClientSession {
 public:
  explicit ClientSession(ClientConfig config);

  // Events.
  void on_bytes(std::string_view bytes);
  void on_tls_established();
  void on_tls_failed();
  void on_timeout();
  void on_connection_lost();

  // Commands. REQUIRES: ready().
  void send(OutgoingMessage message);
  // Sends QUIT if the link is up (no-op otherwise). While a command is outstanding (setup,
  // a transaction) QUIT is sent in place of the next command, once that one's reply came; a
  // running transaction is finished first.
  void quit();

  [[nodiscard]] std::string take_output();
  [[nodiscard]] std::optional<ClientAction> take_action();
  [[nodiscard]] std::optional<TransactionResult> take_result();
  [[nodiscard]] std::chrono::milliseconds timeout() const;

  // Greeting, EHLO, STARTTLS, EHLO and AUTH done, no transaction running.
  [[nodiscard]] bool ready() const;
  [[nodiscard]] bool closed() const;
  [[nodiscard]] SessionFailure failure() const;
  // The reply behind a failure (greeting, EHLO, STARTTLS or AUTH reply; a 421 that closed the
  // session; an unsolicited reply; a refused RSET), if there was one.
  [[nodiscard]] const std::optional<Reply>& failure_reply() const;
  // What the server's EHLO offered (after TLS when TLS was used).
  [[nodiscard]] bool offers_pipelining() const;
  [[nodiscard]] std::optional<std::size_t> offered_size() const;
  // Additions to the first draft: everything the EHLO offered (for `postern doctor`), and
  // whether TLS is up.
  [[nodiscard]] const ServerCapabilities& capabilities() const;
  [[nodiscard]] bool tls_active() const;

 private:
  // The reply the session waits for; replies arrive in the order the commands went out
  // (RFC 2920 §3.1), so the outstanding ones form a queue.
  enum class Awaiting {
    greeting,
    ehlo,
    helo,
    starttls,
    auth,
    mail,
    rcpt,
    data,
    dot,
    lone_dot,
    rset,
    quit
  };
  struct Expected {
    Awaiting what = Awaiting::greeting;
    std::size_t index = 0;  // Awaiting::rcpt: the recipient in the message
  };
  struct Transaction {
    OutgoingMessage message;
    TransactionResult result;
    std::vector<std::size_t> wire_rcpts;  // recipients put on the wire, in order
    std::size_t next_rcpt = 0;            // without PIPELINING: next of wire_rcpts to send
    bool dot_sent = false;                // the body and final dot went to take_output()
  };

  // client_session.cpp: events, reply dispatch, commands, failing and closing.
  void dispatch(Reply reply);
  void command(std::string_view line, Awaiting what, std::size_t index = 0);
  void fail(SessionFailure failure, std::optional<Reply> reply);
  void send_quit();
  // True (and QUIT sent) if quit() asked for QUIT at this point, where a command would go.
  [[nodiscard]] bool quit_instead();
  void close();
  // client_session_setup.cpp: greeting, EHLO/HELO, STARTTLS, AUTH.
  void on_greeting(const Reply& reply);
  void on_ehlo(const Reply& reply);
  void on_helo(const Reply& reply);
  void after_ehlo();
  void on_starttls(const Reply& reply);
  void start_auth();
  void on_auth(const Reply& reply);
  void on_auth_challenge(const Reply& reply);
  void become_ready();
  // client_session_transaction.cpp: MAIL, RCPT, DATA, the final dot, RSET.
  // True if some recipient can go on the wire; otherwise the result is already published.
  [[nodiscard]] bool prepare_envelope();
  void send_envelope();
  void send_next_rcpt();
  void on_mail(const Reply& reply);
  void on_rcpt(const Reply& reply, std::size_t index);
  void on_data(const Reply& reply);
  void on_dot(const Reply& reply, bool lone);  // lone: the "." of an empty DATA
  void after_envelope();                       // without PIPELINING: all RCPT replies are in
  [[nodiscard]] bool transaction_viable() const;
  void finish_transaction(bool needs_rset);
  void abandon_transaction();  // the link is gone: publish what is known
  void on_rset(const Reply& reply);

  ClientConfig config_;
  ReplyParser parser_;
  ServerCapabilities caps_;
  std::deque<Expected> expected_;
  std::string output_;
  std::optional<ClientAction> action_;
  std::deque<TransactionResult> results_;
  std::optional<Transaction> txn_;
  std::optional<Reply> failure_reply_;
  SessionFailure failure_ = SessionFailure::none;
  ClientMechanism mechanism_ = ClientMechanism::plain;
  int auth_step_ = 0;            // 334 challenges answered so far
  bool auth_cancelled_ = false;  // an unexpected 334 was answered with "*" (RFC 4954 §4)
  bool tls_active_ = false;
  bool tls_pending_ = false;  // StartTlsAction given, handshake result not yet fed
  bool setup_done_ = false;
  bool rset_needed_ = false;  // the last transaction ended early: RSET before the next
  bool quit_requested_ = false;
  bool quit_sent_ = false;
  bool closed_ = false;
};

}  // namespace postern::smtp
