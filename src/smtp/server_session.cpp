// ServerSession core: the input loop, replies, protocol-error counting, actions and closing.
// Command groups live in server_session_{greeting,auth,envelope,data}.cpp.
#include "smtp/server_session.hpp"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "smtp/replies.hpp"
#include "smtp/sasl.hpp"
#include "smtp/text.hpp"

namespace postern::smtp {

ServerSession::ServerSession(SessionConfig config)
    : config_(std::move(config)), tls_(config_.tls_active) {}

void ServerSession::on_connect() {
  if (connected_) std::abort();  // REQUIRES: called once
  connected_ = true;
  reply(replies::greeting(config_.hostname));
}

void ServerSession::on_bytes(std::string_view bytes) {
  if (!connected_) std::abort();  // REQUIRES: on_connect() first
  if (closed_) return;
  // Bytes that arrive between STARTTLS and the handshake are plaintext injection
  // (CVE-2011-0411): never keep them.
  if (awaiting_ == Awaiting::tls) return;
  input_.append(bytes);
  process_input();
}

void ServerSession::on_timeout() {
  if (closed_) return;
  reply(replies::timeout(config_.hostname));
  close();
}

bool ServerSession::between_commands() const {
  return !closed_ && phase_ == Phase::command && awaiting_ == Awaiting::nothing && input_.empty() &&
         !action_;
}

bool ServerSession::on_shutdown() {
  if (closed_) return true;
  if (!between_commands()) return false;
  reply(replies::shutting_down(config_.hostname));
  close();
  return true;
}

std::string ServerSession::take_output() { return std::exchange(output_, std::string()); }

std::optional<Action> ServerSession::take_action() { return std::exchange(action_, std::nullopt); }

std::chrono::milliseconds ServerSession::timeout() const {
  // RFC 5321 §4.5.3.2: a DATA block timeout while reading the body; short before AUTH.
  if (phase_ == Phase::data) return config_.limits.data_block;
  return authenticated_ ? config_.limits.command : config_.limits.unauthenticated_command;
}

bool ServerSession::closed() const { return closed_; }
bool ServerSession::tls_active() const { return tls_; }
bool ServerSession::authenticated() const { return authenticated_; }
const std::string& ServerSession::account() const { return account_; }

// Processes buffered input one command at a time, until more bytes are needed, an action
// waits for its result (pipelining, RFC 2920 §3.1), or the session ends.
void ServerSession::process_input() {
  std::size_t pos = 0;
  while (!closed_ && awaiting_ == Awaiting::nothing && pos < input_.size()) {
    const std::string_view rest = std::string_view(input_).substr(pos);
    if (phase_ == Phase::data) {
      pos += data_->feed(rest);
      if (data_->done()) finish_data();
      continue;
    }
    const LineSplitter::Result next = splitter_.next(rest, line_limit(rest));
    pos += next.consumed;
    if (next.kind == LineSplitter::Kind::need_more) break;
    if (next.kind == LineSplitter::Kind::line) {
      handle_line(next.line);
      continue;
    }
    // A refused line also ends an AUTH exchange in progress.
    phase_ = Phase::command;
    protocol_error(next.kind == LineSplitter::Kind::too_long
                       ? replies::command_too_long()
                       : replies::bare_line_ending_in_command());
  }
  if (closed_ || discard_input_) {
    input_.clear();
    discard_input_ = false;
  } else {
    input_.erase(0, pos);
  }
}

// RFC 4954 §4: a server must take the longest response its mechanisms produce (PLAIN with
// 255-octet names and password is over 1000 octets in base64), and 12288 octets is named as
// enough. The same bound is granted to an AUTH command line carrying its initial response,
// which clients such as Python's smtplib send whatever its length. Every other line keeps the
// configured command limit.
std::size_t ServerSession::line_limit(std::string_view rest) const {
  const std::size_t configured = config_.limits.max_command_line;
  const bool auth_line = phase_ == Phase::auth_response ||
                         (rest.size() >= 5 && equals_ignore_case(rest.substr(0, 5), "AUTH "));
  return auth_line ? std::max(configured, kMaxSaslLine) : configured;
}

void ServerSession::handle_line(std::string_view line) {
  if (phase_ == Phase::auth_response) {
    handle_auth_response(line);
    return;
  }
  dispatch(parse_command(line));
}

void ServerSession::dispatch(const Command& command) {
  const std::string_view arg = command.argument;
  switch (command.verb) {
    case Verb::ehlo:
      return handle_ehlo(arg, true);
    case Verb::helo:
      return handle_ehlo(arg, false);
    case Verb::mail:
      return handle_mail(arg);
    case Verb::rcpt:
      return handle_rcpt(arg);
    case Verb::data:
      return handle_data(arg);
    case Verb::rset:
      return handle_rset(arg);
    case Verb::noop:
      return reply(replies::ok());  // NOOP [SP String] (§4.1.1.9)
    case Verb::quit:
      return handle_quit(arg);
    case Verb::help:
      return reply(replies::help());
    case Verb::vrfy:
      return handle_vrfy(arg);
    case Verb::expn:
      return reply(replies::expn());  // §3.5.2: EXPN may be disabled
    case Verb::starttls:
      return handle_starttls(arg);
    case Verb::auth:
      return handle_auth(arg);
    case Verb::http:
      // A browser or a cross-protocol request: no point in reading more (smtp-checklist).
      reply(replies::http_refused());
      return close();
    case Verb::unknown:
      return protocol_error(replies::unknown_command());
  }
}

void ServerSession::reply(const Reply& reply) { append_reply(output_, reply); }

void ServerSession::protocol_error(const Reply& error) {
  reply(error);
  if (++errors_ >= config_.limits.max_errors) {
    reply(replies::too_many_errors());
    close();
  }
}

void ServerSession::start_action(Action action, Awaiting awaiting) {
  action_ = std::move(action);
  awaiting_ = awaiting;
}

void ServerSession::await_result(Awaiting awaiting) {
  if (awaiting_ != awaiting) std::abort();  // a result nobody asked for: a driver bug
  awaiting_ = Awaiting::nothing;
  action_.reset();
}

void ServerSession::reset_transaction() {
  in_transaction_ = false;
  envelope_ = Envelope{};
}

void ServerSession::close() {
  closed_ = true;
  phase_ = Phase::command;
  data_.reset();
  awaiting_ = Awaiting::nothing;
  action_ = CloseConnection{};
}

}  // namespace postern::smtp
