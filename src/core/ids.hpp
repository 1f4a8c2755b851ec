#pragma once
// Queue ids: 20 characters of Crockford base32, time-ordered (50-bit milliseconds since the
// epoch, then 50 random bits), so `ls` order is arrival order and ids never collide in practice.

#include <cstdint>
#include <string>

namespace postern::core {

// Thread-safe. `unix_ms` is the caller's clock reading (core has no clock of its own).
std::string make_queue_id(std::uint64_t unix_ms);

// A short random id for log correlation of a connection (10 base32 characters).
std::string make_session_id();

}  // namespace postern::core
