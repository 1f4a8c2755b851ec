#include "tls/server_context.hpp"

#include <openssl/pem.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tls/openssl_ptr.hpp"

namespace postern::tls {
namespace {

using ContextPtr = std::shared_ptr<boost::asio::ssl::context>;

// Never prompt on the terminal for a passphrase: an encrypted key simply fails to load.
int no_passphrase(char*, int, int, void*) { return 0; }

core::Status configure_protocol(SSL_CTX* ctx, std::string* why) {
  // IGNORE_UNEXPECTED_EOF: most SMTP clients close after QUIT without close_notify; that is
  // the end of the session, not a truncation attack (the SMTP dialog frames its own data).
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_IGNORE_UNEXPECTED_EOF);
  // Idle sessions give their record buffers back: thousands of idle TLS clients are normal.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(ctx, kIntermediateCiphers) != 1 ||
      SSL_CTX_set1_groups_list(ctx, kGroups) != 1) {
    return fail(Errc::bad_configuration, why, "cannot set TLS protocol parameters");
  }
  // Resumption: the server-side cache (TLS 1.2 session ids) and tickets (both versions). The
  // session id context must be set or OpenSSL refuses to resume cached sessions.
  static constexpr unsigned char kSessionIdContext[] = "postern-submission";
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
  SSL_CTX_set_timeout(ctx, kSessionLifetimeSeconds);
  if (SSL_CTX_set_session_id_context(ctx, kSessionIdContext, sizeof kSessionIdContext - 1) != 1) {
    return fail(Errc::bad_configuration, why, "cannot set the TLS session id context");
  }
  return {};
}

core::Status load_key(SSL_CTX* ctx, const std::filesystem::path& key_path, std::string* why) {
  const std::string shown = "private key file '" + key_path.string() + "'";
  Ptr<BIO, BIO_free_all> file(BIO_new_file(key_path.c_str(), "r"));
  if (!file) return fail(Errc::key_unreadable, why, "cannot open " + shown);
  Ptr<EVP_PKEY, EVP_PKEY_free> key(
      PEM_read_bio_PrivateKey(file.get(), nullptr, no_passphrase, nullptr));
  if (!key) return fail(Errc::key_unreadable, why, "no unencrypted PEM private key in " + shown);
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return fail(Errc::key_mismatch, why, shown + " does not match the certificate");
  }
  return {};
}

}  // namespace

core::Result<ContextPtr> make_server_context(const std::filesystem::path& cert_pem_path,
                                             const std::filesystem::path& key_pem_path,
                                             std::string* why) {
  ERR_clear_error();
  auto context = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  if (auto status = configure_protocol(ctx, why)) return status;
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_pem_path.c_str()) != 1) {
    return fail(Errc::cert_unreadable, why,
                "cannot load a PEM certificate chain from '" + cert_pem_path.string() + "'");
  }
  if (auto status = load_key(ctx, key_pem_path, why)) return status;
  return context;
}

}  // namespace postern::tls
