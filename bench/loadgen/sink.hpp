#pragma once
// A trivial TLS SMTP sink to measure the load generator's own ceiling: 220, EHLO offering
// STARTTLS (before TLS) or AUTH and PIPELINING (after), STARTTLS, any AUTH accepted, 250 to
// every other command, 250 as soon as the final dot is read. Nothing is stored.

#include "loadgen/options.hpp"

namespace postern::loadgen {

// Listens on --host:--sink; prints one JSON line once listening; serves until SIGINT/SIGTERM
// or --hold seconds. Returns the process exit code.
[[nodiscard]] int run_sink(const Options& options);

}  // namespace postern::loadgen
