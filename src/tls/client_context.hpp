#pragma once
// The TLS client side, for delivery to the provider (smtp-checklist "Upstream client"):
// TLS >= 1.2, the peer certificate verified against the system trust store (plus an optional
// extra CA file) and against the configured host name (RFC 9525), SNI set (RFC 6066 §3).

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "core/result.hpp"
#include "tls/errors.hpp"

namespace postern::tls {

// A client context: TLS 1.2 minimum, the server context's cipher list, no compression, no
// renegotiation, verify_peer with the system trust store (OpenSSL default paths, which honour
// SSL_CERT_FILE / SSL_CERT_DIR) and, when given, the PEM certificates in `extra_ca_file`.
// The context alone does not check host names: call prepare_client_ssl() on every connection.
// Errors: Errc::ca_unreadable (why names the file), bad_configuration.
[[nodiscard]] core::Result<std::shared_ptr<boost::asio::ssl::context>> make_client_context(
    const std::optional<std::filesystem::path>& extra_ca_file = std::nullopt,
    std::string* why = nullptr);

// Prepares one client connection before its handshake: verify_peer, and for a DNS name SNI plus
// host name verification against the subjectAltName dNSNames only (no fallback to the subject
// CN, RFC 9525 §6.3; wildcards only as the whole left-most label); for an IP literal, no SNI
// (RFC 6066 §3 forbids it) and verification against the iPAddress names. A trailing dot is
// ignored. A mismatch fails the handshake (verify result X509_V_ERR_HOSTNAME_MISMATCH).
// Errors: Errc::invalid_hostname, bad_configuration.
[[nodiscard]] core::Status prepare_client_ssl(SSL* ssl, std::string_view host);

}  // namespace postern::tls
