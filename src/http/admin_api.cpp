#include "http/admin_api.hpp"

#include <boost/json/serialize.hpp>
#include <memory>
#include <utility>

#include "core/error.hpp"
#include "http/admin_json.hpp"
#include "http/admin_routes.hpp"

namespace postern::http {
namespace {

namespace json = boost::json;

ApiResponse json_response(unsigned status, const json::value& body) {
  ApiResponse r;
  r.status = status;
  r.body = json::serialize(body);
  r.body += '\n';
  return r;
}

std::string_view verb_word(store::OperatorVerb verb) {
  switch (verb) {
    case store::OperatorVerb::hold:
      return "hold";
    case store::OperatorVerb::release:
      return "release";
    case store::OperatorVerb::retry:
      return "retry";
    case store::OperatorVerb::remove:
      return "delete";
    case store::OperatorVerb::flush:
      return "flush";
  }
  return "unknown";
}

}  // namespace

ApiResponse error_response(core::Status status, std::string_view what) {
  if (status == core::Errc::not_found) {
    return json_response(404, error_json("not_found", "no such message: " + std::string(what)));
  }
  if (status == core::Errc::invalid_argument) {
    return json_response(400, error_json("bad_request", status.message()));
  }
  if (status == core::Errc::store_unavailable || status == core::Errc::storage_failure ||
      status == core::Errc::disk_full || status == core::Errc::timed_out) {
    return json_response(503, error_json("store_unavailable", status.message()));
  }
  return json_response(500, error_json("internal", status.message()));
}

const core::Clock& AdminApi::system_clock() {
  static const core::SystemClock clock;
  return clock;
}

AdminApi::AdminApi(store::Store& store, const core::Clock& clock) : store_(store), clock_(clock) {}

void AdminApi::async_handle(std::string_view method, std::string_view target,
                            std::function<void(ApiResponse)> done) {
  const Route route = parse_route(method, target);
  const std::size_t limit = route.limit == 0 ? kDefaultListLimit : route.limit;
  switch (route.kind) {
    case Route::Kind::queue_list:
      return done(list_queue(route.all, limit));
    case Route::Kind::queue_show:
      return done(show(route.id));
    case Route::Kind::queue_verb:
      return operate(route.verb, route.id, std::move(done));
    case Route::Kind::queue_delete:
      return operate(store::OperatorVerb::remove, route.id, std::move(done));
    case Route::Kind::flush:
      return operate(store::OperatorVerb::flush, "", std::move(done));
    case Route::Kind::capture_list:
      return done(list_captures(limit));
    case Route::Kind::capture_show:
      return done(show_capture(route.id));
    case Route::Kind::bad_request:
      return done(json_response(400, error_json("bad_request", "malformed target")));
    case Route::Kind::method_not_allowed: {
      ApiResponse r = json_response(405, error_json("method_not_allowed", "method not allowed"));
      r.allow = route.allow;
      return done(std::move(r));
    }
    case Route::Kind::not_found:
      break;
  }
  done(json_response(404, error_json("not_found", "no such resource")));
}

void AdminApi::operate(store::OperatorVerb verb, std::string id,
                       std::function<void(ApiResponse)> done) {
  store::OperatorRequest request{verb, id, core::to_unix_ms(clock_.now())};
  store_.async_operate(std::move(request), [verb, id = std::move(id), done = std::move(done)](
                                               core::Result<std::size_t> changed) {
    if (!changed) return done(error_response(changed.error(), id));
    json::object body{{"action", verb_word(verb)}, {"changed", *changed}};
    if (verb != store::OperatorVerb::flush) body["queue_id"] = id;
    done(json_response(200, body));
  });
}

ApiResponse AdminApi::list_queue(bool all, std::size_t limit) {
  auto messages = all ? store_.list_messages(limit) : store_.list_pending(limit);
  if (!messages) return error_response(messages.error(), "");
  json::array list;
  for (const auto& m : *messages) list.push_back(message_json(m));
  return json_response(200, json::object{{"messages", std::move(list)}});
}

ApiResponse AdminApi::show(const std::string& id) {
  auto message = store_.load_message(id);
  if (!message) return error_response(message.error(), id);
  message->content.clear();  // the API shows the envelope and states, not the mail
  return json_response(200, message_json(*message));
}

ApiResponse AdminApi::list_captures(std::size_t limit) {
  auto captures = store_.list_captures(limit);
  if (!captures) return error_response(captures.error(), "");
  json::array list;
  for (const auto& c : *captures) list.push_back(capture_json(c));
  return json_response(200, json::object{{"captures", std::move(list)}});
}

ApiResponse AdminApi::show_capture(const std::string& id) {
  auto message = store_.load_capture(id);
  if (!message) return error_response(message.error(), id);
  ApiResponse r;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(message->content);
  return r;
}

}  // namespace postern::http
