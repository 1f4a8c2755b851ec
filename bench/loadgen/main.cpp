// postern_loadgen: submission load generator, idle-session holder and trivial TLS sink for the
// benchmarks in docs/benchmarks.md. Prints JSON lines on stdout; diagnostics go to stderr.

#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "loadgen/load_run.hpp"
#include "loadgen/options.hpp"
#include "loadgen/sink.hpp"

namespace {

using postern::loadgen::Options;

// Ten thousand sessions need ten thousand descriptors: raise the soft limit to the hard one.
void raise_nofile_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) std::perror("setrlimit(RLIMIT_NOFILE)");
}

void add_options(CLI::App& app, Options& o) {
  app.add_option("--host", o.host, "server address (sink: address to listen on)");
  app.add_option("--port", o.port, "server port");
  app.add_option("--connections,-c", o.connections,
                 "concurrent sessions (idle mode: sessions being opened at a time)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--per-connection,-k", o.per_connection, "messages per session")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--size,-s", o.size, "message size in bytes")->check(CLI::Range(64, 64 << 20));
  app.add_option("--total,-n", o.total, "messages to send in all");
  app.add_option("--user", o.user, "AUTH PLAIN user");
  app.add_option("--password", o.password, "AUTH PLAIN password");
  app.add_option("--from", o.from, "envelope and header sender (an allowed sender of --user)");
  app.add_option("--to", o.to, "envelope and header recipient");
  auto* ca = app.add_option("--ca", o.ca_file, "CA bundle to verify the server with");
  app.add_flag("--insecure", o.insecure, "do not verify the server certificate")->excludes(ca);
  app.add_option("--servername", o.servername, "name to verify in the certificate (default --host)");
  app.add_flag("!--no-pipelining", o.pipelining, "send MAIL, RCPT and DATA one at a time");
  app.add_option("--threads,-t", o.threads, "io_context threads (0: one per core)");
  app.add_option("--timeout", o.timeout_s, "seconds allowed for each protocol step")
      ->check(CLI::Range(1, 3600));
  app.add_option("--label", o.label, "copied into the JSON summary");
  app.add_option("--idle", o.idle, "idle mode: open this many sessions and hold them");
  app.add_option("--hold", o.hold_s, "idle/sink mode: seconds to hold (0: until SIGINT/SIGTERM)");
  auto* sink = app.add_option("--sink", o.sink_port, "sink mode: listen on this port");
  app.add_option("--cert", o.cert_file, "sink: certificate chain (PEM)")->needs(sink);
  app.add_option("--key", o.key_file, "sink: private key (PEM)")->needs(sink);
  app.add_option("--stats-file", o.stats_file,
                 "sink: keep connection, TLS handshake, login and message counts and distinct "
                 "Message-IDs in this file (one JSON line, rewritten as they change; printed "
                 "on SIGUSR1 and at exit)")
      ->needs(sink);
  app.add_flag("--sink-auth", o.sink_auth,
               "sink: act as a provider: AUTH PLAIN/LOGIN only after STARTTLS, checked against "
               "--user/--password (535 otherwise), required before MAIL")
      ->needs(sink);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"postern_loadgen: SMTP submission load generator and TLS sink"};
  Options options;
  add_options(app, options);
  CLI11_PARSE(app, argc, argv);
  if (options.sink_port != 0 && (options.cert_file.empty() || options.key_file.empty())) {
    std::fprintf(stderr, "--sink needs --cert and --key\n");
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  raise_nofile_limit();
  try {
    if (options.sink_port != 0) return postern::loadgen::run_sink(options);
    if (options.idle > 0) return postern::loadgen::run_idle(options);
    return postern::loadgen::run_load(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "postern_loadgen: %s\n", e.what());
    return 2;
  }
}
