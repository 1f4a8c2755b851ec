#include "policy/egress.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace postern::policy {
namespace {

constexpr std::string_view kWayOut = "use the provider's submission port 587 with STARTTLS";

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::optional<EgressViolation> check_egress(std::string_view host, std::uint16_t port,
                                            UpstreamTls tls, bool loopback) {
  if (loopback) return std::nullopt;  // tests and local sidecars: any port, TLS as configured
  const std::string where = "upstream " + std::string(host) + ":" + std::to_string(port);
  if (port == 25) {
    return EgressViolation{EgressError::port_25_blocked,
                           "port 25 is blocked by the platform; " + std::string(kWayOut)};
  }
  if (port == 465) {
    return EgressViolation{EgressError::port_465_blocked,
                           "port 465 is blocked by the platform; " + std::string(kWayOut)};
  }
  if (port != kSubmissionPort) {
    return EgressViolation{EgressError::not_submission_port,
                           where +
                               ": only port 587 (submission with STARTTLS) may leave the "
                               "host; other ports are allowed for loopback upstreams only"};
  }
  if (tls == UpstreamTls::none) {
    return EgressViolation{EgressError::plaintext_not_loopback,
                           where +
                               ": tls = none is allowed for loopback upstreams only; "
                               "a remote provider needs STARTTLS with a verified certificate"};
  }
  return std::nullopt;
}

bool is_loopback_host(std::string_view host) {
  std::string h = lowered(host);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h == "localhost" || h == "localhost.") return true;
  unsigned char v4[sizeof(in_addr)];
  if (::inet_pton(AF_INET, h.c_str(), v4) == 1) return v4[0] == 127;  // 127.0.0.0/8
  in6_addr v6{};
  if (::inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
    static const in6_addr kLoopback = IN6ADDR_LOOPBACK_INIT;
    if (std::memcmp(&v6, &kLoopback, sizeof v6) == 0) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;  // ::ffff:127.0.0.0/104
  }
  return false;
}

}  // namespace postern::policy
