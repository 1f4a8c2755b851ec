// Fuzzes config::load_config_from_string with the input as TOML text. The only acceptable
// outcomes are a Config or a ConfigError; any other exception, crash or sanitizer report is
// a bug. The environment is fixed and empty of secrets; a fuzz input may name files (tls
// paths, password_file), which the loader only stats or reads a bounded prefix of.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config.hpp"
#include "fuzz_check.hpp"

namespace {

const postern::config::LoadInput& fixed_input() {
  static const postern::config::LoadInput input = [] {
    postern::config::LoadInput in;
    in.env = {{"POSTERN_SUBMISSION_MAX_ERRORS", "5"}, {"FUZZ_PASSWORD", "pw"}};
    in.system_hostname = "fuzz.test";
    in.hardware_threads = 2;
    return in;
  }();
  return input;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const postern::config::Config config =
        postern::config::load_config_from_string(text, fixed_input(), "<fuzz>");
    // A loaded config must render to TOML that loads back to itself.
    const std::string rendered = postern::config::render_toml(config);
    const postern::config::Config again =
        postern::config::load_config_from_string(rendered, fixed_input(), "<rendered>");
    FUZZ_CHECK(again == config);
  } catch (const postern::config::ConfigError&) {
    // Expected: bad input is reported, never fatal.
  }
  return 0;
}
