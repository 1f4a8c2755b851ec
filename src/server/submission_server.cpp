#include "server/submission_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace postern::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

SubmissionServer::SubmissionServer(IoPool& pool, ConnectionContext& context,
                                   const tcp::endpoint& listen)
    : pool_(pool), context_(context), acceptor_(pool.first()) {
  acceptor_.open(listen.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  if (listen.address().is_v6()) acceptor_.set_option(asio::ip::v6_only(false));
  acceptor_.bind(listen);
  acceptor_.listen(asio::socket_base::max_listen_connections);
}

tcp::endpoint SubmissionServer::local_endpoint() const { return acceptor_.local_endpoint(); }

void SubmissionServer::start() {
  asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
}

void SubmissionServer::stop_accepting() {
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
}

asio::awaitable<void> SubmissionServer::accept_loop() {
  constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
  while (acceptor_.is_open()) {
    asio::io_context& target = pool_.next();
    auto [ec, socket] = co_await acceptor_.async_accept(target, kNoThrow);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
    if (ec) {
      // Out of descriptors or a transient error: log, breathe, go on accepting.
      context_.log->warn("accept_failed", {{"error", ec.message()}});
      asio::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(kNoThrow);
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    asio::co_spawn(target, async_serve_connection(std::move(socket), context_), asio::detached);
  }
}

}  // namespace postern::server
