#include "tls/client_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "net/endpoint.hpp"
#include "tls/server_context.hpp"

namespace postern::tls {
namespace {

using ContextPtr = std::shared_ptr<boost::asio::ssl::context>;

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

core::Result<ContextPtr> make_client_context(const std::optional<std::filesystem::path>& extra_ca_file,
                                             std::string* why) {
  ERR_clear_error();
  auto context = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
  SSL_CTX* ctx = context->native_handle();
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(ctx, kIntermediateCiphers) != 1 ||
      SSL_CTX_set1_groups_list(ctx, kGroups) != 1) {
    return fail(Errc::bad_configuration, why, "cannot set TLS protocol parameters");
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
    return fail(Errc::bad_configuration, why, "cannot use the system trust store");
  }
  if (extra_ca_file &&
      SSL_CTX_load_verify_locations(ctx, extra_ca_file->c_str(), nullptr) != 1) {
    return fail(Errc::ca_unreadable, why,
                "cannot load PEM CA certificates from '" + extra_ca_file->string() + "'");
  }
  return context;
}

core::Status prepare_client_ssl(SSL* ssl, std::string_view host_name) {
  std::string host(host_name);
  if (!host.empty() && host.back() == '.') host.pop_back();
  SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (is_ip_literal(host)) {
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) {
      return make_error_code(Errc::bad_configuration);
    }
    return {};
  }
  if (!net::is_valid_hostname(host)) return make_error_code(Errc::invalid_hostname);
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT | X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (SSL_set_tlsext_host_name(ssl, host.c_str()) != 1 || SSL_set1_host(ssl, host.c_str()) != 1) {
    return make_error_code(Errc::bad_configuration);
  }
  return {};
}

}  // namespace postern::tls
