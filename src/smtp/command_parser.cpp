#include "smtp/command_parser.hpp"

#include <array>
#include <utility>

#include "smtp/text.hpp"

namespace postern::smtp {

LineSplitter::Result LineSplitter::next(std::string_view input, std::size_t max_line) {
  if (max_line < 3) max_line = 3;
  const std::size_t crlf = input.find("\r\n");
  if (discarding_) {
    if (crlf == std::string_view::npos) {
      // Drop everything but a trailing CR that may start the CRLF.
      const std::size_t keep = !input.empty() && input.back() == '\r' ? 1 : 0;
      return {Kind::need_more, {}, input.size() - keep};
    }
    discarding_ = false;
    return {Kind::too_long, {}, crlf + 2};
  }
  if (crlf == std::string_view::npos) {
    // With max_line bytes and no CRLF yet, the CRLF would end past the limit.
    if (input.size() < max_line) return {};
    discarding_ = true;
    return next(input, max_line);
  }
  if (crlf + 2 > max_line) return {Kind::too_long, {}, crlf + 2};
  const std::string_view line = input.substr(0, crlf);
  if (line.find_first_of("\r\n") != std::string_view::npos)
    return {Kind::bare_ending, {}, crlf + 2};
  return {Kind::line, line, crlf + 2};
}

namespace {

constexpr std::array<std::pair<std::string_view, Verb>, 13> kVerbs{{
    {"EHLO", Verb::ehlo},
    {"HELO", Verb::helo},
    {"MAIL", Verb::mail},
    {"RCPT", Verb::rcpt},
    {"DATA", Verb::data},
    {"RSET", Verb::rset},
    {"NOOP", Verb::noop},
    {"QUIT", Verb::quit},
    {"HELP", Verb::help},
    {"VRFY", Verb::vrfy},
    {"EXPN", Verb::expn},
    {"STARTTLS", Verb::starttls},
    {"AUTH", Verb::auth},
}};

// HTTP methods (RFC 9110 §9, RFC 5789): a request line is "METHOD SP target SP version".
constexpr std::array<std::string_view, 9> kHttpMethods{
    "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "PATCH", "TRACE"};

}  // namespace

Command parse_command(std::string_view line) {
  // Trailing white space is dropped: "RSET " is RSET (a common client habit, harmless).
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  const std::size_t sp = line.find(' ');
  const std::string_view word = line.substr(0, sp);
  const std::string_view argument =
      sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
  if (sp != std::string_view::npos) {
    for (std::string_view method : kHttpMethods) {
      if (word == method) return {Verb::http, argument};  // methods are case-sensitive
    }
  }
  for (const auto& [name, verb] : kVerbs) {
    if (equals_ignore_case(word, name)) return {verb, argument};
  }
  return {Verb::unknown, argument};
}

}  // namespace postern::smtp
