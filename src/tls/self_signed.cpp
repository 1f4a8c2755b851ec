#include "tls/self_signed.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <boost/asio/ip/address.hpp>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "net/endpoint.hpp"
#include "tls/openssl_ptr.hpp"

namespace postern::tls {
namespace {

namespace fs = std::filesystem;
using X509Ptr = Ptr<X509, X509_free>;
using KeyPtr = Ptr<EVP_PKEY, EVP_PKEY_free>;
using BioPtr = Ptr<BIO, BIO_free_all>;

constexpr std::size_t kMaxCommonName = 64;  // ub-common-name, RFC 5280 Appendix A

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(host, ec);
  return !ec;
}

// "DNS:host,DNS:localhost,IP:127.0.0.1,IP:::1"; `host` was validated, so it holds no comma.
std::string subject_alt_names(const std::string& host) {
  std::string names;
  if (is_ip_literal(host)) {
    if (host != "127.0.0.1" && host != "::1") names = "IP:" + host + ",";
  } else if (host != "localhost") {
    names = "DNS:" + host + ",";
  }
  return names + "DNS:localhost,IP:127.0.0.1,IP:::1";
}

bool set_random_serial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return false;
  bytes[0] = static_cast<unsigned char>((bytes[0] & 0x7F) | 0x40);  // positive, 16 octets
  Ptr<BIGNUM, BN_free> number(BN_bin2bn(bytes, sizeof bytes, nullptr));
  return number && BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(cert)) != nullptr;
}

bool set_names(X509* cert, const std::string& host) {
  X509_NAME* name = X509_get_subject_name(cert);
  const std::string common_name = host.size() <= kMaxCommonName ? host : "postern";
  const auto* cn = reinterpret_cast<const unsigned char*>(common_name.c_str());
  const auto* org = reinterpret_cast<const unsigned char*>("Postern self-signed");
  return X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, org, -1, -1, 0) == 1 &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0) == 1 &&
         X509_set_issuer_name(cert, name) == 1;
}

bool add_extension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  Ptr<X509_EXTENSION, X509_EXTENSION_free> ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

bool add_extensions(X509* cert, const std::string& host) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  return add_extension(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
         add_extension(cert, &ctx, NID_key_usage, "critical,digitalSignature") &&
         add_extension(cert, &ctx, NID_ext_key_usage, "serverAuth") &&
         add_extension(cert, &ctx, NID_subject_key_identifier, "hash") &&
         add_extension(cert, &ctx, NID_subject_alt_name, subject_alt_names(host));
}

X509Ptr make_certificate(EVP_PKEY* key, const std::string& host) {
  X509Ptr cert(X509_new());
  const long validity_seconds = static_cast<long>(
      std::chrono::duration_cast<std::chrono::seconds>(kSelfSignedValidity).count());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      !set_random_serial(cert.get()) ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), validity_seconds) == nullptr ||
      X509_set_pubkey(cert.get(), key) != 1 || !set_names(cert.get(), host) ||
      !add_extensions(cert.get(), host) || X509_sign(cert.get(), key, EVP_sha256()) <= 0) {
    return nullptr;
  }
  return cert;
}

// The PEM text of the key (PKCS#8, unencrypted) or the certificate. A "secmem" BIO cleanses
// its buffer when freed, so the key bytes do not linger on the heap.
std::string to_pem(EVP_PKEY* key, X509* cert) {
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio) return {};
  const int written = key != nullptr
      ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
      : PEM_write_bio_X509(bio.get(), cert);
  if (written != 1) return {};
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

std::string errno_text(const std::string& what, const fs::path& path) {
  return what + " '" + path.string() + "': " + std::strerror(errno);
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool fsync_path(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

// Writes `bytes` to `path` atomically with `mode` (LevelDB SetCurrentFile order: temporary
// file, fsync, rename, fsync of the directory).
core::Status write_atomically(const fs::path& path, std::string_view bytes, mode_t mode,
                              std::string* why) {
  const fs::path temp = path.string() + ".tmp";
  ::unlink(temp.c_str());  // a leftover of a crash; O_EXCL below guarantees our own mode
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return fail(Errc::write_failed, why, errno_text("cannot create", temp));
  bool written = ::fchmod(fd, mode) == 0 && write_all(fd, bytes) && ::fsync(fd) == 0;
  int saved_errno = errno;
  if (::close(fd) != 0 && written) {
    written = false;
    saved_errno = errno;
  }
  if (!written) {
    errno = saved_errno;
    const std::string text = errno_text("cannot write", temp);
    ::unlink(temp.c_str());
    return fail(Errc::write_failed, why, text);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string text = errno_text("cannot rename into", path);
    ::unlink(temp.c_str());
    return fail(Errc::write_failed, why, text);
  }
  if (!fsync_path(path.parent_path())) {
    return fail(Errc::write_failed, why, errno_text("cannot sync directory", path.parent_path()));
  }
  return {};
}

core::Status make_tls_dir(const fs::path& dir, std::string* why) {
  std::error_code ec;
  const bool created = fs::create_directories(dir, ec);
  if (ec) return fail(Errc::write_failed, why, "cannot create '" + dir.string() + "': " + ec.message());
  if (created) {
    fs::permissions(dir, fs::perms::owner_all, ec);
    if (ec || !fsync_path(dir.parent_path())) {
      return fail(Errc::write_failed, why, "cannot set up '" + dir.string() + "'");
    }
  }
  return {};
}

core::Status generate(const CertPaths& paths, const std::string& host, std::string* why) {
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return fail(Errc::generation_failed, why, "cannot generate an ECDSA P-256 key");
  X509Ptr cert = make_certificate(key.get(), host);
  if (!cert) return fail(Errc::generation_failed, why, "cannot build the self-signed certificate");
  std::string key_pem = to_pem(key.get(), nullptr);
  const std::string cert_pem = to_pem(nullptr, cert.get());
  if (key_pem.empty() || cert_pem.empty()) {
    return fail(Errc::generation_failed, why, "cannot encode the key or certificate as PEM");
  }
  auto status = write_atomically(paths.key, key_pem, 0600, why);
  OPENSSL_cleanse(key_pem.data(), key_pem.size());
  if (status) return status;
  return write_atomically(paths.cert, cert_pem, 0644, why);
}

}  // namespace

core::Result<CertPaths> ensure_self_signed(const fs::path& data_dir, std::string_view hostname,
                                           std::string* why) {
  ERR_clear_error();
  std::string host(hostname);
  if (!host.empty() && host.back() == '.') host.pop_back();
  if (!net::is_valid_hostname(host) && !is_ip_literal(host)) {
    return fail(Errc::invalid_hostname, why, "'" + std::string(hostname) + "' is not a host name");
  }
  const fs::path dir = data_dir / "tls";
  CertPaths paths{dir / "cert.pem", dir / "key.pem", false};
  std::error_code cert_ec;
  std::error_code key_ec;
  const bool has_cert = fs::exists(paths.cert, cert_ec);
  const bool has_key = fs::exists(paths.key, key_ec);
  if (cert_ec || key_ec) {
    return fail(Errc::write_failed, why, "cannot inspect '" + dir.string() + "': " +
                                             (cert_ec ? cert_ec : key_ec).message());
  }
  if (has_cert && has_key) return paths;
  if (has_cert) {
    return fail(Errc::incomplete_files, why,
                "'" + paths.cert.string() + "' exists but '" + paths.key.string() +
                    "' does not; restore the key or remove the certificate");
  }
  if (auto status = make_tls_dir(dir, why)) return status;
  if (auto status = generate(paths, host, why)) return status;
  paths.generated = true;
  return paths;
}

}  // namespace postern::tls
