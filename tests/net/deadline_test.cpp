// net::Deadline on a real loopback socket pair: an expiry cancels the pending read, and a read
// started after the expiry (nothing was pending to cancel, as when a TLS handshake step ran on
// another thread at that moment) ends at once instead of waiting for the silent peer; writing
// still works, so a 421 can go out.

#include "net/deadline.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <chrono>

namespace postern::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

struct Pair {
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  tcp::socket server{io};
  tcp::socket client{io};
  Pair() {
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
  }
};

TEST(Deadline, ExpiryCancelsThePendingRead) {
  Pair p;
  Deadline deadline(p.server);
  std::array<char, 16> buffer{};
  boost::system::error_code result;
  deadline.arm(std::chrono::milliseconds(50));
  p.server.async_read_some(asio::buffer(buffer),
                           [&](boost::system::error_code ec, std::size_t) { result = ec; });
  const auto started = std::chrono::steady_clock::now();
  p.io.run();
  EXPECT_TRUE(deadline.disarm());
  EXPECT_EQ(result, asio::error::operation_aborted);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST(Deadline, AReadStartedAfterTheExpiryEndsAtOnceAndWritesStillWork) {
  Pair p;
  Deadline deadline(p.server);
  deadline.arm(std::chrono::milliseconds(10));
  p.io.run_for(std::chrono::milliseconds(200));  // expires with nothing pending
  p.io.restart();
  std::array<char, 16> buffer{};
  boost::system::error_code result;
  bool done = false;
  p.server.async_read_some(asio::buffer(buffer), [&](boost::system::error_code ec, std::size_t) {
    result = ec;
    done = true;
  });
  p.io.run_for(std::chrono::seconds(2));
  ASSERT_TRUE(done) << "the read waited for a peer that never sends";
  EXPECT_EQ(result, asio::error::eof);
  EXPECT_TRUE(deadline.disarm());
  asio::write(p.server, asio::buffer("421 bye\r\n", 9));
  std::array<char, 9> got{};
  asio::read(p.client, asio::buffer(got));
  EXPECT_EQ(std::string(got.data(), got.size()), "421 bye\r\n");
}

}  // namespace
}  // namespace postern::net
