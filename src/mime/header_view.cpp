#include "mime/header_view.hpp"

#include "mime/address_list.hpp"
#include "mime/header_block.hpp"

namespace postern::mime {

HeaderView inspect_headers(std::string_view message) {
  const HeaderBlock block = scan_header_block(message);
  HeaderView view;
  view.has_separator = block.ending == HeaderBlock::Ending::separator;
  for (const RawField& field : block.fields) {
    if (name_equals(field.name, "Message-ID")) {
      if (!view.has_message_id) view.message_id = unfold(field.value);
      view.has_message_id = true;
    } else if (name_equals(field.name, "Date")) {
      view.has_date = true;
    } else if (name_equals(field.name, "From")) {
      ++view.from_count;
      AddressList list = parse_address_list(unfold(field.value));
      view.from_malformed = view.from_malformed || list.malformed || list.addresses.empty();
      for (std::string& address : list.addresses) {
        if (view.from_addresses.size() >= kMaxAddresses) {
          view.from_malformed = true;
          break;
        }
        view.from_addresses.push_back(std::move(address));
      }
    }
  }
  return view;
}

}  // namespace postern::mime
