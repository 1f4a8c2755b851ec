#pragma once
// Client scripts: a fake upstream server written as text, driving smtp::ClientSession
// in-process. One step per line:
//
//   S: text        the server sends `text` CRLF
//   S~ bytes       the server sends `bytes` as written, escapes decoded (\r \n \t \\ \xHH)
//   C: text        the next line the client wrote is `text` (CRLF not shown; "C:" alone is an
//                  empty line)
//   ! directive    send N | quit | tls | tls-failed | tls-begin | lost | timeout | close |
//                  closed | ready | not-ready | failure NAME |
//                  timeout-is greeting|command|data_start|final_dot
//   # comment      (and blank lines) ignored
//
// Before every server step, each line the client wrote so far must have been matched by a
// "C:" step: a script pins not only what the client writes but when (a pipelined group goes
// out before the first reply; without PIPELINING one command per reply). At the end, no
// client line and no action may be left over. "! tls" performs a pending StartTlsAction
// ("! tls-begin" only takes it: the handshake runs on), "! close" checks a pending
// CloseAction. The client's output must never hold a CR or LF outside a CRLF.

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtp/client_session.hpp"

namespace postern::smtp::testing {

enum class ServerFeed { as_written, byte_by_byte };

// Credentials and timeouts every script assumes: ehlo_name relay.test, TLS required,
// app@example.com / s3cret-pass, PLAIN then LOGIN, timeouts 1/2/3/4 s (greeting, command,
// data start, final dot).
[[nodiscard]] ClientConfig script_config();

class ClientScript {
 public:
  explicit ClientScript(ClientConfig config = script_config(),
                        std::vector<OutgoingMessage> messages = {});

  // Runs the script; returns the failures (empty: it passed).
  [[nodiscard]] std::vector<std::string> run(std::string_view script,
                                             ServerFeed feed = ServerFeed::as_written);

  [[nodiscard]] ClientSession& session() { return session_; }
  std::vector<TransactionResult> results;  // every result taken, in order
  std::string wire;                        // everything the client wrote

 private:
  void server_sends(std::string_view bytes, ServerFeed feed);
  void pump();
  void directive(std::string_view text);
  void fail(const std::string& message);

  ClientConfig config_;
  std::vector<OutgoingMessage> messages_;
  ClientSession session_;
  std::deque<std::string> written_;  // client lines not yet matched
  std::optional<ClientAction> action_;
  std::vector<std::string> failures_;
  int line_ = 0;
};

// Runs `script` with every ServerFeed on fresh sessions; reports failures with the feed.
// Returns the last runner so the caller can inspect its results.
ClientScript run_script(std::string_view script, const ClientConfig& config,
                        const std::vector<OutgoingMessage>& messages = {});

}  // namespace postern::smtp::testing
