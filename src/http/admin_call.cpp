#include "http/admin_call.hpp"

#include <future>

#include "http/admin_api.hpp"
#include "store/store.hpp"

namespace postern::http {
namespace {

core::Result<AdminCallReply> call_store(const std::filesystem::path& store_dir,
                                        std::string_view method, std::string_view target) {
  auto store = store::open_store(store::StoreOptions{.data_dir = store_dir});
  if (!store) return store.error();  // device_or_resource_busy: a daemon holds it
  AdminApi api(**store);
  std::promise<ApiResponse> promise;
  auto answered = promise.get_future();
  api.async_handle(method, target, [&promise](ApiResponse r) { promise.set_value(std::move(r)); });
  ApiResponse r = answered.get();
  AdminCallReply out;
  out.via = AdminVia::store;
  out.reply.status = r.status;
  out.reply.content_type = std::move(r.content_type);
  out.reply.body = std::move(r.body);
  return out;
}

}  // namespace

core::Result<AdminCallReply> call_admin(const AdminEndpoint& endpoint, std::string_view method,
                                        std::string_view target) {
  auto reply = AdminClient(endpoint.socket).request(method, target);
  if (reply) return AdminCallReply{std::move(reply.value()), AdminVia::daemon};
  if (!AdminClient::is_no_listener(reply.error())) return reply.error();
  return call_store(endpoint.store_dir, method, target);
}

}  // namespace postern::http
