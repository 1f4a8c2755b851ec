#pragma once
// The accept pipeline: what happens between the final dot and the reply to it.
//   1. sender rights on the header From (smtp-checklist: held to the envelope rule by default);
//   2. the stored form: Received prepended, Message-ID and Date added when missing (RFC 6409 §8);
//   3. store commit; the reply is 250 only once the commit is durable (invariant 1).

#include <chrono>
#include <functional>
#include <string>

#include "policy/sender_rules.hpp"
#include "smtp/reply.hpp"
#include "smtp/server_session.hpp"
#include "store/store.hpp"

namespace postern::server {

// What the connection knows about the client, for the Received header and the record.
struct ClientFacts {
  std::string address;      // peer IP as text
  std::string tls_version;  // "TLSv1.3"; empty without TLS
  std::string tls_cipher;   // "TLS_AES_256_GCM_SHA384"
  bool authenticated = false;
};

struct AcceptOptions {
  std::string hostname;
  bool check_header_from = true;
};

// Checks, prepares and commits `message`; calls `done` exactly once with the reply to the final
// dot, from a store thread or inline (for refusals). `senders` are the account's rights.
void accept_message(const AcceptOptions& options, store::Store& store,
                    const policy::SenderRules& senders, const ClientFacts& client,
                    smtp::StoreMessage message, std::chrono::system_clock::time_point now,
                    std::function<void(smtp::Reply, std::string queue_id)> done);

}  // namespace postern::server
