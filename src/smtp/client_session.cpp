// ClientSession core: events, the reply queue, commands, failing and closing. The setup
// (greeting to AUTH) lives in client_session_setup.cpp, transactions in
// client_session_transaction.cpp.
#include "smtp/client_session.hpp"

#include <cstdlib>
#include <utility>

#include "smtp/text.hpp"

namespace postern::smtp {
namespace {

// The EHLO argument goes on the wire as is: a space or control character in it is a
// configuration bug (config/ validates it), never input from a peer.
bool is_valid_ehlo_name(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) return false;
  }
  return true;
}

}  // namespace

ClientSession::ClientSession(ClientConfig config)
    : config_(std::move(config)),
      parser_(ReplyLimits{config_.max_reply_line, config_.max_reply_lines}),
      expected_{{Awaiting::greeting}} {
  if (!is_valid_ehlo_name(config_.ehlo_name)) std::abort();
}

void ClientSession::on_bytes(std::string_view bytes) {
  // Between STARTTLS's 220 and the end of the handshake every byte is plaintext a third party
  // may have injected (CVE-2011-0411, mirrored on the client side): never parsed.
  if (closed_ || tls_pending_) return;
  while (!bytes.empty() && !closed_ && !tls_pending_) {
    const ReplyParser::Result result = parser_.feed(bytes);
    bytes.remove_prefix(result.consumed);
    if (result.status == ReplyParser::Status::need_more) return;
    if (result.status == ReplyParser::Status::error) {
      return fail(SessionFailure::protocol_error, std::nullopt);
    }
    dispatch(parser_.take_reply());
  }
  // The rest of a read that carried STARTTLS's 220 is dropped with the loop's `bytes`.
}

void ClientSession::on_timeout() {
  if (closed_) return;
  if (failure_ == SessionFailure::none && !quit_sent_) failure_ = SessionFailure::timed_out;
  abandon_transaction();
  close();
}

void ClientSession::on_connection_lost() {
  if (closed_) return;
  if (failure_ == SessionFailure::none && !quit_sent_) {
    failure_ = SessionFailure::connection_lost;
  }
  abandon_transaction();
  closed_ = true;
  tls_pending_ = false;
  expected_.clear();
  action_.reset();  // nothing left to act on
}

void ClientSession::quit() {
  if (closed_) return;
  quit_requested_ = true;
  // Otherwise quit_instead() sends it where the next command would have gone.
  if (!quit_sent_ && expected_.empty() && !tls_pending_ && !txn_) send_quit();
}

std::string ClientSession::take_output() { return std::exchange(output_, std::string()); }

std::optional<ClientAction> ClientSession::take_action() {
  return std::exchange(action_, std::nullopt);
}

std::optional<TransactionResult> ClientSession::take_result() {
  if (results_.empty()) return std::nullopt;
  TransactionResult result = std::move(results_.front());
  results_.pop_front();
  return result;
}

// RFC 5321 §4.5.3.2: the greeting, DATA initiation and DATA termination have their own
// minimums; every other command gets the command timeout.
std::chrono::milliseconds ClientSession::timeout() const {
  if (tls_pending_ || expected_.empty()) return config_.command_timeout;
  switch (expected_.front().what) {
    case Awaiting::greeting:
      return config_.greeting_timeout;
    case Awaiting::data:
      return config_.data_start_timeout;
    case Awaiting::dot:
    case Awaiting::lone_dot:
      return config_.final_dot_timeout;
    default:
      return config_.command_timeout;
  }
}

bool ClientSession::ready() const {
  return setup_done_ && !closed_ && !quit_sent_ && !txn_ && expected_.empty() &&
         failure_ == SessionFailure::none;
}

bool ClientSession::closed() const { return closed_; }
SessionFailure ClientSession::failure() const { return failure_; }
const std::optional<Reply>& ClientSession::failure_reply() const { return failure_reply_; }
bool ClientSession::offers_pipelining() const { return caps_.pipelining; }
std::optional<std::size_t> ClientSession::offered_size() const { return caps_.max_size; }
const ServerCapabilities& ClientSession::capabilities() const { return caps_; }
bool ClientSession::tls_active() const { return tls_active_; }

// Hands a complete reply to the command it answers (the front of the queue).
void ClientSession::dispatch(Reply reply) {
  if (expected_.empty()) {
    // Unsolicited: a 421 announces that the server closes (RFC 5321 §3.8); anything else
    // means the two sides no longer agree on the dialogue.
    return fail(
        closes_connection(reply) ? SessionFailure::connection_lost : SessionFailure::protocol_error,
        std::move(reply));
  }
  const Expected next = expected_.front();
  expected_.pop_front();
  switch (next.what) {
    case Awaiting::greeting:
      return on_greeting(reply);
    case Awaiting::ehlo:
      return on_ehlo(reply);
    case Awaiting::helo:
      return on_helo(reply);
    case Awaiting::starttls:
      return on_starttls(reply);
    case Awaiting::auth:
      return on_auth(reply);
    case Awaiting::mail:
      return on_mail(reply);
    case Awaiting::rcpt:
      return on_rcpt(reply, next.index);
    case Awaiting::data:
      return on_data(reply);
    case Awaiting::dot:
    case Awaiting::lone_dot:
      return on_dot(reply, next.what == Awaiting::lone_dot);
    case Awaiting::rset:
      return on_rset(reply);
    case Awaiting::quit:
      return close();  // whatever the answer (RFC 5321 §4.1.1.10)
  }
}

void ClientSession::command(std::string_view line, Awaiting what, std::size_t index) {
  output_.append(line);
  output_.append("\r\n");
  expected_.push_back({what, index});
}

// Records the first failure, publishes a running transaction, then says goodbye: QUIT when the
// dialogue is still in step (RFC 5321 §4.1.1.10, §3.1 after a 554 greeting), a plain close
// after a 421, a broken reply stream, a failed handshake or a timeout.
void ClientSession::fail(SessionFailure failure, std::optional<Reply> reply) {
  const bool in_step =
      failure != SessionFailure::protocol_error && failure != SessionFailure::tls_failed &&
      failure != SessionFailure::connection_lost && failure != SessionFailure::timed_out &&
      !(reply && closes_connection(*reply));
  if (failure_ == SessionFailure::none) {
    failure_ = failure;
    failure_reply_ = std::move(reply);
  }
  abandon_transaction();
  expected_.clear();
  if (in_step && !quit_sent_) return send_quit();
  close();
}

void ClientSession::send_quit() {
  quit_sent_ = true;
  command("QUIT", Awaiting::quit);
}

bool ClientSession::quit_instead() {
  if (!quit_requested_ || quit_sent_) return false;
  send_quit();
  return true;
}

void ClientSession::close() {
  closed_ = true;
  tls_pending_ = false;
  expected_.clear();
  action_ = CloseAction{};
}

}  // namespace postern::smtp
