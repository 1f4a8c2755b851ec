#pragma once
// What the server needs to know about a submitted message's header section: whether it must
// add Message-ID and Date (RFC 6409 §8.1, §8.3), and the From addresses that the sender-rights
// policy checks against the account (smtp-checklist "Sender rights").

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace postern::mime {

struct HeaderView {
  bool has_message_id = false;
  bool has_date = false;
  std::string message_id;                   // the first Message-ID value, unfolded and trimmed
  std::size_t from_count = 0;               // From fields; RFC 5322 §3.6 wants exactly one
  std::vector<std::string> from_addresses;  // addr-specs of every From field, in order
  bool from_malformed = false;              // a From field held no mailbox, or junk
  bool has_separator = false;               // an empty line separates header and body
};

// Inspects the header section of `message` (everything before the first empty line, see
// scan_header_block). Linear in the header size; at most kMaxAddresses From addresses are kept.
[[nodiscard]] HeaderView inspect_headers(std::string_view message);

}  // namespace postern::mime
