// DATA (RFC 5321 §4.1.1.4) and the end of a transaction.
#include <utility>

#include "smtp/replies.hpp"
#include "smtp/server_session.hpp"

namespace postern::smtp {

void ServerSession::handle_data(std::string_view argument) {
  if (!may_transact()) return;
  if (!in_transaction_) return protocol_error(replies::need_mail());
  if (envelope_.rcpt_to.empty()) return protocol_error(replies::need_rcpt());  // §3.3: 554
  if (!argument.empty()) return protocol_error(replies::no_parameters_allowed());
  reply(replies::start_data());
  phase_ = Phase::data;
  data_.emplace(DataLimits{config_.limits.max_text_line, config_.limits.max_message_size,
                           config_.bare_line_policy});
}

// After <CRLF>.<CRLF>: a clean message goes to the store (the reply waits for it, invariant
// 1); a refused one is answered at once. The transaction ends either way.
void ServerSession::finish_data() {
  phase_ = Phase::command;
  const DataDecoder::Verdict verdict = data_->verdict();
  std::string content = data_->take_content();
  data_.reset();
  switch (verdict) {
    case DataDecoder::Verdict::ok:
      start_action(StoreMessage{std::move(envelope_), account_, std::move(content)},
                   Awaiting::store);
      break;
    case DataDecoder::Verdict::bare_line_ending:
      reply(replies::bare_line_ending_in_message());
      break;
    case DataDecoder::Verdict::too_big:
      reply(replies::message_too_big());
      break;
    case DataDecoder::Verdict::line_too_long:
      reply(replies::text_line_too_long());
      break;
  }
  reset_transaction();
}

// The store's answer to the final dot: 250 once durable, 451/452 on failure, 421 when
// acceptance has stopped (smtp-checklist "Durability").
void ServerSession::on_message_stored(Reply reply_to_dot) {
  if (closed_) return;
  await_result(Awaiting::store);
  reply(reply_to_dot);
  if (closes_connection(reply_to_dot)) close();
  process_input();
}

}  // namespace postern::smtp
