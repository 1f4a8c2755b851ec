// ClientSession driven as delivery/'s socket driver would, by a server made of fuzz bytes,
// with the driver's events chosen by the input; and the reply parser on the same bytes.
// Input: [config byte] then packets, each [decision byte][server bytes...] ended by 0xFF.
// Config bits: 0 plaintext (ClientTls::none), 1 no credentials, 2-3 mechanism order,
// 4 small reply limits. Decision bits: 0 feed byte by byte, 1 send a message when ready
// (2-3 pick it), 4 timeout, 5 connection lost, 6 quit(), 7 the TLS handshake fails.
// Invariants: output is CRLF lines only; with TLS required nothing but EHLO, STARTTLS and
// QUIT goes out before TLS; no AUTH without credentials; the password never in clear on the
// wire, nor in a reply the session keeps unless the server sent it;
// each send gets exactly one result, recipients in order; ambiguous only after a final dot;
// nothing after closed(); the reply parser gives the same replies however the bytes are split,
// each within the limits.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_check.hpp"
#include "smtp/client_session.hpp"
#include "smtp/reply_parser.hpp"

namespace {

using namespace postern::smtp;

constexpr std::string_view kPassword = "Qz7-fuzz-secret-9vW";

std::vector<OutgoingMessage> messages() {
  std::vector<OutgoingMessage> m(4);
  m[0] = {
      "a@example.com", {"b@example.net", "c@example.net"}, "Subject: x\r\n\r\n.hi\n", false, false};
  m[1] = {"", {"d@example.net"}, "", true, true};
  m[2] = {"e@example.com", {"bad>\r\nRSET", "f@example.net"}, "x\r.\r\n", false, false};
  m[3] = {"bad\r\n", {"g@example.net"}, "y", false, false};
  return m;
}

class Driver {
 public:
  // `server_knows_secret`: the fuzz bytes hold the password, so a reply may echo it.
  Driver(ClientConfig config, bool server_knows_secret)
      : config_(config), session_(std::move(config)), echo_ok_(server_knows_secret) {}

  void packet(std::uint8_t decision, std::string_view bytes) {
    if (decision & 1) {
      for (const char c : bytes) {
        session_.on_bytes(std::string_view(&c, 1));
        drain(decision);
      }
    } else {
      session_.on_bytes(bytes);
      drain(decision);
    }
    if ((decision & 2) && session_.ready()) {
      const auto all = messages();
      sent_.push_back(all[(decision >> 2) & 3]);
      session_.send(sent_.back());
      drain(decision);
    }
    if (decision & 64) {
      session_.quit();
      drain(decision);
    }
    if (decision & 16) {
      session_.on_timeout();
      drain(decision);
      FUZZ_CHECK(session_.closed());
    }
    if (decision & 32) {
      session_.on_connection_lost();
      drain(decision);
      FUZZ_CHECK(session_.closed());
    }
  }

  void finish() {
    session_.on_connection_lost();
    drain(0);
    FUZZ_CHECK(session_.closed() && !session_.ready());
    FUZZ_CHECK(results_ == sent_.size());  // every transaction has its result
  }

 private:
  // Takes what the session produced; once it was seen closed, it must produce nothing more.
  void drain(std::uint8_t decision) {
    check_state();
    const std::string out = session_.take_output();
    FUZZ_CHECK(!closed_seen_ || out.empty());
    check_output(out);
    while (auto result = session_.take_result()) {
      FUZZ_CHECK(!closed_seen_);
      check_result(*result);
    }
    while (auto action = session_.take_action()) {
      FUZZ_CHECK(!closed_seen_);
      if (std::holds_alternative<StartTlsAction>(*action)) {
        FUZZ_CHECK(config_.tls == ClientTls::required && !tls_);
        if (decision & 128) {
          session_.on_tls_failed();
        } else {
          tls_ = true;
          session_.on_tls_established();
        }
        check_output(session_.take_output());
      } else {
        FUZZ_CHECK(session_.closed());
      }
    }
    if (session_.closed()) closed_seen_ = true;
  }

  void check_state() {
    if (session_.ready()) {
      FUZZ_CHECK(!session_.closed() && session_.failure() == SessionFailure::none);
      if (config_.tls == ClientTls::required) FUZZ_CHECK(tls_ && session_.tls_active());
    }
    FUZZ_CHECK(session_.timeout().count() > 0);
    if (const auto& reply = session_.failure_reply(); reply && !echo_ok_) {
      FUZZ_CHECK(reply->text.find(kPassword) == std::string::npos);
    }
  }

  void check_output(const std::string& out) {
    std::size_t pos = 0;
    while (pos < out.size()) {
      const std::size_t end = out.find("\r\n", pos);
      FUZZ_CHECK(end != std::string::npos);
      const std::string_view line = std::string_view(out).substr(pos, end - pos);
      FUZZ_CHECK(line.find_first_of("\r\n") == std::string_view::npos);
      FUZZ_CHECK(line.find(kPassword) == std::string_view::npos);  // only ever base64
      if (config_.tls == ClientTls::required && !tls_) {
        FUZZ_CHECK(line == "EHLO fuzz.test" || line == "STARTTLS" || line == "QUIT");
      }
      if (line.starts_with("AUTH ")) FUZZ_CHECK(!config_.username.empty());
      if (line == ".") ++dots_;
      pos = end + 2;
    }
  }

  void check_result(const TransactionResult& r) {
    FUZZ_CHECK(results_ < sent_.size());
    const OutgoingMessage& m = sent_[results_++];
    FUZZ_CHECK(r.recipients.size() == m.rcpt_to.size());
    for (std::size_t i = 0; i < m.rcpt_to.size(); ++i) {
      FUZZ_CHECK(r.recipients[i].address == m.rcpt_to[i]);
      FUZZ_CHECK(echo_ok_ || r.recipients[i].reply.text.find(kPassword) == std::string::npos);
    }
    if (r.ambiguous) FUZZ_CHECK(dots_ > 0 && !r.final_reply);
    if (r.final_reply) FUZZ_CHECK(r.data_reply && r.data_reply->code == 354);
  }

  ClientConfig config_;
  ClientSession session_;
  std::vector<OutgoingMessage> sent_;
  std::size_t results_ = 0;
  std::size_t dots_ = 0;
  bool closed_seen_ = false;
  bool tls_ = false;
  bool echo_ok_ = false;
};

// The replies in `input` parsed in pieces of `piece` octets, and how parsing ended.
std::vector<Reply> parse(std::string_view input, std::size_t piece, ReplyLimits limits,
                         ReplyParser::Error& error) {
  ReplyParser parser(limits);
  std::vector<Reply> replies;
  for (std::size_t pos = 0; pos < input.size(); pos += piece) {
    std::string_view chunk = input.substr(pos, piece);
    while (true) {
      const ReplyParser::Result r = parser.feed(chunk);
      FUZZ_CHECK(r.consumed <= chunk.size());
      chunk.remove_prefix(r.consumed);
      if (r.status == ReplyParser::Status::error) {
        error = parser.error();
        FUZZ_CHECK(error != ReplyParser::Error::none);
        return replies;
      }
      if (r.status == ReplyParser::Status::need_more) {
        FUZZ_CHECK(chunk.empty());
        break;
      }
      Reply reply = parser.take_reply();
      FUZZ_CHECK(reply.code >= 200 && reply.code <= 559);
      FUZZ_CHECK(reply.text.find('\r') == std::string::npos);
      std::size_t lines = 1;
      std::size_t line_start = 0;
      for (std::size_t i = 0; i <= reply.text.size(); ++i) {
        if (i < reply.text.size() && reply.text[i] != '\n') continue;
        FUZZ_CHECK(i - line_start + 6 <= limits.max_line);  // "ddd-" + text + CRLF
        line_start = i + 1;
        if (i < reply.text.size()) ++lines;
      }
      FUZZ_CHECK(lines <= limits.max_lines);
      replies.push_back(std::move(reply));
    }
  }
  error = ReplyParser::Error::none;
  return replies;
}

void fuzz_reply_parser(std::string_view input, std::uint8_t config) {
  const ReplyLimits limits = (config & 16) ? ReplyLimits{32, 3} : ReplyLimits{};
  ReplyParser::Error whole_error{};
  ReplyParser::Error byte_error{};
  const std::vector<Reply> whole = parse(input, input.size() + 1, limits, whole_error);
  const std::vector<Reply> bytes = parse(input, 1, limits, byte_error);
  FUZZ_CHECK(whole == bytes && whole_error == byte_error);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t flags = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  fuzz_reply_parser(input, flags);

  ClientConfig config;
  config.ehlo_name = "fuzz.test";
  config.tls = (flags & 1) ? ClientTls::none : ClientTls::required;
  if (!(flags & 2)) {
    config.username = "app@example.com";
    config.password = std::string(kPassword);
  }
  static const std::vector<std::string> kOrders[] = {
      {"PLAIN", "LOGIN"}, {"LOGIN"}, {"XOAUTH2", "PLAIN"}, {"CRAM-MD5"}};
  config.auth_mechanisms = kOrders[(flags >> 2) & 3];
  if (flags & 16) {
    config.max_reply_line = 32;
    config.max_reply_lines = 3;
  }
  std::vector<std::pair<std::uint8_t, std::string_view>> packets;
  std::string server_stream;  // all the server's bytes, in order
  for (std::size_t pos = 0; pos < input.size();) {
    std::size_t end = input.find('\xFF', pos);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view packet = input.substr(pos, end - pos);
    if (!packet.empty()) {
      packets.emplace_back(static_cast<std::uint8_t>(packet[0]), packet.substr(1));
      server_stream.append(packet.substr(1));
    }
    pos = end + 1;
  }
  Driver driver(config, server_stream.find(kPassword) != std::string::npos);
  for (const auto& [decision, bytes] : packets) driver.packet(decision, bytes);
  driver.finish();
  return 0;
}
