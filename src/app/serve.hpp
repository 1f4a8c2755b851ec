#pragma once
// The composition root of `postern serve`: builds every part from the Config, runs until
// SIGINT or SIGTERM, then drains. Returns the process exit status.

#include "config/config.hpp"

namespace postern::app {

// Exit status: 0 after a clean stop; 1 when a part cannot start (the log says which and why).
[[nodiscard]] int run_serve(const config::Config& config);

}  // namespace postern::app
