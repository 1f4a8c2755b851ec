// Fuzzes the message inspection the accept pipeline runs on every submitted message: the
// header section scan, From address extraction, and the stored form (prepare_for_queue).
// Invariants: never crash; bounded output; the submitted bytes survive preparation verbatim.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "mime/address_list.hpp"
#include "mime/header_view.hpp"
#include "mime/prepare.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace postern::mime;

  const AddressList list = parse_address_list(input);
  FUZZ_CHECK(list.addresses.size() <= kMaxAddresses);

  const HeaderView view = inspect_headers(input);
  FUZZ_CHECK(view.from_addresses.size() <= kMaxAddresses);
  for (const auto& address : view.from_addresses) FUZZ_CHECK(address.size() <= size);

  PrepareInput prepare;
  prepare.received.helo = "client.example";
  prepare.received.client_ip = "192.0.2.1";
  prepare.received.by_host = "postern.test";
  prepare.received.queue_id = "01M8KNTEWGVVGYFB9FEF";
  const std::string stored = prepare_for_queue(input, prepare);
  FUZZ_CHECK(stored.size() >= size);
  FUZZ_CHECK(stored.rfind("Received: ", 0) == 0);
  // The body (everything after the first empty line) is kept byte for byte.
  if (const auto end = input.find("\r\n\r\n"); end != std::string_view::npos) {
    const std::string_view body = input.substr(end + 4);
    FUZZ_CHECK(std::string_view(stored).substr(stored.size() - body.size()) == body);
  }
  return 0;
}
