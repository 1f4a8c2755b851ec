// Real TLS handshakes on loopback between make_server_context() and make_client_context(),
// driven by Asio coroutines on one io_context in this process.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <openssl/x509_vfy.h>

#include "temp_dir.hpp"
#include "tls/client_context.hpp"
#include "tls/openssl_ptr.hpp"
#include "tls/peer.hpp"
#include "tls/self_signed.hpp"
#include "tls/server_context.hpp"

namespace postern::tls {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::awaitable;
using asio::ip::tcp;
using testing::TempDir;
using SessionPtr = Ptr<SSL_SESSION, SSL_SESSION_free>;

struct Side {
  boost::system::error_code ec;   // first error, if any
  std::string received;
  SessionSummary summary;
  long verify_result = X509_V_OK;
  bool server_name_sent = false;  // server side: the client sent SNI
};

awaitable<void> serve(tcp::acceptor& acceptor, ssl::context& context, Side& out) {
  boost::system::error_code ec;
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  tcp::socket socket = co_await acceptor.async_accept(token);
  if (ec) co_return (void)(out.ec = ec);
  ssl::stream<tcp::socket> stream(std::move(socket), context);
  co_await stream.async_handshake(ssl::stream_base::server, token);
  if (ec) co_return (void)(out.ec = ec);
  out.summary = peer_summary(stream.native_handle());
  out.server_name_sent = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name) != nullptr;
  co_await asio::async_write(stream, asio::buffer("hello", 5), token);
  char buffer[3];
  if (!ec) co_await asio::async_read(stream, asio::buffer(buffer), token);
  if (ec) co_return (void)(out.ec = ec);
  out.received.assign(buffer, sizeof buffer);
  // A clean close_notify exchange: OpenSSL drops the session of an unclosed connection.
  co_await stream.async_shutdown(token);
  out.ec = ec;
}

awaitable<void> connect(tcp::endpoint endpoint, ssl::context& context, std::string host,
                        SSL_SESSION* resume, Side& out, SessionPtr* session_out) {
  boost::system::error_code ec;
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(endpoint, token);
  if (ec) co_return (void)(out.ec = ec);
  ssl::stream<tcp::socket> stream(std::move(socket), context);
  EXPECT_FALSE(prepare_client_ssl(stream.native_handle(), host));
  if (resume != nullptr) {
    EXPECT_EQ(SSL_set_session(stream.native_handle(), resume), 1);
  }
  co_await stream.async_handshake(ssl::stream_base::client, token);
  out.verify_result = SSL_get_verify_result(stream.native_handle());
  if (ec) co_return (void)(out.ec = ec);
  out.summary = peer_summary(stream.native_handle());
  char buffer[5];
  co_await asio::async_read(stream, asio::buffer(buffer), token);  // also takes the tickets
  if (!ec) co_await asio::async_write(stream, asio::buffer("bye", 3), token);
  if (ec) co_return (void)(out.ec = ec);
  out.received.assign(buffer, sizeof buffer);
  co_await stream.async_shutdown(token);
  out.ec = ec;
  if (session_out != nullptr) session_out->reset(SSL_get1_session(stream.native_handle()));
}

struct Exchange {
  Side server;
  Side client;
};

void rethrow(std::exception_ptr e) {
  if (e) std::rethrow_exception(e);
}

Exchange run_exchange(ssl::context& server_context, ssl::context& client_context,
                      const std::string& host, SSL_SESSION* resume = nullptr,
                      SessionPtr* session_out = nullptr) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  Exchange exchange;
  asio::co_spawn(io, serve(acceptor, server_context, exchange.server), rethrow);
  asio::co_spawn(io, connect(acceptor.local_endpoint(), client_context, host, resume, exchange.client, session_out),
                 rethrow);
  io.run();
  return exchange;
}

class Handshake : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto paths = ensure_self_signed(dir_.path(), "mail.example", &why);
    ASSERT_TRUE(paths.ok()) << why;
    paths_ = *paths;
    auto server = make_server_context(paths_.cert, paths_.key, &why);
    ASSERT_TRUE(server.ok()) << why;
    server_ = *server;
    auto client = make_client_context(paths_.cert, &why);  // trusts the generated certificate
    ASSERT_TRUE(client.ok()) << why;
    client_ = *client;
  }

  TempDir dir_;
  CertPaths paths_;
  std::shared_ptr<ssl::context> server_;
  std::shared_ptr<ssl::context> client_;
};

TEST_F(Handshake, SucceedsForEveryNameInTheCertificate) {
  for (const std::string host : {"mail.example", "localhost", "127.0.0.1", "MAIL.EXAMPLE."}) {
    const Exchange e = run_exchange(*server_, *client_, host);
    EXPECT_FALSE(e.client.ec) << host << ": " << e.client.ec.message();
    EXPECT_FALSE(e.server.ec) << host << ": " << e.server.ec.message();
    EXPECT_EQ(e.client.verify_result, X509_V_OK) << host;
    EXPECT_EQ(e.client.received, "hello");
    EXPECT_EQ(e.server.received, "bye");
    EXPECT_EQ(e.client.summary.version, "TLSv1.3");
    EXPECT_EQ(e.client.summary.to_string().rfind("TLSv1.3:TLS_", 0), 0u) << e.client.summary.to_string();
    EXPECT_EQ(e.server.summary.to_string(), e.client.summary.to_string());
    // RFC 6066 §3: no SNI for an IP literal.
    EXPECT_EQ(e.server.server_name_sent, host != "127.0.0.1") << host;
  }
}

TEST_F(Handshake, WrongHostNameIsRejected) {
  const Exchange e = run_exchange(*server_, *client_, "wrong.example");
  EXPECT_TRUE(e.client.ec);
  EXPECT_TRUE(e.server.ec);
  EXPECT_EQ(e.client.verify_result, X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_TRUE(e.client.received.empty());
}

TEST_F(Handshake, WrongIpAddressIsRejected) {
  const Exchange e = run_exchange(*server_, *client_, "127.0.0.2");
  EXPECT_TRUE(e.client.ec);
  EXPECT_EQ(e.client.verify_result, X509_V_ERR_IP_ADDRESS_MISMATCH);
}

TEST_F(Handshake, UntrustedCertificateIsRejected) {
  auto plain_client = make_client_context();  // system trust store only
  ASSERT_TRUE(plain_client.ok());
  const Exchange e = run_exchange(*server_, **plain_client, "mail.example");
  EXPECT_TRUE(e.client.ec);
  EXPECT_TRUE(e.server.ec);
  EXPECT_EQ(e.client.verify_result, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
}

TEST_F(Handshake, TlsBelow12IsRefused) {
  SSL_CTX_set_min_proto_version(client_->native_handle(), TLS1_VERSION);
  SSL_CTX_set_max_proto_version(client_->native_handle(), TLS1_1_VERSION);
  SSL_CTX_set_security_level(client_->native_handle(), 0);
  const Exchange e = run_exchange(*server_, *client_, "mail.example");
  EXPECT_TRUE(e.client.ec);
  EXPECT_TRUE(e.server.ec);
}

TEST_F(Handshake, Tls12UsesAnIntermediateCipher) {
  SSL_CTX_set_max_proto_version(client_->native_handle(), TLS1_2_VERSION);
  const Exchange e = run_exchange(*server_, *client_, "mail.example");
  ASSERT_FALSE(e.client.ec) << e.client.ec.message();
  EXPECT_EQ(e.client.summary.to_string(), "TLSv1.2:ECDHE-ECDSA-AES128-GCM-SHA256");
}

TEST_F(Handshake, SessionsResume) {
  for (const int max_version : {TLS1_3_VERSION, TLS1_2_VERSION}) {
    SSL_CTX_set_max_proto_version(client_->native_handle(), max_version);
    SessionPtr session;
    const Exchange first = run_exchange(*server_, *client_, "mail.example", nullptr, &session);
    ASSERT_FALSE(first.client.ec) << first.client.ec.message();
    ASSERT_TRUE(session);
    EXPECT_FALSE(first.client.summary.resumed);
    const Exchange second = run_exchange(*server_, *client_, "mail.example", session.get());
    ASSERT_FALSE(second.client.ec) << second.client.ec.message();
    EXPECT_TRUE(second.client.summary.resumed) << max_version;
    EXPECT_TRUE(second.server.summary.resumed) << max_version;
  }
}

TEST(ClientContext, MissingCaFileNamesTheFile) {
  std::string why;
  const auto context = make_client_context(std::filesystem::path("no/such/ca.pem"), &why);
  ASSERT_FALSE(context.ok());
  EXPECT_EQ(context.error(), Errc::ca_unreadable);
  EXPECT_NE(why.find("no/such/ca.pem"), std::string::npos) << why;
}

TEST(ClientContext, PrepareSetsStrictHostChecks) {
  auto context = make_client_context();
  ASSERT_TRUE(context.ok());
  asio::io_context io;
  ssl::stream<tcp::socket> stream(io, **context);
  ASSERT_FALSE(prepare_client_ssl(stream.native_handle(), "smtp.example"));
  const X509_VERIFY_PARAM* param = SSL_get0_param(stream.native_handle());
  const unsigned flags = X509_VERIFY_PARAM_get_hostflags(param);
  EXPECT_NE(flags & X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, 0u);    // RFC 9525 §6.3: no CN
  EXPECT_NE(flags & X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, 0u);   // "*.example" only
  EXPECT_STREQ(SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name), "smtp.example");
  EXPECT_EQ(SSL_get_verify_mode(stream.native_handle()) & SSL_VERIFY_PEER, SSL_VERIFY_PEER);
  ssl::stream<tcp::socket> bad(io, **context);
  EXPECT_EQ(prepare_client_ssl(bad.native_handle(), "bad_name!"), Errc::invalid_hostname);
  EXPECT_EQ(prepare_client_ssl(bad.native_handle(), ""), Errc::invalid_hostname);
}

}  // namespace
}  // namespace postern::tls
