// One mail transaction (RFC 5321 §3.3): MAIL, RCPT, DATA, the body, the final dot, and RSET
// after an abnormal end. With PIPELINING (RFC 2920 §3.1) MAIL, every RCPT and DATA go in one
// write and the replies are read in order; without it, one command per reply.
#include <cstdlib>
#include <string>
#include <utility>

#include "smtp/client_session.hpp"
#include "smtp/dot_stuffing.hpp"

namespace postern::smtp {
namespace {

bool positive(const Reply& reply) { return reply.code >= 200 && reply.code <= 299; }

// A path goes on the wire between "<" and ">": a control character (CR, LF above all), "<" or
// ">" in it would let an address smuggle a command or parameter.
bool is_wire_safe(std::string_view address) {
  for (const char c : address) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F || c == '<' || c == '>') return false;
  }
  return true;
}

}  // namespace

void ClientSession::send(OutgoingMessage message) {
  if (!ready()) std::abort();  // REQUIRES: ready()
  Transaction txn;
  txn.result.recipients.reserve(message.rcpt_to.size());
  for (const std::string& address : message.rcpt_to) txn.result.recipients.push_back({address, {}});
  txn.message = std::move(message);
  txn_ = std::move(txn);
  if (!prepare_envelope()) return;
  // After a transaction that ended early the server may still hold its envelope (§4.1.1.5).
  // RSET may open a pipelined group (RFC 2920 §3.1); without PIPELINING it is answered first.
  if (std::exchange(rset_needed_, false)) {
    command("RSET", Awaiting::rset);
    if (!caps_.pipelining) return;
  }
  send_envelope();
}

// Sorts out the addresses that must not reach the wire (they get a local reply).
bool ClientSession::prepare_envelope() {
  Transaction& t = *txn_;
  const OutgoingMessage& m = t.message;
  if (!is_wire_safe(m.mail_from)) {
    t.result.mail_reply = Reply{501, "5.1.7 Sender address not allowed on the wire (local)"};
    finish_transaction(rset_needed_);
    return false;
  }
  for (std::size_t i = 0; i < m.rcpt_to.size(); ++i) {
    if (is_wire_safe(m.rcpt_to[i])) {
      t.wire_rcpts.push_back(i);
    } else {
      t.result.recipients[i].reply =
          Reply{501, "5.1.3 Recipient address not allowed on the wire (local)"};
    }
  }
  if (!t.wire_rcpts.empty()) return true;
  finish_transaction(rset_needed_);
  return false;
}

// MAIL FROM:<path> with BODY=8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531) and SIZE= (RFC 1870)
// where the server offers them and the message needs them.
void ClientSession::send_envelope() {
  Transaction& t = *txn_;
  const OutgoingMessage& m = t.message;
  std::string mail = "MAIL FROM:<" + m.mail_from + ">";
  if (m.body_8bitmime && caps_.eight_bit_mime) mail += " BODY=8BITMIME";
  if (m.smtputf8 && caps_.smtputf8) mail += " SMTPUTF8";
  if (caps_.size) mail += " SIZE=" + std::to_string(canonical_size(m.content));
  command(mail, Awaiting::mail);
  if (!caps_.pipelining) return;
  while (t.next_rcpt < t.wire_rcpts.size()) send_next_rcpt();
  command("DATA", Awaiting::data);  // last in the group (RFC 2920 §3.1)
}

void ClientSession::send_next_rcpt() {
  Transaction& t = *txn_;
  const std::size_t index = t.wire_rcpts[t.next_rcpt++];
  command("RCPT TO:<" + t.message.rcpt_to[index] + ">", Awaiting::rcpt, index);
}

void ClientSession::on_mail(const Reply& reply) {
  txn_->result.mail_reply = reply;
  if (closes_connection(reply)) return fail(SessionFailure::connection_lost, reply);
  if (caps_.pipelining) return;  // the RCPTs and DATA are on their way; their replies follow
  if (!positive(reply)) return finish_transaction(true);
  send_next_rcpt();
}

void ClientSession::on_rcpt(const Reply& reply, std::size_t index) {
  txn_->result.recipients[index].reply = reply;
  if (closes_connection(reply)) return fail(SessionFailure::connection_lost, reply);
  if (caps_.pipelining) return;
  if (txn_->next_rcpt < txn_->wire_rcpts.size()) return send_next_rcpt();
  after_envelope();
}

// Without PIPELINING: DATA only if a recipient was accepted; otherwise the transaction ends
// here (RSET before the next MAIL).
void ClientSession::after_envelope() {
  if (!transaction_viable()) return finish_transaction(true);
  command("DATA", Awaiting::data);
}

bool ClientSession::transaction_viable() const {
  const TransactionResult& r = txn_->result;
  if (!r.mail_reply || !positive(*r.mail_reply)) return false;
  for (const RecipientReply& rcpt : r.recipients) {
    if (positive(rcpt.reply)) return true;
  }
  return false;
}

// 354: the body, dot-stuffed with canonical CRLF, and the final dot. 354 although nothing was
// accepted (a pipelining server that does not refuse DATA): a lone "." ends the empty message
// (RFC 2920 §3.1). Any other answer ends the transaction. Either way RSET precedes the next
// MAIL.
void ClientSession::on_data(const Reply& reply) {
  Transaction& t = *txn_;
  t.result.data_reply = reply;
  if (closes_connection(reply)) return fail(SessionFailure::connection_lost, reply);
  if (reply.code != 354) return finish_transaction(true);
  if (!transaction_viable()) return command(".", Awaiting::lone_dot);
  append_data_body(output_, t.message.content);
  std::string().swap(t.message.content);  // sent: free it now
  t.dot_sent = true;
  expected_.push_back({Awaiting::dot});
}

// The reply to the final dot decides for every accepted recipient (§4.1.1.4); the server has
// ended the transaction either way, so no RSET follows.
void ClientSession::on_dot(const Reply& reply, bool lone) {
  if (!lone) txn_->result.final_reply = reply;
  if (closes_connection(reply)) return fail(SessionFailure::connection_lost, reply);
  finish_transaction(lone);
}

// Publishes the result. A transaction that ended early needs RSET (§4.1.1.5) before the next
// MAIL; QUIT, when asked for, ends everything anyway.
void ClientSession::finish_transaction(bool needs_rset) {
  results_.push_back(std::move(txn_->result));
  txn_.reset();
  rset_needed_ = needs_rset;
  static_cast<void>(quit_instead());
}

// The link died, timed out or was refused mid-transaction: publish what is known. After the
// final dot and before its reply, the provider may hold the message (at-least-once window).
void ClientSession::abandon_transaction() {
  if (!txn_) return;
  txn_->result.ambiguous = txn_->dot_sent && !txn_->result.final_reply;
  results_.push_back(std::move(txn_->result));
  txn_.reset();
}

// RSET must succeed (§4.1.1.5); if it does not, the two sides disagree on the state. Without
// PIPELINING the envelope waits for this answer.
void ClientSession::on_rset(const Reply& reply) {
  if (closes_connection(reply)) return fail(SessionFailure::connection_lost, reply);
  if (!positive(reply)) return fail(SessionFailure::protocol_error, reply);
  if (!caps_.pipelining) send_envelope();
}

}  // namespace postern::smtp
