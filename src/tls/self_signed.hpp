#pragma once
// The self-signed fallback certificate: a first run without an operator certificate still
// offers STARTTLS (clients then pin or trust this certificate explicitly).

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "tls/errors.hpp"

namespace postern::tls {

struct CertPaths {
  std::filesystem::path cert;  // <data_dir>/tls/cert.pem
  std::filesystem::path key;   // <data_dir>/tls/key.pem, mode 0600
  bool generated = false;      // true if this call created them
};

// 825 days: the longest validity Apple platforms (iOS 13, macOS 10.15 onwards) accept for any
// TLS server certificate, including self-signed ones a user chose to trust; longer ones are
// rejected there whatever the trust settings. It is also the CA/Browser Forum limit of
// 2018-2020, so no common client refuses it for its lifetime.
inline constexpr std::chrono::days kSelfSignedValidity{825};

// Returns <data_dir>/tls/{cert,key}.pem, generating them first if they do not exist:
// an ECDSA P-256 key and a self-signed X.509 v3 certificate signed with SHA-256, a random
// positive 128-bit serial, valid from one hour ago (clock skew) for kSelfSignedValidity, with
// CN=hostname (when it fits the 64-octet limit) and subjectAltName DNS:hostname (IP:hostname
// for an IP literal), DNS:localhost, IP:127.0.0.1, IP:::1; basicConstraints CA:FALSE,
// extendedKeyUsage serverAuth.
// Each file is written atomically (temporary file, fsync, rename, directory fsync), the key
// first with mode 0600 and the directory with mode 0700, so after a crash either both files
// exist or only a key, which the next call replaces. Existing files are never overwritten or
// checked here (make_server_context checks them); cert.pem without key.pem is an error
// because the operator's certificate must not be replaced silently.
// Not safe against two processes generating in the same directory at the same time.
// Errors: Errc::invalid_hostname, generation_failed, write_failed, incomplete_files.
[[nodiscard]] core::Result<CertPaths> ensure_self_signed(const std::filesystem::path& data_dir,
                                                         std::string_view hostname,
                                                         std::string* why = nullptr);

}  // namespace postern::tls
