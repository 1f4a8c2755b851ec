#include "mime/received.hpp"

#include <vector>

#include "mime/date.hpp"

namespace postern::mime {
namespace {

constexpr std::size_t kMaxLine = 78;  // RFC 5322 §2.1.1, without the CRLF

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Host names, address literals, ids: letters, digits and "-._:[]" only; anything else would let
// a client inject comments, clauses or a ';' that ends the field early.
std::string domain_token(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const bool ok = is_alnum(c) || std::string_view("-._:[]").find(c) != std::string_view::npos;
    out += ok ? c : '_';
  }
  return out.empty() ? "unknown" : out;
}

// Text inside a comment: printable ASCII without "()\" and space.
std::string comment_token(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const bool ok = c > 0x20 && c < 0x7F && c != '(' && c != ')' && c != '\\';
    out += ok ? c : '_';
  }
  return out.empty() ? "unknown" : out;
}

// RFC 5321 §4.1.3 address literal; an IPv6 address gets the "IPv6:" tag.
std::string address_literal(std::string_view ip) {
  const std::string clean = domain_token(ip);
  if (clean.find(':') != std::string::npos) return "[IPv6:" + clean + "]";
  return "[" + clean + "]";
}

using Words = std::vector<std::string>;

// Each group starts a new line (the first after "Received:"); words of a group are joined by
// spaces and folded with CRLF TAB before a word that would pass kMaxLine.
std::string fold(const std::vector<Words>& groups) {
  std::string out = "Received:";
  std::size_t line = out.size();
  bool first_group = true;
  for (const Words& words : groups) {
    bool new_line = !first_group;
    first_group = false;
    for (const std::string& word : words) {
      if (new_line || line + 1 + word.size() > kMaxLine) {
        out += "\r\n\t";
        line = 1;
      } else {
        out += ' ';
        ++line;
      }
      out += word;
      line += word.size();
      new_line = false;
    }
  }
  return out + "\r\n";
}

Words from_clause(const ReceivedInfo& info) {
  Words words = {"from", domain_token(info.helo)};
  const std::string literal = address_literal(info.client_ip);
  if (!info.client_rdns.empty()) {
    words.push_back("(" + domain_token(info.client_rdns));
    words.push_back(literal + ")");
  } else if (!info.client_ip.empty()) {
    words.push_back("(" + literal + ")");
  }
  return words;
}

}  // namespace

std::string_view with_protocol(const ReceivedInfo& info) {
  if (!info.esmtp) return "SMTP";
  if (info.tls && info.authenticated) return "ESMTPSA";
  if (info.tls) return "ESMTPS";
  if (info.authenticated) return "ESMTPA";
  return "ESMTP";
}

std::string make_received_header(const ReceivedInfo& info) {
  std::vector<Words> groups;
  if (!info.helo.empty() || !info.client_ip.empty()) groups.push_back(from_clause(info));
  if (info.authenticated && info.show_auth_user) {
    groups.push_back({"(Authenticated", "sender:", comment_token(info.auth_user) + ")"});
  }
  groups.push_back({"by", domain_token(info.by_host), "(Postern)", "with",
                    std::string(with_protocol(info)), "id", domain_token(info.queue_id)});
  if (info.tls) {
    groups.push_back({"(version=" + comment_token(info.tls_version),
                      "cipher=" + comment_token(info.tls_cipher) + ")"});
  }
  Words date = {";"};
  const std::string when = format_rfc5322_date(info.time);
  std::size_t start = 0;
  while (start < when.size()) {
    std::size_t end = when.find(' ', start);
    if (end == std::string::npos) end = when.size();
    date.push_back(when.substr(start, end - start));
    start = end + 1;
  }
  groups.push_back(std::move(date));
  return fold(groups);
}

}  // namespace postern::mime
