#pragma once
// Kernel receive timestamps (SO_TIMESTAMPING, software, CLOCK_REALTIME) so the final-dot
// latency can also be read "on the wire": from writing the dot to the moment the kernel
// received the reply, whatever the load generator's own threads were busy with meanwhile.
// Linux only; every call is best effort.

#include <cstdint>
#include <optional>

namespace postern::loadgen {

// Asks the kernel to timestamp every segment received on `fd`.
void enable_rx_timestamps(int fd);
// Receive time of the data waiting in `fd`'s queue (read with MSG_PEEK, nothing consumed), in
// ns since the epoch; nullopt when nothing is queued or the kernel gave no timestamp.
[[nodiscard]] std::optional<std::int64_t> peek_rx_timestamp_ns(int fd);
// CLOCK_REALTIME now, in ns: the clock the kernel timestamps use.
[[nodiscard]] std::int64_t realtime_ns();

}  // namespace postern::loadgen
