#pragma once
// What every client session shares: the TLS context, the server address and the AUTH PLAIN
// initial response.

#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "loadgen/options.hpp"

namespace postern::loadgen {

// TLS 1.2 or later; verification against --ca (or the system store) unless --insecure.
// Throws boost::system::system_error when the CA file cannot be read (start-up).
[[nodiscard]] boost::asio::ssl::context make_client_tls(const Options& options);
// Resolves --host/--port. Throws boost::system::system_error on failure (start-up).
[[nodiscard]] boost::asio::ip::tcp::endpoint resolve_endpoint(const Options& options);
// base64("\0" user "\0" password), RFC 4616 §2.
[[nodiscard]] std::string auth_plain_response(const Options& options);

}  // namespace postern::loadgen
