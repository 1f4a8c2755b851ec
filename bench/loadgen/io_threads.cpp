#include "loadgen/io_threads.hpp"

namespace postern::loadgen {

IoThreads::IoThreads(int count) {
  for (int i = 0; i < count; ++i) {
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
  }
}

void IoThreads::run() {
  std::vector<std::jthread> threads;
  for (auto& context : contexts_) {
    threads.emplace_back([&context] { context->run(); });
  }
}

void IoThreads::stop() {
  for (auto& context : contexts_) context->stop();
}

int resolve_threads(int requested) {
  if (requested > 0) return requested;
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
}

}  // namespace postern::loadgen
