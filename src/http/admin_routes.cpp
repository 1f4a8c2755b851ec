#include "http/admin_routes.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

#include "http/admin_api.hpp"

namespace postern::http {
namespace {

using Kind = Route::Kind;

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

// all=1 and limit=N; unknown parameters are ignored, a malformed limit is a bad request.
bool parse_query(std::string_view query, Route& route) {
  if (query.empty()) return true;
  for (std::string_view pair : split(query, '&')) {
    const std::size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    if (key == "all") {
      route.all = value.empty() || value == "1" || value == "true";
    } else if (key == "limit") {
      std::size_t n = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n == 0) return false;
      route.limit = std::min(n, kMaxListLimit);
    }
  }
  return true;
}

Route with_kind(Route route, Kind kind) {
  route.kind = kind;
  return route;
}

Route not_allowed(std::string allow) {
  Route r;
  r.kind = Kind::method_not_allowed;
  r.allow = std::move(allow);
  return r;
}

Route queue_route(std::string_view method, const std::vector<std::string_view>& seg, Route route) {
  if (seg.size() == 2)
    return method == "GET" ? with_kind(route, Kind::queue_list) : not_allowed("GET");
  if (seg.size() == 3 && seg[2] == "flush" && method == "POST")
    return with_kind(route, Kind::flush);
  if (!valid_queue_id(seg[2])) return with_kind(route, Kind::not_found);
  route.id = std::string(seg[2]);
  if (seg.size() == 3) {
    if (method == "GET") return with_kind(route, Kind::queue_show);
    if (method == "DELETE") return with_kind(route, Kind::queue_delete);
    return not_allowed("GET, DELETE");
  }
  if (seg.size() != 4) return with_kind(route, Kind::not_found);
  const std::string_view action = seg[3];
  if (action == "retry")
    route.verb = store::OperatorVerb::retry;
  else if (action == "hold")
    route.verb = store::OperatorVerb::hold;
  else if (action == "release")
    route.verb = store::OperatorVerb::release;
  else
    return with_kind(route, Kind::not_found);
  return method == "POST" ? with_kind(route, Kind::queue_verb) : not_allowed("POST");
}

}  // namespace

bool valid_queue_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

Route parse_route(std::string_view method, std::string_view target) {
  Route route;
  const std::size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  if (q != std::string_view::npos && !parse_query(target.substr(q + 1), route)) {
    return with_kind(route, Kind::bad_request);
  }
  if (path.empty() || path.front() != '/') return with_kind(route, Kind::bad_request);
  const auto seg = split(path.substr(1), '/');
  if (seg.size() < 2 || seg.size() > 4 || seg[0] != "v1") return with_kind(route, Kind::not_found);
  if (seg[1] == "queue") return queue_route(method, seg, route);
  if (seg[1] != "captures" || seg.size() > 3) return with_kind(route, Kind::not_found);
  if (method != "GET") return not_allowed("GET");
  if (seg.size() == 2) return with_kind(route, Kind::capture_list);
  if (!valid_queue_id(seg[2])) return with_kind(route, Kind::not_found);
  route.id = std::string(seg[2]);
  return with_kind(route, Kind::capture_show);
}

}  // namespace postern::http
