#include "server/io_pool.hpp"

namespace postern::server {

IoPool::IoPool(std::size_t threads) {
  if (threads == 0) threads = 1;
  for (std::size_t i = 0; i < threads; ++i) {
    // Concurrency hint 1: each context is run by exactly one thread, so Asio may skip locking.
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
    guards_.push_back(boost::asio::make_work_guard(*contexts_.back()));
  }
}

IoPool::~IoPool() {
  stop();
  join();
}

boost::asio::io_context& IoPool::next() {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

void IoPool::start() {
  for (auto& context : contexts_) {
    threads_.emplace_back([ctx = context.get()] { ctx->run(); });
  }
}

void IoPool::release_work() {
  for (auto& guard : guards_) guard.reset();
}

void IoPool::stop() {
  for (auto& context : contexts_) context->stop();
}

void IoPool::join() {
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

}  // namespace postern::server
