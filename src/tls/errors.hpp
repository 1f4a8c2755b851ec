#pragma once
// Error values of tls/. Every function that can fail returns core::Result or core::Status with
// one of these codes, and fills an optional `std::string* why` with a sentence for the operator
// that names the file and carries OpenSSL's reason (start-up prints it and exits).

#include <string>
#include <string_view>
#include <system_error>

namespace postern::tls {

enum class Errc {
  ok = 0,
  cert_unreadable = 1,   // certificate file missing, unreadable or not PEM
  key_unreadable,        // private key file missing, unreadable or not PEM
  key_mismatch,          // the private key does not belong to the certificate
  ca_unreadable,         // the extra CA file could not be loaded
  bad_configuration,     // OpenSSL refused a protocol, cipher or option setting
  generation_failed,     // key or certificate generation failed
  write_failed,          // writing the generated files failed (see `why` for errno)
  invalid_hostname,      // a host name that is neither a DNS name nor an IP literal
  incomplete_files,      // cert.pem exists but key.pem does not: an operator must act
};

const std::error_category& tls_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), tls_category()};
}

// Sets *why (when why != nullptr) to `what`, followed by ": " and the queued OpenSSL error
// reasons, if any. Always clears OpenSSL's per-thread error queue. Returns `code`.
std::error_code fail(Errc code, std::string* why, std::string_view what);

}  // namespace postern::tls

template <>
struct std::is_error_code_enum<postern::tls::Errc> : std::true_type {};
