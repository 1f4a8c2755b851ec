#pragma once
// What a finished handshake negotiated, for the Received header (RFC 5321 §4.4 comment) and
// the logs.

#include <string>

#include <openssl/ssl.h>

namespace postern::tls {

struct SessionSummary {
  std::string version;  // "TLSv1.3"
  std::string cipher;   // OpenSSL name: "TLS_AES_256_GCM_SHA384", "ECDHE-RSA-AES128-GCM-SHA256"
  bool resumed = false; // an abbreviated handshake (cache or ticket)

  // "TLSv1.3:TLS_AES_256_GCM_SHA384"
  [[nodiscard]] std::string to_string() const { return version + ":" + cipher; }
};

// REQUIRES: the handshake on `ssl` has completed.
[[nodiscard]] SessionSummary peer_summary(const SSL* ssl);

// OpenSSL's text for the peer verification result ("ok", "hostname mismatch",
// "self-signed certificate", ...), for logs and `postern doctor`.
[[nodiscard]] std::string verify_result_text(const SSL* ssl);

}  // namespace postern::tls
