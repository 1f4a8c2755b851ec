#include "client_script.hpp"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <utility>

#include "dialog_script.hpp"

namespace postern::smtp::testing {
namespace {

const std::map<std::string, SessionFailure, std::less<>> kFailures{
    {"none", SessionFailure::none},
    {"greeting_refused", SessionFailure::greeting_refused},
    {"ehlo_refused", SessionFailure::ehlo_refused},
    {"starttls_not_offered", SessionFailure::starttls_not_offered},
    {"starttls_refused", SessionFailure::starttls_refused},
    {"tls_failed", SessionFailure::tls_failed},
    {"auth_not_offered", SessionFailure::auth_not_offered},
    {"auth_failed", SessionFailure::auth_failed},
    {"protocol_error", SessionFailure::protocol_error},
    {"timed_out", SessionFailure::timed_out},
    {"connection_lost", SessionFailure::connection_lost},
};

}  // namespace

ClientConfig script_config() {
  ClientConfig config;
  config.ehlo_name = "relay.test";
  config.tls = ClientTls::required;
  config.auth_mechanisms = {"PLAIN", "LOGIN"};
  config.username = "app@example.com";
  config.password = "s3cret-pass";
  config.greeting_timeout = std::chrono::seconds(1);
  config.command_timeout = std::chrono::seconds(2);
  config.data_start_timeout = std::chrono::seconds(3);
  config.final_dot_timeout = std::chrono::seconds(4);
  return config;
}

ClientScript::ClientScript(ClientConfig config, std::vector<OutgoingMessage> messages)
    : config_(config), messages_(std::move(messages)), session_(std::move(config)) {}

std::vector<std::string> ClientScript::run(std::string_view script, ServerFeed feed) {
  std::size_t pos = 0;
  while (pos < script.size()) {
    std::size_t end = script.find('\n', pos);
    if (end == std::string_view::npos) end = script.size();
    const std::string_view text = script.substr(pos, end - pos);
    pos = end + 1;
    ++line_;
    if (text.empty() || text.starts_with("#")) continue;
    const std::string_view rest = text.size() > 3 ? text.substr(3) : std::string_view();
    if (text.starts_with("S: ") || text.starts_with("S~ ")) {
      if (!written_.empty()) fail("the client wrote '" + written_.front() + "' too early");
      written_.clear();
      server_sends(text.starts_with("S: ") ? std::string(rest) + "\r\n" : unescape(rest), feed);
    } else if (text.starts_with("C:")) {
      const std::string want = text.size() > 2 ? std::string(text.substr(3)) : std::string();
      if (written_.empty()) {
        fail("expected the client to write '" + want + "', it wrote nothing");
      } else {
        if (written_.front() != want) {
          fail("expected the client to write '" + want + "', got '" + written_.front() + "'");
        }
        written_.pop_front();
      }
    } else if (text.starts_with("! ")) {
      directive(text.substr(2));
    } else {
      throw std::runtime_error("bad script line " + std::to_string(line_));
    }
  }
  for (const std::string& left : written_) fail("unexpected client line '" + left + "'");
  if (action_) fail("an action was left unperformed");
  return failures_;
}

void ClientScript::server_sends(std::string_view bytes, ServerFeed feed) {
  if (feed == ServerFeed::byte_by_byte) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      session_.on_bytes(bytes.substr(i, 1));
      pump();
    }
  } else {
    session_.on_bytes(bytes);
    pump();
  }
}

// Collects what the session produced after an event.
void ClientScript::pump() {
  const std::string out = session_.take_output();
  wire += out;
  std::size_t pos = 0;
  while (pos < out.size()) {
    const std::size_t end = out.find("\r\n", pos);
    if (end == std::string::npos) {
      fail("client output does not end in CRLF");
      break;
    }
    const std::string line = out.substr(pos, end - pos);
    if (line.find_first_of("\r\n") != std::string::npos) fail("bare CR or LF in client output");
    written_.push_back(line);
    pos = end + 2;
  }
  while (auto result = session_.take_result()) results.push_back(std::move(*result));
  if (auto action = session_.take_action()) {
    if (action_) fail("a second action came before the first was performed");
    action_ = std::move(action);
  }
}

void ClientScript::directive(std::string_view text) {
  const std::size_t sp = text.find(' ');
  const std::string_view verb = text.substr(0, sp);
  const std::string arg(sp == std::string_view::npos ? std::string_view() : text.substr(sp + 1));
  if (verb == "send") {
    if (!session_.ready()) return fail("send: session not ready");
    session_.send(messages_.at(std::stoul(arg)));
  } else if (verb == "quit") {
    session_.quit();
  } else if (verb == "tls" || verb == "tls-failed") {
    if (!action_ || !std::holds_alternative<StartTlsAction>(*action_)) {
      return fail("no StartTlsAction pending");
    }
    action_.reset();
    verb == "tls" ? session_.on_tls_established() : session_.on_tls_failed();
  } else if (verb == "tls-begin") {
    // The driver took the StartTlsAction and is still handshaking.
    if (!action_ || !std::holds_alternative<StartTlsAction>(*action_)) {
      return fail("no StartTlsAction pending");
    }
    action_.reset();
    return;
  } else if (verb == "lost") {
    session_.on_connection_lost();
  } else if (verb == "timeout") {
    session_.on_timeout();
  } else if (verb == "close") {
    if (!action_ || !std::holds_alternative<CloseAction>(*action_)) {
      return fail("no CloseAction pending");
    }
    action_.reset();
    if (!session_.closed()) fail("CloseAction but not closed()");
    return;
  } else if (verb == "closed") {
    if (!session_.closed()) fail("not closed()");
    return;
  } else if (verb == "ready" || verb == "not-ready") {
    if (session_.ready() != (verb == "ready"))
      fail("ready() is " + std::to_string(session_.ready()));
    return;
  } else if (verb == "failure") {
    const auto it = kFailures.find(arg);
    if (it == kFailures.end()) throw std::runtime_error("unknown failure " + arg);
    if (session_.failure() != it->second) {
      fail("failure() is not " + arg + " but #" +
           std::to_string(static_cast<int>(session_.failure())));
    }
    return;
  } else if (verb == "timeout-is") {
    const std::map<std::string, std::chrono::milliseconds, std::less<>> timeouts{
        {"greeting", config_.greeting_timeout},
        {"command", config_.command_timeout},
        {"data_start", config_.data_start_timeout},
        {"final_dot", config_.final_dot_timeout}};
    if (session_.timeout() != timeouts.at(arg)) {
      fail("timeout() is " + std::to_string(session_.timeout().count()) + " ms, not " + arg);
    }
    return;
  } else {
    throw std::runtime_error("unknown directive on line " + std::to_string(line_));
  }
  pump();
}

void ClientScript::fail(const std::string& message) {
  failures_.push_back("line " + std::to_string(line_) + ": " + message);
}

ClientScript run_script(std::string_view script, const ClientConfig& config,
                        const std::vector<OutgoingMessage>& messages) {
  std::optional<ClientScript> last;
  for (const ServerFeed feed : {ServerFeed::byte_by_byte, ServerFeed::as_written}) {
    last.emplace(config, messages);
    for (const std::string& failure : last->run(script, feed)) {
      ADD_FAILURE() << (feed == ServerFeed::as_written ? "[as written] " : "[byte by byte] ")
                    << failure;
    }
  }
  return std::move(*last);
}

}  // namespace postern::smtp::testing
