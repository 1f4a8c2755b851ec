#pragma once
// The two client modes. Each prints JSON lines on stdout and returns the process exit code.

#include "loadgen/options.hpp"

namespace postern::loadgen {

// C sessions at a time, each sending K messages then QUIT, until N messages have been tried.
// Prints one summary line.
[[nodiscard]] int run_load(const Options& options);

// Opens --idle sessions (--connections at a time) up to AUTH, prints a line once all are
// established, holds them until SIGINT/SIGTERM or --hold seconds, then checks each with NOOP,
// QUITs and prints a final line.
[[nodiscard]] int run_idle(const Options& options);

}  // namespace postern::loadgen
