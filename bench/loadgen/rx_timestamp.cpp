#include "loadgen/rx_timestamp.hpp"

#include <sys/socket.h>
#include <time.h>  // before linux/errqueue.h, which uses struct timespec

#include <linux/errqueue.h>
#include <linux/net_tstamp.h>

#include <array>
#include <cstring>

namespace postern::loadgen {

namespace {
std::int64_t to_ns(const timespec& ts) {
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
}  // namespace

void enable_rx_timestamps(int fd) {
  const int flags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
  (void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags);
}

std::optional<std::int64_t> peek_rx_timestamp_ns(int fd) {
  std::array<char, 256> data{};
  alignas(cmsghdr) std::array<char, 256> control{};
  iovec iov{data.data(), data.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  if (recvmsg(fd, &msg, MSG_PEEK | MSG_DONTWAIT) <= 0) return std::nullopt;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPING) {
      scm_timestamping stamps{};
      std::memcpy(&stamps, CMSG_DATA(c), sizeof stamps);
      if (stamps.ts[0].tv_sec != 0 || stamps.ts[0].tv_nsec != 0) return to_ns(stamps.ts[0]);
    }
  }
  return std::nullopt;
}

std::int64_t realtime_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return to_ns(ts);
}

}  // namespace postern::loadgen
