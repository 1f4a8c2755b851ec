// postern capture ls/show — the capture mailbox (delivery without a provider). Through the
// daemon's admin socket while it runs, else on the store directly (see queue_command.cpp).

#include <boost/json/parse.hpp>
#include <iostream>
#include <string>

#include "cli/commands.hpp"
#include "core/clock.hpp"
#include "http/admin_call.hpp"
#include "http/admin_routes.hpp"
#include "http/admin_text.hpp"

namespace postern::cli {
namespace {

struct CaptureArgs {
  std::string id;
  std::size_t limit = 0;
  bool json = false;
};

// `print` gets the reply body of a 200. Exit status as for `postern queue`.
template <class PrintBody>
int run(const Options& options, const std::string& target, PrintBody print) {
  const config::Config config = options.load();
  const http::AdminEndpoint endpoint{config.data_dir / "admin.sock", config.store.dir};
  auto call = http::call_admin(endpoint, "GET", target);
  if (!call) {
    std::cerr << "postern capture: " << http::call_error_text(endpoint, call.error()) << "\n";
    return 1;
  }
  if (call->reply.status != 200) {
    std::cerr << "postern capture: " << http::reply_error_text(call->reply) << "\n";
    return call->reply.status == 404 || call->reply.status == 400 ? 2 : 1;
  }
  return print(call->reply.body);
}

}  // namespace

void add_capture_command(CLI::App& app, Options& options) {
  static CaptureArgs args;  // lives as long as the parsed command line
  auto* capture = app.add_subcommand("capture", "The capture mailbox (messages kept locally)");
  capture->require_subcommand(1);

  auto* ls = capture->add_subcommand("ls", "List captured messages, newest first");
  ls->add_option("--limit", args.limit, "at most this many (default 1000)");
  ls->add_flag("--json", args.json, "print the admin API's JSON");
  ls->callback([&options] {
    options.run = [&options] {
      std::string target = "/v1/captures";
      if (args.limit > 0) target += "?limit=" + std::to_string(args.limit);
      return run(options, target, [](const std::string& body) {
        if (args.json) {
          std::cout << body;
          return 0;
        }
        boost::system::error_code ec;
        const auto value = boost::json::parse(body, ec);
        if (ec) {
          std::cerr << "postern capture: unreadable reply from the admin API\n";
          return 1;
        }
        std::cout << http::capture_table(value, core::to_unix_ms(std::chrono::system_clock::now()));
        return 0;
      });
    };
  });

  auto* show = capture->add_subcommand("show", "Print a captured message as it was relayed");
  show->add_option("id", args.id, "queue id")->required();
  show->callback([&options] {
    options.run = [&options] {
      if (!http::valid_queue_id(args.id)) {
        std::cerr << "postern capture: not a queue id: " << args.id << "\n";
        return 2;
      }
      return run(options, "/v1/captures/" + args.id, [](const std::string& body) {
        std::cout << body << std::flush;
        return 0;
      });
    };
  });
}

}  // namespace postern::cli
