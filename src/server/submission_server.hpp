#pragma once
// The submission listener (RFC 6409 on port 587): accepts connections and hands each one to
// async_serve_connection on the next I/O context of the pool.

#include <boost/asio/ip/tcp.hpp>

#include "server/connection.hpp"
#include "server/io_pool.hpp"

namespace postern::server {

class SubmissionServer {
 public:
  // Binds and listens at once. Throws boost::system::system_error when the address cannot be
  // bound (start-up: the caller reports it and exits).
  SubmissionServer(IoPool& pool, ConnectionContext& context,
                   const boost::asio::ip::tcp::endpoint& listen);

  boost::asio::ip::tcp::endpoint local_endpoint() const;
  // Starts the accept loop on the pool's first context.
  void start();
  // Stops accepting; connections in flight go on. Thread-safe.
  void stop_accepting();

 private:
  boost::asio::awaitable<void> accept_loop();

  IoPool& pool_;
  ConnectionContext& context_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace postern::server
