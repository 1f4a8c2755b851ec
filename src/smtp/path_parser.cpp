#include "smtp/path_parser.hpp"

#include <optional>
#include <string_view>

#include "smtp/address.hpp"
#include "smtp/text.hpp"

namespace postern::smtp::detail {
namespace {

// atext (RFC 5322 §3.2.3), extended with UTF8-non-ascii by RFC 6531 §3.3.
bool is_atext(char c) {
  return is_alnum(c) || is_non_ascii(c) ||
         std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool is_domain_char(char c) { return is_alnum(c) || is_non_ascii(c) || c == '-' || c == '.'; }

class PathParser {
 public:
  explicit PathParser(std::string_view text) : text_(text) {}

  Path parse(bool allow_null) {
    Path path;
    if (!eat('<')) return path;
    if (allow_null && eat('>')) return finish(path, /*null=*/true);
    if (peek() == '@' && !route()) return path;
    const std::size_t start = pos_;
    const std::optional<std::string_view> local = local_part();
    if (!local || !eat('@')) return path;
    const std::optional<std::string_view> domain = domain_or_literal();
    if (!domain || !eat('>')) return path;
    path.mailbox = std::string(text_.substr(start, pos_ - 1 - start));
    path.local_part_length = local->size();
    path.domain_length = domain->size();
    return finish(path, /*null=*/false);
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool eat(char c) {
    if (pos_ >= text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  Path& finish(Path& path, bool null) {
    path.null = null;
    const std::string_view whole = text_.substr(0, pos_);
    path.ok = is_valid_utf8(whole);
    for (char c : whole) path.non_ascii = path.non_ascii || is_non_ascii(c);
    path.rest = text_.substr(pos_);
    return path;
  }

  // A-d-l ":" where A-d-l = At-domain *( "," At-domain ), At-domain = "@" Domain (§4.1.2).
  bool route() {
    do {
      if (!eat('@') || !domain()) return false;
    } while (eat(','));
    return eat(':');
  }

  std::optional<std::string_view> domain() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && is_domain_char(text_[pos_])) ++pos_;
    const std::string_view d = text_.substr(start, pos_ - start);
    if (!is_valid_domain_utf8(d)) return std::nullopt;
    return d;
  }

  std::optional<std::string_view> domain_or_literal() {
    if (peek() != '[') return domain();
    const std::size_t close = text_.find(']', pos_);
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view literal = text_.substr(pos_, close + 1 - pos_);
    if (!is_valid_address_literal(literal)) return std::nullopt;
    pos_ = close + 1;
    return literal;
  }

  // Local-part = Dot-string / Quoted-string
  std::optional<std::string_view> local_part() {
    const std::size_t start = pos_;
    if (peek() == '"' ? !quoted_string() : !dot_string()) return std::nullopt;
    return text_.substr(start, pos_ - start);
  }

  // Dot-string = Atom *("." Atom), Atom = 1*atext
  bool dot_string() {
    do {
      const std::size_t start = pos_;
      while (pos_ < text_.size() && is_atext(text_[pos_])) ++pos_;
      if (pos_ == start) return false;
    } while (eat('.'));
    return true;
  }

  // Quoted-string = DQUOTE *QcontentSMTP DQUOTE
  bool quoted_string() {
    eat('"');
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (c == '\\') {  // quoted-pairSMTP = %d92 %d32-126
        if (pos_ >= text_.size() || text_[pos_] < 32 || text_[pos_] > 126) return false;
        ++pos_;
      } else if (!is_non_ascii(c) &&
                 (c < 32 || c > 126)) {  // qtextSMTP: %d32-33 / %d35-91 / %d93-126
        return false;
      }
    }
    return false;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

Path parse_path(std::string_view text, bool allow_null) {
  return PathParser(text).parse(allow_null);
}

bool is_valid_domain_utf8(std::string_view domain) {
  if (domain.empty()) return false;
  const auto let_dig = [](char c) { return is_alnum(c) || is_non_ascii(c); };
  while (true) {
    const std::size_t dot = domain.find('.');
    const std::string_view label = domain.substr(0, dot);
    if (label.empty() || !let_dig(label.front()) || !let_dig(label.back())) return false;
    for (char c : label) {
      if (!let_dig(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    domain.remove_prefix(dot + 1);
  }
}

}  // namespace postern::smtp::detail
