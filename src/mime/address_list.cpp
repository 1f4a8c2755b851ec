#include "mime/address_list.hpp"

#include <cstdint>

namespace postern::mime {
namespace {

// RFC 5322 §3.2.3 atext, plus any non-ASCII byte (RFC 6532 §3.2 UTF8-non-ascii).
bool is_atext(char ch) {
  const auto c = static_cast<std::uint8_t>(ch);
  if (c >= 0x80) return true;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  constexpr std::string_view kSymbols = "!#$%&'*+-/=?^_`{|}~";
  return kSymbols.find(static_cast<char>(c)) != std::string_view::npos;
}

enum class Kind { atom, quoted, domain_literal, special, invalid, end };

struct Token {
  Kind kind;
  std::string text;  // atom text, unescaped quoted content, literal with brackets, or the special
};

// Splits a value into tokens, skipping whitespace and comments (CFWS, §3.2.2).
class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  // The token starting at or after `pos` (whitespace and comments skipped); `pos` moves past it.
  Token next(std::size_t& pos) {
    pos_ = pos;
    Token token = lex();
    pos = pos_;
    return token;
  }

 private:
  Token lex() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++pos_;
      } else if (c == '(') {
        if (!skip_comment()) return {Kind::invalid, "("};
      } else {
        break;
      }
    }
    if (pos_ >= text_.size()) return {Kind::end, {}};
    const char c = text_[pos_];
    if (c == '"') return quoted();
    if (c == '[') return domain_literal();
    if (is_atext(c)) return atom();
    ++pos_;
    constexpr std::string_view kSpecials = "<>:;@,.";
    if (kSpecials.find(c) != std::string_view::npos) return {Kind::special, std::string(1, c)};
    return {Kind::invalid, std::string(1, c)};
  }

  // Comments nest and may hold quoted-pairs (§3.2.2). False if unterminated.
  bool skip_comment() {
    int depth = 0;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '\\') {
        ++pos_;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')' && --depth == 0) {
        return true;
      }
    }
    return false;
  }

  Token quoted() {
    std::string content;
    ++pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return {Kind::quoted, std::move(content)};
      if (c == '\\') {
        if (pos_ >= text_.size()) break;
        content += text_[pos_++];
      } else if (c != '\r' && c != '\n') {
        content += c;
      }
    }
    return {Kind::invalid, "\""};
  }

  Token domain_literal() {
    const std::size_t start = pos_;
    while (++pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\\') {
        ++pos_;
      } else if (c == '[') {
        break;
      } else if (c == ']') {
        ++pos_;
        return {Kind::domain_literal, std::string(text_.substr(start, pos_ - start))};
      }
    }
    return {Kind::invalid, "["};
  }

  Token atom() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && is_atext(text_[pos_])) ++pos_;
    return {Kind::atom, std::string(text_.substr(start, pos_ - start))};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

bool is_dot_atom(std::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.') return false;
  if (text.find("..") != std::string_view::npos) return false;
  for (const char c : text) {
    if (c != '.' && !is_atext(c)) return false;
  }
  return true;
}

std::string render_local_part(const std::string& local) {
  if (is_dot_atom(local)) return local;
  std::string out = "\"";
  for (const char c : local) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Recursive descent over the tokens of address-list (§3.4, §4.4).
// Tokens are lexed on demand, so memory stays constant whatever the input; backtracking
// (mark/reset) re-lexes a few tokens, so work stays linear.
class Parser {
 public:
  explicit Parser(std::string_view text) : lexer_(text) { advance(); }

  AddressList run() {
    while (peek().kind != Kind::end) {
      if (is_special(",")) {  // obs-addr-list: empty elements
        advance();
        continue;
      }
      if (!address() || !(is_special(",") || peek().kind == Kind::end)) {
        result_.malformed = true;
        skip_to_comma(false);
      }
    }
    return std::move(result_);
  }

 private:
  const Token& peek() const { return current_; }
  void advance() {
    start_ = next_;
    current_ = lexer_.next(next_);
  }
  std::size_t mark() const { return start_; }
  void reset(std::size_t mark) {
    next_ = mark;
    advance();
  }
  std::string take() {
    std::string text = std::move(current_.text);
    advance();
    return text;
  }
  bool is_special(std::string_view s) const {
    return peek().kind == Kind::special && peek().text == s;
  }
  bool is_word() const { return peek().kind == Kind::atom || peek().kind == Kind::quoted; }

  // Advances to the next ',' (or, inside a group, to ';') without consuming it.
  void skip_to_comma(bool in_group) {
    while (peek().kind != Kind::end && !is_special(",") && !(in_group && is_special(";"))) advance();
  }

  // obs-phrase: words and dots. Returns the number of tokens consumed.
  std::size_t phrase() {
    std::size_t count = 0;
    while (is_word() || (count > 0 && is_special("."))) {
      advance();
      ++count;
    }
    return count;
  }

  bool address() {
    const std::size_t start = mark();
    if (phrase() > 0 && is_special(":")) {
      advance();
      return group();
    }
    reset(start);
    return mailbox();
  }

  // group-list up to and including ';' (a missing ';' at the end is tolerated as malformed).
  bool group() {
    while (peek().kind != Kind::end && !is_special(";")) {
      if (is_special(",")) {
        advance();
        continue;
      }
      if (!mailbox() || !(is_special(",") || is_special(";"))) {
        result_.malformed = true;
        skip_to_comma(true);
      }
    }
    if (!is_special(";")) return false;
    advance();
    return true;
  }

  // A mailbox is reported only once it is complete ("<a@b" reports nothing).
  bool mailbox() {
    const std::size_t start = mark();
    phrase();
    std::string address;
    if (is_special("<")) {
      advance();
      if (!angle_addr(address)) return false;
    } else {
      reset(start);
      if (!addr_spec(address)) return false;
    }
    add(std::move(address));
    return true;
  }

  // After '<': [obs-route ":"] addr-spec ">".
  bool angle_addr(std::string& address) {
    if (is_special("@")) {
      while (peek().kind != Kind::end && !is_special(":") && !is_special(">")) advance();
      if (!is_special(":")) return false;
      advance();
    }
    if (!addr_spec(address) || !is_special(">")) return false;
    advance();
    return true;
  }

  bool addr_spec(std::string& address) {
    std::string local;
    if (!is_word()) return false;
    local += take();
    while (is_special(".")) {
      advance();
      if (!is_word()) return false;
      local += '.';
      local += take();
    }
    if (!is_special("@")) return false;
    advance();
    std::string domain;
    if (!domain_part(domain)) return false;
    address = render_local_part(local) + "@" + domain;
    return true;
  }

  bool domain_part(std::string& domain) {
    if (peek().kind == Kind::domain_literal) {
      domain = take();
      return true;
    }
    if (peek().kind != Kind::atom) return false;
    domain = take();
    while (is_special(".")) {
      advance();
      if (peek().kind != Kind::atom) return false;
      domain += '.';
      domain += take();
    }
    return true;
  }

  void add(std::string address) {
    if (result_.addresses.size() >= kMaxAddresses) {
      result_.malformed = true;
      return;
    }
    result_.addresses.push_back(std::move(address));
  }

  Lexer lexer_;
  Token current_{Kind::end, {}};
  std::size_t start_ = 0;  // offset where current_ begins (before its CFWS)
  std::size_t next_ = 0;   // offset just after current_
  AddressList result_;
};

}  // namespace

AddressList parse_address_list(std::string_view value) {
  return Parser(value).run();
}

}  // namespace postern::mime
