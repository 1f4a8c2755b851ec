#pragma once
// The store's callback calls as awaitables that resume on the caller's executor (the store
// calls back on one of its own threads).

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>

#include "store/store.hpp"

namespace postern::delivery {

// Runs `start(callback)`; the awaitable completes with the callback's argument, on the
// awaiting coroutine's executor.
template <class Value, class Start>
boost::asio::awaitable<Value> await_store(Start start) {
  namespace asio = boost::asio;
  return asio::async_initiate<decltype(asio::use_awaitable), void(Value)>(
      [start = std::move(start)](auto handler) mutable {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        start([shared](Value value) {
          auto executor = asio::get_associated_executor(*shared);
          asio::post(executor, [shared, value = std::move(value)]() mutable {
            (*shared)(std::move(value));
          });
        });
      },
      asio::use_awaitable);
}

}  // namespace postern::delivery
