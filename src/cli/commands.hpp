#pragma once
// The subcommands. Each add_* registers its options and sets Options::run.

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <optional>

#include "config/config.hpp"

namespace postern::cli {

struct Options {
  std::optional<std::filesystem::path> config_file;
  std::function<int()> run;  // the chosen subcommand's body; may throw config::ConfigError

  // The configuration from --config / POSTERN_CONFIG and the environment.
  [[nodiscard]] config::Config load() const;
};

void add_serve_command(CLI::App& app, Options& options);
void add_users_command(CLI::App& app, Options& options);
void add_config_command(CLI::App& app, Options& options);
void add_queue_command(CLI::App& app, Options& options);
void add_capture_command(CLI::App& app, Options& options);

}  // namespace postern::cli
