#include "server/accept.hpp"

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"
#include "mime/header_view.hpp"
#include "mime/prepare.hpp"
#include "smtp/replies.hpp"

namespace postern::server {
namespace {

// Sender rights apply to the header From as to the envelope (smtp-checklist "Sender rights"):
// every address of every From field must be allowed. A message without From is left alone
// (RFC 6409 §8 lets the MSA complete it; the provider decides), a From that holds no
// mailbox is refused, since it cannot be checked.
bool header_from_allowed(const mime::HeaderView& headers, const policy::SenderRules& senders) {
  if (headers.from_malformed) return false;
  for (const auto& address : headers.from_addresses) {
    if (address.empty() || !senders.allows(address)) return false;
  }
  return true;
}

smtp::Reply reply_for(core::Status status, const std::string& queue_id) {
  if (!status) return smtp::replies::queued(queue_id);
  if (status == core::Errc::disk_full) return smtp::replies::store_full();
  return smtp::replies::store_failed();
}

}  // namespace

void accept_message(const AcceptOptions& options, store::Store& store,
                    const policy::SenderRules& senders, const ClientFacts& client,
                    smtp::StoreMessage message, std::chrono::system_clock::time_point now,
                    std::function<void(smtp::Reply, std::string)> done) {
  const mime::HeaderView headers = mime::inspect_headers(message.content);
  if (options.check_header_from && !header_from_allowed(headers, senders)) {
    done(smtp::replies::header_from_not_allowed(), {});
    return;
  }

  std::string queue_id = core::make_queue_id(core::to_unix_ms(now));
  mime::PrepareInput prepare;
  prepare.received = mime::ReceivedInfo{
      .helo = message.envelope.helo,
      .client_ip = client.address,
      .by_host = options.hostname,
      .queue_id = queue_id,
      .esmtp = message.envelope.esmtp,
      .tls = !client.tls_version.empty(),
      .tls_version = client.tls_version,
      .tls_cipher = client.tls_cipher,
      .authenticated = client.authenticated,
      .time = now,
  };

  store::NewMessage record;
  record.queue_id = queue_id;
  record.account = std::move(message.account);
  record.client_address = client.address;
  record.mail_from = std::move(message.envelope.mail_from);
  record.rcpt_to = std::move(message.envelope.rcpt_to);
  record.content = mime::prepare_for_queue(message.content, prepare);
  record.body_8bitmime = message.envelope.body_8bitmime;
  record.smtputf8 = message.envelope.smtputf8;
  record.received_at_ms = core::to_unix_ms(now);

  store.async_commit(std::move(record),
                     [queue_id = std::move(queue_id), done = std::move(done)](core::Status s) {
                       done(reply_for(s, queue_id), s ? std::string() : queue_id);
                     });
}

}  // namespace postern::server
