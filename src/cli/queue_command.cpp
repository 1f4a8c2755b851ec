// postern queue ls/show/retry/hold/release/delete/flush — queue administration. While the
// daemon runs it holds the store's lock, so the command goes through its admin socket
// (<data_dir>/admin.sock); when the daemon is stopped it opens the store itself. Both paths run
// the same http::AdminApi (http/admin_call.hpp), so the output is the same.

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

struct QueueArgs {
  std::string id;
  bool all = false;
  bool json = false;
  std::size_t limit = 0;
};

enum class Print { table, message, verb };

// Exit status: 0 done; 2 unknown id or bad input; 1 the queue could not be reached.
int run(const Options& options, std::string_view method, const std::string& target, Print print,
        bool raw_json) {
  const config::Config config = options.load();
  const http::AdminEndpoint endpoint{config.data_dir / "admin.sock", config.store.dir};
  auto call = http::call_admin(endpoint, method, target);
  if (!call) {
    std::cerr << "postern queue: " << http::call_error_text(endpoint, call.error()) << "\n";
    return 1;
  }
  const http::AdminReply& reply = call->reply;
  if (reply.status != 200) {
    std::cerr << "postern queue: " << http::reply_error_text(reply) << "\n";
    return reply.status == 404 || reply.status == 400 ? 2 : 1;
  }
  if (raw_json) {
    std::cout << reply.body;
    return 0;
  }
  boost::system::error_code ec;
  const auto body = boost::json::parse(reply.body, ec);
  if (ec) {
    std::cerr << "postern queue: unreadable reply from the admin API\n";
    return 1;
  }
  const std::uint64_t now = core::to_unix_ms(std::chrono::system_clock::now());
  switch (print) {
    case Print::table:
      std::cout << http::queue_table(body, now);
      break;
    case Print::message:
      std::cout << http::message_text(body, now);
      break;
    case Print::verb:
      std::cout << http::verb_text(body);
      break;
  }
  return 0;
}

// Exits with 2 for an id that cannot be a queue id (so it is never sent as a path).
const std::string& checked_id(const std::string& id) {
  if (!http::valid_queue_id(id)) {
    std::cerr << "postern queue: not a queue id: " << id << "\n";
    std::exit(2);
  }
  return id;
}

void add_verb(CLI::App* queue, Options& options, QueueArgs& args, const char* name,
              const char* help, const char* method, const char* suffix) {
  auto* cmd = queue->add_subcommand(name, help);
  cmd->add_option("id", args.id, "queue id")->required();
  cmd->callback([&options, &args, method, suffix] {
    options.run = [&options, &args, method, suffix] {
      const std::string target = "/v1/queue/" + checked_id(args.id) + suffix;
      return run(options, method, target, Print::verb, false);
    };
  });
}

}  // namespace

void add_queue_command(CLI::App& app, Options& options) {
  static QueueArgs args;  // lives as long as the parsed command line
  auto* queue = app.add_subcommand("queue", "Queue administration (through the daemon if it runs)");
  queue->require_subcommand(1);

  auto* ls = queue->add_subcommand("ls", "List messages waiting for delivery");
  ls->add_flag("--all", args.all, "every message, delivered and failed ones too");
  ls->add_option("--limit", args.limit, "at most this many messages (default 1000)");
  ls->add_flag("--json", args.json, "print the admin API's JSON");
  ls->callback([&options] {
    options.run = [&options] {
      std::string target = std::string("/v1/queue?all=") + (args.all ? "1" : "0");
      if (args.limit > 0) target += "&limit=" + std::to_string(args.limit);
      return run(options, "GET", target, Print::table, args.json);
    };
  });

  auto* show = queue->add_subcommand("show", "Show a message's envelope and recipients");
  show->add_option("id", args.id, "queue id")->required();
  show->add_flag("--json", args.json, "print the admin API's JSON");
  show->callback([&options] {
    options.run = [&options] {
      return run(options, "GET", "/v1/queue/" + checked_id(args.id), Print::message, args.json);
    };
  });

  add_verb(queue, options, args, "retry", "Make the message's queued recipients due now", "POST",
           "/retry");
  add_verb(queue, options, args, "hold", "Hold the message's queued recipients", "POST", "/hold");
  add_verb(queue, options, args, "release", "Release held recipients (due now)", "POST",
           "/release");
  add_verb(queue, options, args, "delete", "Delete the message and all its recipients", "DELETE",
           "");

  auto* flush = queue->add_subcommand("flush", "Make every queued recipient due now");
  flush->callback([&options] {
    options.run = [&options] {
      return run(options, "POST", "/v1/queue/flush", Print::verb, false);
    };
  });
}

}  // namespace postern::cli
