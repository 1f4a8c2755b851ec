#include "store/done_sweeper.hpp"

#include <algorithm>
#include <future>

#include "core/clock.hpp"

namespace postern::store {

DoneSweeper::DoneSweeper(Store& store, std::chrono::milliseconds keep_done)
    : store_(store), keep_done_(keep_done), interval_(interval_for(keep_done)) {
  thread_ = std::thread([this] { run(); });
}

DoneSweeper::~DoneSweeper() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

std::chrono::milliseconds DoneSweeper::interval_for(std::chrono::milliseconds keep_done) {
  using namespace std::chrono_literals;
  return std::clamp<std::chrono::milliseconds>(keep_done / 10, 1s, 60s);
}

bool DoneSweeper::stopping() {
  std::lock_guard lock(mu_);
  return stopping_;
}

void DoneSweeper::run() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) return;
    }
    sweep_once();
  }
}

// One pass over the queue; a failure (the store refusing) ends it until the next interval.
void DoneSweeper::sweep_once() {
  const auto now = core::to_unix_ms(std::chrono::system_clock::now());
  const auto keep = static_cast<std::uint64_t>(keep_done_.count());
  PruneRequest request{.before_ms = now > keep ? now - keep : 0};
  do {
    std::promise<core::Result<PruneResult>> promise;
    auto result = promise.get_future();
    store_.async_prune_done(
        request, [&promise](core::Result<PruneResult> r) { promise.set_value(std::move(r)); });
    auto step = result.get();
    if (!step) return;
    request.cursor = step->cursor;
  } while (request.cursor != 0 && !stopping());
}

}  // namespace postern::store
