#pragma once
// Dialog scripts (tests/dialogs/README.md): the format, its parser, and an in-process runner
// that drives smtp::ServerSession with them.

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtp/server_session.hpp"

namespace postern::smtp::testing {

struct Step {
  enum class Kind { send, expect, expect_regex, directive };
  Kind kind = Kind::send;
  std::string text;  // bytes to send (CRLF added for "C:"), expected line, regex, directive
  int line = 0;      // in the script, for messages
};

// Parses a script; throws std::runtime_error naming the line of a malformed step.
[[nodiscard]] std::vector<Step> parse_dialog(std::string_view script);

// Decodes \r \n \t \\ and \xHH; throws std::runtime_error on anything else after '\'.
[[nodiscard]] std::string unescape(std::string_view text);

// The server configuration every dialog assumes (README.md "Server under test").
[[nodiscard]] SessionConfig dialog_config();

// How the client's bytes are handed to the session: as written, one byte per on_bytes(), or
// every run of consecutive client steps in one on_bytes() (maximal pipelining).
enum class Feed { as_written, byte_by_byte, coalesced };

class DialogRunner {
 public:
  explicit DialogRunner(SessionConfig config = dialog_config());

  // Runs the steps; returns the failures (empty: the dialog passed).
  [[nodiscard]] std::vector<std::string> run(const std::vector<Step>& steps,
                                             Feed feed = Feed::as_written);

  // Answers StoreMessage; the default stores and replies "250 2.0.0 Ok: queued as <id>".
  std::function<Reply(const StoreMessage&)> store;
  std::vector<StoreMessage> stored;  // every message handed to the store, in order

 private:
  void send(std::string_view bytes, Feed feed);
  void pump();
  void collect_output();
  void expect(const Step& step);
  void directive(const Step& step);
  void auth(const Step& step, std::string_view arguments);
  void fail(const Step& step, const std::string& message);

  ServerSession session_;
  std::map<std::string, std::string> accounts_{{"alice", "alice-secret"}};
  std::deque<std::string> received_;  // reply lines not yet matched
  std::optional<Action> pending_;     // StartTls / CheckCredentials awaiting a directive
  bool close_action_ = false;
  std::vector<std::string> failures_;
};

// Sender rule of the dialogs (a stand-in for policy/): exact address with the domain
// case-insensitive, "*@domain", and "+tag" on an allowed base; "" (null path) is allowed.
[[nodiscard]] bool sender_allowed(const std::vector<std::string>& patterns,
                                  std::string_view address);

}  // namespace postern::smtp::testing
