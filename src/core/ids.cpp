#include "core/ids.hpp"

#include <random>

namespace postern::core {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // Crockford base32

std::uint64_t random_u64() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine();
}

void append_base32(std::string& out, std::uint64_t value, int chars) {
  for (int i = chars - 1; i >= 0; --i) out.push_back(kAlphabet[(value >> (5 * i)) & 31]);
}

}  // namespace

std::string make_queue_id(std::uint64_t unix_ms) {
  std::string id;
  id.reserve(20);
  append_base32(id, unix_ms & ((1ULL << 50) - 1), 10);  // 50 bits: good until year 37648
  append_base32(id, random_u64() >> 14, 10);            // 50 random bits
  return id;
}

std::string make_session_id() {
  std::string id;
  append_base32(id, random_u64() >> 14, 10);
  return id;
}

}  // namespace postern::core
