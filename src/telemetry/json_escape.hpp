#pragma once
// JSON string escaping (RFC 8259 §7) that always yields valid UTF-8 (RFC 8259 §8.1), whatever
// bytes come in: log fields carry client-controlled text (EHLO names, addresses, replies).

#include <string>
#include <string_view>

namespace postern::telemetry {

// Appends `text` to `out` escaped for use inside a JSON string (no surrounding quotes):
// '"' and '\' are backslash-escaped; control characters U+0000-U+001F and U+007F become \b \f
// \n \r \t or \u00XX; valid UTF-8 is copied as is; each maximal ill-formed subsequence
// (Unicode §3.9 "best practice": overlongs, surrogates, code points above U+10FFFF, truncated
// or stray bytes) becomes one \ufffd.
void append_json_escaped(std::string& out, std::string_view text);

// `text` as a quoted JSON string: "\"" + escaped + "\"".
[[nodiscard]] std::string json_quote(std::string_view text);

}  // namespace postern::telemetry
