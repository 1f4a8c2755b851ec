#pragma once
// Command-line options of postern_loadgen (see main.cpp for the help text of each).

#include <cstddef>
#include <cstdint>
#include <string>

namespace postern::loadgen {

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 587;
  int connections = 50;       // concurrent sessions (idle mode: sessions opened at a time)
  int per_connection = 20;    // messages per session before QUIT
  std::size_t size = 2048;    // message size in bytes
  std::uint64_t total = 10000;
  std::string user = "bench";
  std::string password = "bench";
  std::string from = "bench@example.com";
  std::string to = "rcpt@example.net";
  std::string ca_file;        // verify the server against this CA bundle
  std::string servername;     // name to verify (default: host)
  bool insecure = false;      // no certificate verification (loopback benchmarks only)
  bool pipelining = true;     // send MAIL, RCPT, DATA as one group when offered (RFC 2920)
  int threads = 0;            // io_context threads; 0 = one per core
  int timeout_s = 60;         // per-operation timeout
  std::string label;          // copied into the JSON summary

  std::uint64_t idle = 0;     // idle mode: number of sessions to hold
  double hold_s = 0;          // idle/sink mode: how long to hold (0 = until SIGINT/SIGTERM)

  std::uint16_t sink_port = 0;  // sink mode when non-zero
  std::string cert_file;        // sink certificate chain (PEM)
  std::string key_file;         // sink private key (PEM)
  std::string stats_file;       // sink: counters as one JSON line, rewritten as they change
  bool sink_auth = false;       // sink: AUTH checked against user/password, required for MAIL
};

}  // namespace postern::loadgen
