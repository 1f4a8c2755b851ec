#pragma once
// policy::check_egress — architecture invariant 4: mail leaves the host towards a
// non-loopback upstream only on port 587 with STARTTLS (TLS >= 1.2, certificate verified
// against the trust store and the host name, SNI set; enforced by delivery/ and tls/).
// Ports 25 and 465 are blocked by the platform and refused at config load with the way out.
// Loopback upstreams (tests, local sidecars) may use any port, and plaintext when the
// config says so explicitly (UpstreamTls::none).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "policy/profile.hpp"

namespace postern::policy {

enum class EgressError {
  port_25_blocked,         // non-loopback port 25
  port_465_blocked,        // non-loopback port 465
  not_submission_port,     // non-loopback, another port than 587
  plaintext_not_loopback,  // UpstreamTls::none towards a non-loopback host
};

struct EgressViolation {
  EgressError error;
  // One line for the operator, e.g. "port 25 is blocked by the platform; use the provider's
  // submission port 587 with STARTTLS". Names no secret.
  std::string message;
  friend bool operator==(const EgressViolation&, const EgressViolation&) = default;
};

inline constexpr std::uint16_t kSubmissionPort = 587;

// nullopt if `host`:`port` with `tls` is allowed. `loopback` says whether host is a loopback
// address (is_loopback_host()); the port is checked before TLS.
[[nodiscard]] std::optional<EgressViolation> check_egress(std::string_view host, std::uint16_t port,
                                                          UpstreamTls tls, bool loopback);

// True for "localhost", "localhost.", 127.0.0.0/8, ::1 (also "[::1]") and ::ffff:127.x.y.z. No DNS
// lookup: any other name is treated as non-loopback.
[[nodiscard]] bool is_loopback_host(std::string_view host);

}  // namespace postern::policy
