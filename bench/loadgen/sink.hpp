#pragma once
// A trivial TLS SMTP sink to measure the load generator's own ceiling: 220, EHLO offering
// STARTTLS (before TLS) or AUTH and PIPELINING (after), STARTTLS, any AUTH accepted, 250 to
// every other command, 250 as soon as the final dot is read. Nothing is stored.
// For the delivery benchmark it can play the provider: --sink-auth checks the login (PLAIN or
// LOGIN, only after STARTTLS, required before MAIL) and --stats-file counts connections, TLS
// handshakes, logins, messages and distinct Message-IDs (sink_stats.hpp).

#include "loadgen/options.hpp"

namespace postern::loadgen {

// Listens on --host:--sink; prints one JSON line once listening; serves until SIGINT/SIGTERM
// or --hold seconds. With --stats-file, also prints the counters as a JSON line on SIGUSR1
// and at exit ("event":"stats" / "final"). Returns the process exit code.
[[nodiscard]] int run_sink(const Options& options);

}  // namespace postern::loadgen
