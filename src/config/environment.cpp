// The only place config/ looks at the process: snapshots taken once by the CLI.

#include <unistd.h>

#include <array>
#include <thread>

#include "config/config.hpp"
#include "config/keys.hpp"

extern char** environ;  // POSIX

namespace postern::config {

Environment snapshot_environment() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::size_t eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return env;
}

LoadInput snapshot_process(std::optional<std::filesystem::path> config_flag) {
  LoadInput input;
  input.env = snapshot_environment();
  input.config_file = std::move(config_flag);
  if (!input.config_file) {
    auto it = input.env.find(kConfigFileEnv);
    if (it != input.env.end() && !it->second.empty()) input.config_file = it->second;
  }
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) == 0) input.system_hostname = host.data();
  input.hardware_threads = std::max(1u, std::thread::hardware_concurrency());
  input.stderr_is_terminal = ::isatty(STDERR_FILENO) == 1;
  return input;
}

}  // namespace postern::config
