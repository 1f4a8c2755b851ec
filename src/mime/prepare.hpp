#pragma once
// The message as it is stored in the queue: the submitted bytes with the trace field prepended
// and the fields a submission server completes (RFC 6409 §8) added.

#include <string>
#include <string_view>

#include "mime/received.hpp"

namespace postern::mime {

// "<queue_id@hostname>" (RFC 5322 §3.6.4). The queue id is unique per message and the host
// name per server, so the id is globally unique. Characters outside dot-atom text become "-".
[[nodiscard]] std::string make_message_id(std::string_view queue_id, std::string_view hostname);

struct PrepareInput {
  // The Received field; its queue_id and by_host also make the Message-ID, its time the Date.
  ReceivedInfo received;
  bool add_message_id = true;  // RFC 6409 §8.3: add Message-ID when missing
  bool add_date = true;        // RFC 6409 §8.1: add Date when missing
};

// Returns Received + the submitted header section + missing "Message-ID:" and "Date:" fields +
// the rest of the submission, byte for byte. Special cases:
//   - empty content, or fields only: the added fields are appended (a missing final CRLF of
//     the last field is supplied first);
//   - no empty line before the body (the first line that is not a field starts the body, as in
//     a message without any header): an empty line is inserted after the added fields, since
//     the prepended Received would otherwise turn the first body line into a broken field.
// Added lines end in CRLF.
[[nodiscard]] std::string prepare_for_queue(std::string_view content, const PrepareInput& input);

}  // namespace postern::mime
