// tls::SocketStream on loopback: both ends are SocketStreams (the submission server's and the
// delivery client's), with the server's handshake steps offloaded to another thread as in
// `postern serve`. Checks the handshake with verification, a transfer larger than the socket
// buffers both ways (partial writes, read-ahead), end of stream, and a refused certificate.

#include "tls/socket_stream.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <openssl/x509_vfy.h>

#include <string>

#include "temp_dir.hpp"
#include "tls/client_context.hpp"
#include "tls/peer.hpp"
#include "tls/self_signed.hpp"
#include "tls/server_context.hpp"

namespace postern::tls {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using boost::system::error_code;
using testing::TempDir;

// 3 MiB with a pattern, so a lost, duplicated or reordered octet shows.
std::string payload(std::size_t size, char salt) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 131 + salt) & 0xff);
  return s;
}

struct End {
  error_code handshake;
  error_code write;
  std::string received;
  error_code end;  // what ended the reading (eof expected)
  std::string version;
  long verify = X509_V_OK;
};

// Reads until the peer closes; returns the bytes.
awaitable<void> read_all(SocketStream& stream, End& out) {
  char buffer[5000];
  for (;;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(buffer));
    if (ec) {
      out.end = ec;
      co_return;
    }
    out.received.append(buffer, n);
  }
}

awaitable<void> serve(tcp::acceptor& acceptor, asio::ssl::context& context,
                      asio::any_io_executor offload, std::string send, std::size_t expect,
                      End& out) {
  error_code ec;
  tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return (void)(out.handshake = ec);
  SocketStream stream(socket, context);
  out.handshake = co_await stream.async_handshake(Role::server, offload);
  if (out.handshake) co_return;
  out.version = peer_summary(stream.native_handle()).version;
  // The client writes first and closes only after reading ours: read its bytes, then write.
  char buffer[7000];
  while (out.received.size() < expect) {
    auto [rec, n] = co_await stream.async_read_some(asio::buffer(buffer));
    if (rec) co_return (void)(out.end = rec);
    out.received.append(buffer, n);
  }
  out.write = co_await stream.async_write(asio::buffer(send));
  co_await read_all(stream, out);  // until the client's close_notify
  (void)co_await stream.async_shutdown();
}

awaitable<void> connect(tcp::endpoint endpoint, asio::ssl::context& context, std::string host,
                        std::string send, End& out) {
  error_code ec;
  tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return (void)(out.handshake = ec);
  SocketStream stream(socket, context);
  EXPECT_FALSE(prepare_client_ssl(stream.native_handle(), host));
  out.handshake = co_await stream.async_handshake(Role::client);
  out.verify = SSL_get_verify_result(stream.native_handle());
  if (out.handshake) co_return;
  out.version = peer_summary(stream.native_handle()).version;
  out.write = co_await stream.async_write(asio::buffer(send));
  char buffer[3000];
  while (out.received.size() < 3 * 1024 * 1024) {
    auto [rec, n] = co_await stream.async_read_some(asio::buffer(buffer));
    if (rec) co_return (void)(out.end = rec);
    out.received.append(buffer, n);
  }
  (void)co_await stream.async_shutdown();
  co_await read_all(stream, out);  // the server's close_notify ends it
}

class SocketStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto paths = ensure_self_signed(dir_.path(), "mail.example", &why);
    ASSERT_TRUE(paths.ok()) << why;
    auto server = make_server_context(paths->cert, paths->key, &why);
    ASSERT_TRUE(server.ok()) << why;
    server_ = *server;
    auto client = make_client_context(paths->cert, &why);
    ASSERT_TRUE(client.ok()) << why;
    client_ = *client;
  }

  void run(const std::string& host, End& server, End& client) {
    asio::io_context io;
    asio::thread_pool offload(1);
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const std::string to_server = payload(3 * 1024 * 1024, 1);
    const std::string to_client = payload(3 * 1024 * 1024, 2);
    asio::co_spawn(io, serve(acceptor, *server_, offload.get_executor(), to_client,
                             to_server.size(), server),
                   asio::detached);
    asio::co_spawn(io, connect(acceptor.local_endpoint(), *client_, host, to_server, client),
                   asio::detached);
    io.run();
    offload.join();
    if (!server.handshake && !client.handshake) {
      EXPECT_TRUE(server.received.substr(0, to_server.size()) == to_server);
      EXPECT_EQ(server.received.size(), to_server.size());
      EXPECT_TRUE(client.received == to_client);
    }
  }

  TempDir dir_;
  std::shared_ptr<asio::ssl::context> server_;
  std::shared_ptr<asio::ssl::context> client_;
};

TEST_F(SocketStreamTest, HandshakeTransferAndCloseBothWays) {
  End server, client;
  run("mail.example", server, client);
  EXPECT_FALSE(server.handshake) << server.handshake.message();
  EXPECT_FALSE(client.handshake) << client.handshake.message();
  EXPECT_EQ(client.verify, X509_V_OK);
  EXPECT_EQ(server.version, "TLSv1.3");
  EXPECT_EQ(client.version, "TLSv1.3");
  EXPECT_FALSE(server.write) << server.write.message();
  EXPECT_FALSE(client.write) << client.write.message();
  EXPECT_EQ(server.end, asio::error::eof) << server.end.message();  // the client's close_notify
  EXPECT_EQ(client.end, asio::error::eof) << client.end.message();
}

TEST_F(SocketStreamTest, WrongHostNameFailsTheHandshakeOnBothSides) {
  End server, client;
  run("wrong.example", server, client);
  EXPECT_TRUE(client.handshake);
  EXPECT_TRUE(server.handshake);
  EXPECT_EQ(client.verify, X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_TRUE(client.received.empty());
}

}  // namespace
}  // namespace postern::tls
