#include "loadgen/client_setup.hpp"

#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <boost/asio/io_context.hpp>

namespace postern::loadgen {

namespace asio = boost::asio;

asio::ssl::context make_client_tls(const Options& options) {
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1);
  // Idle sessions should not each keep 2 x 16 KiB of record buffers.
  SSL_CTX_set_mode(tls.native_handle(), SSL_MODE_RELEASE_BUFFERS);
  if (options.insecure) {
    tls.set_verify_mode(asio::ssl::verify_none);
  } else {
    if (options.ca_file.empty()) {
      tls.set_default_verify_paths();
    } else {
      tls.load_verify_file(options.ca_file);
    }
    tls.set_verify_mode(asio::ssl::verify_peer);
  }
  return tls;
}

asio::ip::tcp::endpoint resolve_endpoint(const Options& options) {
  asio::io_context context;
  asio::ip::tcp::resolver resolver(context);
  auto results = resolver.resolve(options.host, std::to_string(options.port));
  return results.begin()->endpoint();
}

std::string auth_plain_response(const Options& options) {
  std::string plain;
  plain += '\0';
  plain += options.user;
  plain += '\0';
  plain += options.password;
  std::string encoded(4 * ((plain.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                reinterpret_cast<const unsigned char*>(plain.data()),
                                static_cast<int>(plain.size()));
  encoded.resize(static_cast<std::size_t>(n));
  return encoded;
}

}  // namespace postern::loadgen
