#pragma once
// The DATA body encoder of the upstream client (RFC 5321 §4.1.1.4, §4.5.2), the mirror of
// DataDecoder.
//
// Line endings are made canonical before anything else: CRLF stays, and every bare CR and
// every bare LF becomes CRLF, so the encoded body holds no CR or LF outside a CRLF and no
// variant of the end-of-data marker (<LF>.<LF>, <CR>.<CR>, ...) can ever reach the provider
// (SMTP smuggling, CVE-2023-51764/51765/51766). Then every line that starts with "." gets a
// second "." (§4.5.2), a last line without CRLF gets one, and <CRLF>.<CRLF> ends the data.

#include <cstddef>
#include <string>
#include <string_view>

namespace postern::smtp {

// Appends the encoded body of `content` to `out`, ending with ".\r\n". Empty content encodes
// as ".\r\n" alone (the CRLF of the DATA line starts the marker).
void append_data_body(std::string& out, std::string_view content);

// The message size as RFC 1870 §3 counts it for SIZE=: the content with canonical line
// endings and a final CRLF, without the stuffed dots and the end-of-data marker.
[[nodiscard]] std::size_t canonical_size(std::string_view content);

}  // namespace postern::smtp
