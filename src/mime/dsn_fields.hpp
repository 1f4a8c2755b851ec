#pragma once
// Internal to mime/: the field syntax pieces of a DSN (RFC 3464 §2, RFC 6533 §3).

#include <string>
#include <string_view>

namespace postern::mime::dsn_detail {

// "rfc822; addr" for an ASCII address; "utf-8; " + utf-8-addr-xtext (RFC 6533 §3: non-ASCII
// code points, '+', '=' and '\' as \x{HEX}) otherwise.
[[nodiscard]] std::string address_field_value(std::string_view address);

// Upstream text made safe for a header field or a text/plain us-ascii line: printable ASCII
// kept, line breaks of a multi-line reply joined by a space, everything else '?'.
[[nodiscard]] std::string printable_ascii(std::string_view text);

// "Name: value" folded at spaces (CRLF SP) into lines of at most 78 octets where the words
// allow, and never more than 998 (a longer word is cut into pieces). Ends with CRLF.
[[nodiscard]] std::string folded_field(std::string_view name, std::string_view value);

// The header section of `message` with every line ending made CRLF and lines longer than 998
// octets cut. Empty if the message has no header fields.
[[nodiscard]] std::string header_section(std::string_view message);

// The enhanced status code at the start of `text` ("5.1.1" of "5.1.1 User unknown"), or "".
[[nodiscard]] std::string_view leading_enhanced_code(std::string_view text);

[[nodiscard]] bool is_ascii(std::string_view text);

}  // namespace postern::mime::dsn_detail
