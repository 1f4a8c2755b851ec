#include "app/serve.hpp"
#include "cli/commands.hpp"

namespace postern::cli {

config::Config Options::load() const {
  return config::load_config(config::snapshot_process(config_file));
}

void add_serve_command(CLI::App& app, Options& options) {
  auto* serve = app.add_subcommand("serve", "Run the daemon: submission listener and queue");
  serve->callback([&options] {
    options.run = [&options] { return app::run_serve(options.load()); };
  });
}

void add_config_command(CLI::App& app, Options& options) {
  auto* config = app.add_subcommand("config", "Configuration");
  config->require_subcommand(1);
  auto* check = config->add_subcommand(
      "check", "Validate the configuration; print it with secrets redacted");
  check->callback([&options] {
    options.run = [&options] {
      const config::Config config = options.load();
      for (const auto& warning : config.warnings) std::cerr << "config warning: " << warning << "\n";
      std::cout << config::render_toml(config);
      return 0;
    };
  });
}

}  // namespace postern::cli
