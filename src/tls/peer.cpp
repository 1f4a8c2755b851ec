#include "tls/peer.hpp"

#include <openssl/x509.h>

namespace postern::tls {

SessionSummary peer_summary(const SSL* ssl) {
  SessionSummary summary;
  summary.version = SSL_get_version(ssl);
  if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl)) {
    summary.cipher = SSL_CIPHER_get_name(cipher);
  }
  summary.resumed = SSL_session_reused(ssl) == 1;
  return summary;
}

std::string verify_result_text(const SSL* ssl) {
  return X509_verify_cert_error_string(SSL_get_verify_result(ssl));
}

}  // namespace postern::tls
