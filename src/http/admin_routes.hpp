#pragma once
// Parsing of admin API targets ("/v1/queue/01J9…/hold?x=y") into a Route. Pure; tested alone.

#include <cstddef>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace postern::http {

struct Route {
  enum class Kind {
    queue_list,
    queue_show,
    queue_verb,
    queue_delete,
    flush,
    capture_list,
    capture_show,
    bad_request,
    not_found,
    method_not_allowed,
  };
  Kind kind = Kind::not_found;
  std::string id;                                         // queue id, when the target names one
  store::OperatorVerb verb = store::OperatorVerb::retry;  // queue_verb
  bool all = false;                                       // ?all=1
  std::size_t limit = 0;                                  // ?limit=N, clamped; 0 = default
  std::string allow;                                      // method_not_allowed: what is allowed
};

// A queue id as core::make_queue_id() writes it, or any id of 1-64 characters from
// [A-Za-z0-9._-] (no '/', no escapes: the id is a path segment as is).
[[nodiscard]] bool valid_queue_id(std::string_view id);

[[nodiscard]] Route parse_route(std::string_view method, std::string_view target);

}  // namespace postern::http
