#include "tls/errors.hpp"

#include <openssl/err.h>

namespace postern::tls {
namespace {

class TlsCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "postern.tls"; }
  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::ok: return "success";
      case Errc::cert_unreadable: return "certificate file cannot be loaded";
      case Errc::key_unreadable: return "private key file cannot be loaded";
      case Errc::key_mismatch: return "private key does not match the certificate";
      case Errc::ca_unreadable: return "CA file cannot be loaded";
      case Errc::bad_configuration: return "TLS configuration refused by OpenSSL";
      case Errc::generation_failed: return "key or certificate generation failed";
      case Errc::write_failed: return "cannot write key or certificate file";
      case Errc::invalid_hostname: return "invalid host name";
      case Errc::incomplete_files: return "certificate present without its key";
    }
    return "unknown tls error";
  }
};

// Drains the error queue into "reason; reason" (most recent last).
std::string drain_openssl_errors() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!out.empty()) out += "; ";
    out += buffer;
  }
  return out;
}

}  // namespace

const std::error_category& tls_category() noexcept {
  static const TlsCategory category;
  return category;
}

std::error_code fail(Errc code, std::string* why, std::string_view what) {
  const std::string reasons = drain_openssl_errors();
  if (why != nullptr) {
    why->assign(what);
    if (!reasons.empty()) why->append(": ").append(reasons);
  }
  return make_error_code(code);
}

}  // namespace postern::tls
