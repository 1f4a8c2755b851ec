#pragma once
// The Received trace field the server prepends (RFC 5321 §4.4), with the RFC 3848 protocol
// keyword and a comment naming the TLS version and cipher.
//
//   Received: from helo-name (rdns [192.0.2.1])
//   	by mail.example (Postern) with ESMTPSA id 01JD2S3ZK5Q8W7E4C9XN
//   	(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384)
//   	; Sun, 29 Nov 2026 12:00:00 +0000

#include <chrono>
#include <string>
#include <string_view>

namespace postern::mime {

struct ReceivedInfo {
  std::string_view helo;         // the client's EHLO/HELO argument; empty: no "from" clause
  std::string_view client_rdns;  // the client's verified reverse DNS name; empty if unknown
  std::string_view client_ip;    // "192.0.2.1" or "2001:db8::1"; empty: none (local injection)
  std::string_view by_host;      // our host name
  std::string_view queue_id;
  bool esmtp = true;             // EHLO (true) or HELO
  bool tls = false;
  std::string_view tls_version;  // "TLSv1.3" (tls::SessionSummary::version)
  std::string_view tls_cipher;   // "TLS_AES_256_GCM_SHA384"
  bool authenticated = false;
  // The account name is left out by default: it would tell every recipient which account sent
  // the message. With show_auth_user it appears as "(Authenticated sender: user)".
  bool show_auth_user = false;
  std::string_view auth_user;
  std::chrono::system_clock::time_point time;
};

// "SMTP", "ESMTP", "ESMTPS", "ESMTPA" or "ESMTPSA" (RFC 3848 §2; RFC 3207, RFC 4954).
[[nodiscard]] std::string_view with_protocol(const ReceivedInfo& info);

// The complete field, ending in CRLF, folded with CRLF TAB so that lines stay within 78
// characters unless a single word is longer. Client-supplied text (HELO, rDNS) is reduced to
// characters that cannot break the field's syntax; everything else is "_".
[[nodiscard]] std::string make_received_header(const ReceivedInfo& info);

}  // namespace postern::mime
