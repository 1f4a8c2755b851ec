#pragma once
// The TLS server context of the submission listener (RFC 3207 STARTTLS, RFC 8314 §3 minimums).
// One context is shared by every connection; sessions resume through the server-side cache and
// TLS tickets, which saves the full handshake, the CPU hot spot of a busy listener.

#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "core/result.hpp"
#include "tls/errors.hpp"

namespace postern::tls {

// Mozilla "intermediate" TLS 1.2 cipher list (server-side guidelines 5.7) without the DHE
// suites: they need operator-supplied DH parameters and add nothing over ECDHE for the mail
// clients of 2020 onwards. TLS 1.3 suites are OpenSSL's defaults (all AEAD).
inline constexpr const char* kIntermediateCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
inline constexpr const char* kGroups = "X25519:P-256:P-384";

// How long a resumable session (cache entry or ticket) stays valid. An hour covers an
// application that reconnects for each message without keeping key material around for long.
inline constexpr long kSessionLifetimeSeconds = 3600;

// Builds a server context: TLS 1.2 minimum, kIntermediateCiphers, no compression (CRIME), no
// renegotiation, session cache and tickets on. Loads the PEM certificate chain (leaf first) and
// the PEM private key (unencrypted: a passphrase would need a prompt at start-up) and checks
// that the key belongs to the certificate.
// Errors: Errc::cert_unreadable, key_unreadable, key_mismatch, bad_configuration; *why (if
// given) names the file and gives OpenSSL's reason.
[[nodiscard]] core::Result<std::shared_ptr<boost::asio::ssl::context>> make_server_context(
    const std::filesystem::path& cert_pem_path, const std::filesystem::path& key_pem_path,
    std::string* why = nullptr);

}  // namespace postern::tls
