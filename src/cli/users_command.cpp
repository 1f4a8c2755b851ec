// postern users add/remove/list/passwd — the submission accounts in the data directory.
// Passwords come from standard input (one line; not echoed on a terminal) or from the
// variable named by --password-env, never from argv, where `ps` would show them.

#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "auth/account_store.hpp"
#include "cli/commands.hpp"
#include "core/error.hpp"
#include "smtp/sasl.hpp"

namespace postern::cli {
namespace {

struct UsersArgs {
  std::string name;
  std::string senders;
  std::string password_env;
};

// Reads one line from standard input without echo when it is a terminal.
std::string read_password_line() {
  const bool terminal = ::isatty(0) == 1;
  termios saved{};
  if (terminal) {
    std::cerr << "password: " << std::flush;
    ::tcgetattr(0, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(0, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (terminal) {
    ::tcsetattr(0, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// AUTH PLAIN and LOGIN take fields up to 4096 octets (smtp::kMaxSaslField): a longer password
// could never log in. Exits with status 2 for one.
std::string checked_length(std::string password) {
  if (password.size() > smtp::kMaxSaslField) {
    std::cerr << "postern users: password longer than 4096 bytes, more than AUTH accepts\n";
    std::exit(2);
  }
  return password;
}

// Exits with status 2 naming the problem when no usable password was given.
std::string obtain_password(const UsersArgs& args) {
  if (!args.password_env.empty()) {
    const char* value = std::getenv(args.password_env.c_str());
    if (value == nullptr || *value == '\0') {
      std::cerr << "postern users: variable " << args.password_env << " is not set or empty\n";
      std::exit(2);
    }
    return checked_length(value);
  }
  std::string password = read_password_line();
  if (password.empty()) {
    std::cerr << "postern users: empty password (give it on standard input or --password-env)\n";
    std::exit(2);
  }
  return checked_length(std::move(password));
}

policy::SenderRules parse_senders_or_exit(const std::string& list) {
  std::string reason;
  auto rules = policy::SenderRules::parse(list, &reason);
  if (!rules) {
    std::cerr << "postern users: --senders: " << reason << "\n";
    std::exit(2);
  }
  return *rules;
}

int report(core::Status status, std::string_view what, const std::string& name) {
  if (!status) {
    std::cout << what << " " << name << "\n";
    return 0;
  }
  std::cerr << "postern users: " << name << ": " << status.message() << "\n";
  return status == core::Errc::not_found || status == core::Errc::already_exists ||
                 status == core::Errc::invalid_argument
             ? 2
             : 1;
}

auth::AccountStore open_accounts(const Options& options) {
  return auth::AccountStore(auth::AccountStore::default_path(options.load().data_dir));
}

}  // namespace

void add_users_command(CLI::App& app, Options& options) {
  static UsersArgs args;  // lives as long as the parsed command line
  auto* users = app.add_subcommand("users", "Submission accounts");
  users->require_subcommand(1);

  auto* add = users->add_subcommand("add", "Add an account (password on stdin or --password-env)");
  add->add_option("name", args.name, "account name")->required();
  add->add_option("--senders", args.senders, "allowed senders: a@b.c, *@domain, or *")->required();
  add->add_option("--password-env", args.password_env, "read the password from this variable");
  add->callback([&options] {
    options.run = [&options] {
      auto senders = parse_senders_or_exit(args.senders);
      auto accounts = open_accounts(options);
      return report(accounts.add(args.name, obtain_password(args), senders), "added", args.name);
    };
  });

  auto* remove = users->add_subcommand("remove", "Remove an account");
  remove->add_option("name", args.name, "account name")->required();
  remove->callback([&options] {
    options.run = [&options] {
      return report(open_accounts(options).remove(args.name), "removed", args.name);
    };
  });

  auto* passwd = users->add_subcommand("passwd", "Set an account's password");
  passwd->add_option("name", args.name, "account name")->required();
  passwd->add_option("--password-env", args.password_env, "read the password from this variable");
  passwd->callback([&options] {
    options.run = [&options] {
      auto accounts = open_accounts(options);
      return report(accounts.set_password(args.name, obtain_password(args)), "updated", args.name);
    };
  });

  auto* list = users->add_subcommand("list", "List accounts and their allowed senders");
  list->callback([&options] {
    options.run = [&options] {
      std::string reason;
      auto all = open_accounts(options).list(&reason);
      if (!all) {
        std::cerr << "postern users: " << (reason.empty() ? all.error().message() : reason) << "\n";
        return 1;
      }
      for (const auto& account : *all) {
        std::cout << account.name << "\t" << account.senders.to_string() << "\n";
      }
      return 0;
    };
  });
}

}  // namespace postern::cli
