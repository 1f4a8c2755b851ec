// ServerSession driven as the socket driver would, with the results of its actions chosen by
// the input. Input: [config byte] then packets, each [decision byte][client bytes...] ended by
// 0xFF (a byte never valid in SMTP text under UTF-8, so seeds stay readable).
// Decision bits: 0 credentials ok, 1 sender allowed, 2-3 store outcome (queued, 451, 452,
// 421), 4 timeout after the packet, 5 feed the packet byte by byte, 6 a shutdown request
// after the packet (421 between commands, nothing in the middle of one).
// Invariants: replies are well-formed; no 521; nothing but a close after a close; AUTH only
// inside TLS; messages reach the store only from an authenticated TLS session, with
// recipients, within the size limit and, under the strict policy, in canonical CRLF; every
// "queued as" line is one the driver produced.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "smtp/replies.hpp"
#include "smtp/server_session.hpp"

namespace {

using namespace postern::smtp;

class Driver {
 public:
  explicit Driver(SessionConfig config) : config_(config), session_(std::move(config)) {
    session_.on_connect();
    drain();
  }

  void packet(std::uint8_t decision, std::string_view bytes) {
    if (session_.closed()) return;
    if (decision & 32) {
      for (char c : bytes) step(decision, std::string_view(&c, 1));
    } else {
      step(decision, bytes);
    }
    if (decision & 64) {
      const bool idle = session_.between_commands();
      const bool closed = session_.on_shutdown();
      drain();
      FUZZ_CHECK(!idle || closed);
      FUZZ_CHECK(closed == session_.closed());
    }
    if ((decision & 16) && !session_.closed()) {
      session_.on_timeout();
      drain();
      FUZZ_CHECK(session_.closed());
    }
  }

  int queued_sent() const { return queued_sent_; }
  int queued_seen() const { return queued_seen_; }

 private:
  void step(std::uint8_t decision, std::string_view bytes) {
    const bool was_closed = session_.closed();
    session_.on_bytes(bytes);
    if (was_closed) FUZZ_CHECK(session_.take_output().empty());
    drain();
    while (auto action = session_.take_action()) {
      perform(decision, *action);
      drain();
    }
  }

  void perform(std::uint8_t decision, const Action& action) {
    if (std::holds_alternative<StartTls>(action)) {
      FUZZ_CHECK(!session_.tls_active());
      session_.on_tls_established();
    } else if (std::holds_alternative<CheckCredentials>(action)) {
      FUZZ_CHECK(session_.tls_active() && !session_.authenticated());
      const bool allowed = decision & 2;
      session_.on_credentials_checked(
          {(decision & 1) != 0, "fuzz", [allowed](std::string_view) { return allowed; }});
    } else if (const auto* store = std::get_if<StoreMessage>(&action)) {
      check_message(*store);
      switch ((decision >> 2) & 3) {
        case 0:
          ++queued_sent_;
          session_.on_message_stored(replies::queued("FUZZ"));
          break;
        case 1:
          session_.on_message_stored(replies::store_failed());
          break;
        case 2:
          session_.on_message_stored(replies::store_full());
          break;
        default:
          session_.on_message_stored({421, "4.3.0 stopped"});
          break;
      }
    } else {
      FUZZ_CHECK(session_.closed());
    }
  }

  void check_message(const StoreMessage& m) {
    FUZZ_CHECK(session_.tls_active() && session_.authenticated() && m.account == "fuzz");
    FUZZ_CHECK(!m.envelope.rcpt_to.empty() &&
               m.envelope.rcpt_to.size() <= config_.limits.max_recipients);
    FUZZ_CHECK(m.content.size() <= config_.limits.max_message_size);
    if (config_.bare_line_policy == BareLinePolicy::strict) {
      for (std::size_t i = 0; i < m.content.size(); ++i) {
        if (m.content[i] == '\n') FUZZ_CHECK(i > 0 && m.content[i - 1] == '\r');
        if (m.content[i] == '\r') FUZZ_CHECK(i + 1 < m.content.size() && m.content[i + 1] == '\n');
      }
    }
  }

  // Checks every reply line: "ddd" then SP or "-", CRLF-terminated, never 521.
  void drain() {
    const std::string out = session_.take_output();
    std::size_t pos = 0;
    while (pos < out.size()) {
      const std::size_t end = out.find("\r\n", pos);
      FUZZ_CHECK(end != std::string::npos && end - pos >= 4);
      const std::string_view line = std::string_view(out).substr(pos, end - pos);
      FUZZ_CHECK(line[0] >= '2' && line[0] <= '5' && line[1] >= '0' && line[1] <= '9' &&
                 line[2] >= '0' && line[2] <= '9');
      FUZZ_CHECK(line[3] == ' ' || line[3] == '-');
      FUZZ_CHECK(line.find_first_of("\r\n") == std::string_view::npos);
      FUZZ_CHECK(!line.starts_with("521"));
      if (line.starts_with("235")) FUZZ_CHECK(session_.tls_active());
      if (line.find("queued as") != std::string_view::npos) ++queued_seen_;
      pos = end + 2;
    }
  }

  SessionConfig config_;
  ServerSession session_;
  int queued_sent_ = 0;
  int queued_seen_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  SessionConfig config;
  config.hostname = "fuzz.test";
  config.tls_active = data[0] & 1;
  config.bare_line_policy = (data[0] & 2) ? BareLinePolicy::normalize : BareLinePolicy::strict;
  if (data[0] & 4) {  // small limits, to reach them quickly
    config.limits.max_command_line = 64;
    config.limits.max_text_line = 40;
    config.limits.max_recipients = 2;
    config.limits.max_message_size = 200;
    config.limits.max_local_part = 8;
    config.limits.max_domain = 16;
  }
  Driver driver(config);
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  std::size_t pos = 0;
  while (pos < input.size()) {
    std::size_t end = input.find('\xFF', pos);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view packet = input.substr(pos, end - pos);
    if (!packet.empty()) driver.packet(static_cast<std::uint8_t>(packet[0]), packet.substr(1));
    pos = end + 1;
  }
  FUZZ_CHECK(driver.queued_seen() == driver.queued_sent());
  return 0;
}
