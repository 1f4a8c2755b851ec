#include "dialog_script.hpp"

#include <regex>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "core/ids.hpp"
#include "smtp/replies.hpp"
#include "smtp/text.hpp"

namespace postern::smtp::testing {

std::string unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out.push_back(text[i]);
      continue;
    }
    if (++i >= text.size()) throw std::runtime_error("dangling backslash");
    switch (text[i]) {
      case 'r':
        out.push_back('\r');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 't':
        out.push_back('\t');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case 'x': {
        if (i + 2 >= text.size()) throw std::runtime_error("short \\x escape");
        out.push_back(
            static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
        i += 2;
        break;
      }
      default:
        throw std::runtime_error("unknown escape \\" + std::string(1, text[i]));
    }
  }
  return out;
}

std::vector<Step> parse_dialog(std::string_view script) {
  std::vector<Step> steps;
  std::istringstream in{std::string(script)};
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    const std::string_view prefix = std::string_view(line).substr(0, 3);
    const std::string rest = line.size() > 3 ? line.substr(3) : "";
    const auto at = [&](const std::string& why) {
      return std::runtime_error("line " + std::to_string(number) + ": " + why);
    };
    if (line == "C:") {  // an empty line (a trailing space would not survive editors)
      steps.push_back({Step::Kind::send, "\r\n", number});
    } else if (prefix == "C: ") {
      steps.push_back({Step::Kind::send, rest + "\r\n", number});
    } else if (prefix == "C~ ") {
      try {
        steps.push_back({Step::Kind::send, unescape(rest), number});
      } catch (const std::exception& e) {
        throw at(e.what());
      }
    } else if (prefix == "S: ") {
      steps.push_back({Step::Kind::expect, rest, number});
    } else if (prefix == "S~ ") {
      steps.push_back({Step::Kind::expect_regex, rest, number});
    } else if (line.rfind("! ", 0) == 0) {
      steps.push_back({Step::Kind::directive, line.substr(2), number});
    } else {
      throw at("not a step: " + line);
    }
  }
  return steps;
}

SessionConfig dialog_config() {
  SessionConfig config;
  config.hostname = "postern.test";
  config.limits.max_message_size = 10240;
  return config;
}

bool sender_allowed(const std::vector<std::string>& patterns, std::string_view address) {
  if (address.empty()) return true;
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return false;
  std::string_view local = address.substr(0, at);
  const std::string_view domain = address.substr(at + 1);
  const std::size_t plus = local.find('+');
  for (const std::string& pattern : patterns) {
    const std::size_t pat_at = pattern.rfind('@');
    const std::string_view pat_local = std::string_view(pattern).substr(0, pat_at);
    if (!equals_ignore_case(std::string_view(pattern).substr(pat_at + 1), domain)) continue;
    if (pat_local == "*" || pat_local == local) return true;
    if (plus != std::string_view::npos && pat_local == local.substr(0, plus)) return true;
  }
  return false;
}

DialogRunner::DialogRunner(SessionConfig config) : session_(std::move(config)) {
  store = [](const StoreMessage&) { return replies::queued(core::make_queue_id(1700000000000)); };
}

std::vector<std::string> DialogRunner::run(const std::vector<Step>& steps, Feed feed) {
  session_.on_connect();
  pump();
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    switch (step.kind) {
      case Step::Kind::send: {
        if (session_.closed()) fail(step, "the client sends after the server closed");
        std::string bytes = step.text;
        while (feed == Feed::coalesced && i + 1 < steps.size() &&
               steps[i + 1].kind == Step::Kind::send) {
          bytes += steps[++i].text;
        }
        send(bytes, feed);
        break;
      }
      case Step::Kind::expect:
      case Step::Kind::expect_regex:
        expect(step);
        break;
      case Step::Kind::directive:
        directive(step);
        break;
    }
  }
  const Step end{Step::Kind::directive, "end", steps.empty() ? 0 : steps.back().line + 1};
  for (const std::string& line : received_) fail(end, "unexpected reply line: " + line);
  if (pending_) fail(end, "an action is still waiting for a directive");
  return failures_;
}

void DialogRunner::send(std::string_view bytes, Feed feed) {
  if (feed != Feed::byte_by_byte) {
    session_.on_bytes(bytes);
    pump();
    return;
  }
  for (char c : bytes) {
    session_.on_bytes(std::string_view(&c, 1));
    pump();
  }
}

// The driver's loop: write the output, then perform the actions the dialog does not script.
void DialogRunner::pump() {
  collect_output();
  while (auto action = session_.take_action()) {
    if (auto* message = std::get_if<StoreMessage>(&*action)) {
      stored.push_back(*message);
      session_.on_message_stored(store(*message));
      collect_output();
    } else if (std::holds_alternative<CloseConnection>(*action)) {
      close_action_ = true;
    } else {
      if (pending_) failures_.push_back("two actions outstanding at once");
      pending_ = std::move(action);
    }
  }
}

void DialogRunner::collect_output() {
  const std::string out = session_.take_output();
  std::size_t pos = 0;
  while (pos < out.size()) {
    const std::size_t crlf = out.find("\r\n", pos);
    if (crlf == std::string::npos) {
      failures_.push_back("output not ending in CRLF: " + out.substr(pos));
      return;
    }
    received_.push_back(out.substr(pos, crlf - pos));
    pos = crlf + 2;
  }
}

void DialogRunner::expect(const Step& step) {
  if (received_.empty()) return fail(step, "expected \"" + step.text + "\", got nothing");
  const std::string got = received_.front();
  received_.pop_front();
  const bool match = step.kind == Step::Kind::expect ? got == step.text
                                                     : std::regex_match(got, std::regex(step.text));
  if (!match) fail(step, "expected \"" + step.text + "\", got \"" + got + "\"");
}

void DialogRunner::directive(const Step& step) {
  const std::string_view text = step.text;
  if (text == "tls") {
    if (!pending_ || !std::holds_alternative<StartTls>(*pending_))
      return fail(step, "no StartTls action");
    pending_.reset();
    session_.on_tls_established();
    pump();
  } else if (text.rfind("auth ", 0) == 0) {
    auth(step, text.substr(5));
  } else if (text == "closed") {
    if (!session_.closed() || !close_action_) fail(step, "the session is not closed");
  } else {
    fail(step, "unknown directive");
  }
}

// "auth ok user=NAME senders=P1,P2" or "auth fail". The credentials the client sent must
// agree with the account table, so the same dialog works against a real server.
void DialogRunner::auth(const Step& step, std::string_view arguments) {
  if (!pending_ || !std::holds_alternative<CheckCredentials>(*pending_))
    return fail(step, "no CheckCredentials action");
  const CheckCredentials credentials = std::get<CheckCredentials>(*pending_);
  pending_.reset();
  const auto account = accounts_.find(credentials.username);
  const bool valid = account != accounts_.end() && account->second == credentials.password;
  CredentialsResult result;
  std::istringstream words{std::string(arguments)};
  std::string verdict, word;
  words >> verdict;
  if (verdict == "ok") {
    std::vector<std::string> senders;
    while (words >> word) {
      if (word.rfind("user=", 0) == 0 && word.substr(5) != credentials.username)
        fail(step, "other user: " + credentials.username);
      if (word.rfind("senders=", 0) == 0) {
        std::istringstream list(word.substr(8));
        for (std::string s; std::getline(list, s, ',');) senders.push_back(s);
      }
    }
    if (!valid) fail(step, "\"auth ok\" but the credentials are wrong");
    result = {true, credentials.username,
              [senders](std::string_view a) { return sender_allowed(senders, a); }};
  } else if (verdict == "fail") {
    if (valid) fail(step, "\"auth fail\" but the credentials are right");
  } else {
    return fail(step, "auth ok|fail expected");
  }
  session_.on_credentials_checked(std::move(result));
  pump();
}

void DialogRunner::fail(const Step& step, const std::string& message) {
  failures_.push_back("line " + std::to_string(step.line) + ": " + message);
}

}  // namespace postern::smtp::testing
