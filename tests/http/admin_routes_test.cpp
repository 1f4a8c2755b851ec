// Targets of the admin API to routes: every path, method and query form.
#include "http/admin_routes.hpp"

#include <gtest/gtest.h>

#include "http/admin_api.hpp"

namespace postern::http {
namespace {

using Kind = Route::Kind;
using store::OperatorVerb;

TEST(AdminRoutes, TargetsMapToRoutes) {
  struct Case {
    const char* method;
    const char* target;
    Kind kind;
    const char* id;
  };
  const Case cases[] = {
      {"GET", "/v1/queue", Kind::queue_list, ""},
      {"GET", "/v1/queue?all=1&limit=5", Kind::queue_list, ""},
      {"GET", "/v1/queue/01J9ABCDEFGHJKMNPQRS", Kind::queue_show, "01J9ABCDEFGHJKMNPQRS"},
      {"DELETE", "/v1/queue/Q1", Kind::queue_delete, "Q1"},
      {"POST", "/v1/queue/Q1/hold", Kind::queue_verb, "Q1"},
      {"POST", "/v1/queue/flush", Kind::flush, ""},
      {"GET", "/v1/captures", Kind::capture_list, ""},
      {"GET", "/v1/captures/Q1", Kind::capture_show, "Q1"},
      {"GET", "/v1/queue/flush", Kind::queue_show, "flush"},  // an id like any other
      {"POST", "/v1/queue", Kind::method_not_allowed, ""},
      {"GET", "/v1/queue/Q1/hold", Kind::method_not_allowed, ""},
      {"PUT", "/v1/queue/Q1", Kind::method_not_allowed, ""},
      {"POST", "/v1/captures", Kind::method_not_allowed, ""},
      {"POST", "/v1/queue/Q1/bounce", Kind::not_found, ""},
      {"GET", "/v1/queue/Q1/hold/x", Kind::not_found, ""},
      {"GET", "/v1/queue/", Kind::not_found, ""},
      {"GET", "/v1/queue/a%2Fb", Kind::not_found, ""},
      {"GET", "/v1/queue/..%2F", Kind::not_found, ""},
      {"GET", "/v2/queue", Kind::not_found, ""},
      {"GET", "/", Kind::not_found, ""},
      {"GET", "/v1/queue?limit=x", Kind::bad_request, ""},
      {"GET", "/v1/queue?limit=0", Kind::bad_request, ""},
      {"GET", "v1/queue", Kind::bad_request, ""},
      {"GET", "", Kind::bad_request, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.method) + " " + c.target);
    const Route r = parse_route(c.method, c.target);
    EXPECT_EQ(r.kind, c.kind);
    if (c.kind != Kind::method_not_allowed && c.kind != Kind::not_found) EXPECT_EQ(r.id, c.id);
  }
}

TEST(AdminRoutes, VerbsQueryAndAllow) {
  EXPECT_EQ(parse_route("POST", "/v1/queue/Q/retry").verb, OperatorVerb::retry);
  EXPECT_EQ(parse_route("POST", "/v1/queue/Q/hold").verb, OperatorVerb::hold);
  EXPECT_EQ(parse_route("POST", "/v1/queue/Q/release").verb, OperatorVerb::release);
  const Route list = parse_route("GET", "/v1/queue?all=1&limit=7&x=y");
  EXPECT_TRUE(list.all);
  EXPECT_EQ(list.limit, 7u);
  EXPECT_FALSE(parse_route("GET", "/v1/queue?all=0").all);
  EXPECT_EQ(parse_route("GET", "/v1/queue?limit=99999999").limit, kMaxListLimit);
  EXPECT_EQ(parse_route("PUT", "/v1/queue/Q").allow, "GET, DELETE");
  EXPECT_EQ(parse_route("GET", "/v1/queue/Q/hold").allow, "POST");
}

TEST(AdminRoutes, QueueIdCharset) {
  EXPECT_TRUE(valid_queue_id("01J9ABCDEFGHJKMNPQRS"));
  EXPECT_TRUE(valid_queue_id("a-b_c.d"));
  EXPECT_FALSE(valid_queue_id(""));
  EXPECT_FALSE(valid_queue_id(std::string(65, 'A')));
  for (const char* bad : {"a/b", "a b", "a%20", "a\nb", "a?b"}) {
    EXPECT_FALSE(valid_queue_id(bad)) << bad;
  }
}

}  // namespace
}  // namespace postern::http
