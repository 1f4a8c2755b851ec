// postern — one binary, several faces (subcommands). See README.md.

#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>

#include "cli/commands.hpp"
#include "config/config.hpp"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a closed peer is an error value, not a process kill

  CLI::App app{"Postern: the outbound mail gateway for cloud applications"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "postern 0.1.0");
  postern::cli::Options options;
  app.add_option("--config", options.config_file, "TOML configuration file (or POSTERN_CONFIG)");

  postern::cli::add_serve_command(app, options);
  postern::cli::add_users_command(app, options);
  postern::cli::add_config_command(app, options);
  postern::cli::add_queue_command(app, options);
  postern::cli::add_capture_command(app, options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    return options.run();
  } catch (const postern::config::ConfigError& e) {
    std::cerr << "config error: " << e.what() << "\n";
    return 2;
  }
}
