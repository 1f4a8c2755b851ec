#include "tls/self_signed.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <sstream>

#include "tls/openssl_ptr.hpp"
#include "temp_dir.hpp"

namespace postern::tls {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

unsigned mode_of(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

Ptr<X509, X509_free> load_cert(const fs::path& path) {
  Ptr<BIO, BIO_free_all> bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) return nullptr;
  return Ptr<X509, X509_free>(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

TEST(SelfSigned, GeneratesOnceWithPrivateModesThenReuses) {
  TempDir dir;
  std::string why;
  const auto first = ensure_self_signed(dir.path(), "mail.example", &why);
  ASSERT_TRUE(first.ok()) << why;
  EXPECT_TRUE(first->generated);
  EXPECT_EQ(first->cert, dir.path() / "tls" / "cert.pem");
  EXPECT_EQ(first->key, dir.path() / "tls" / "key.pem");
  EXPECT_EQ(mode_of(first->key), 0600u);
  EXPECT_EQ(mode_of(dir.path() / "tls"), 0700u);
  EXPECT_FALSE(fs::exists(dir.path() / "tls" / "key.pem.tmp"));
  EXPECT_FALSE(fs::exists(dir.path() / "tls" / "cert.pem.tmp"));
  const std::string cert = read_file(first->cert);
  const std::string key = read_file(first->key);
  EXPECT_EQ(cert.rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
  EXPECT_EQ(key.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);

  const auto second = ensure_self_signed(dir.path(), "other.example");
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->generated);
  EXPECT_EQ(read_file(second->cert), cert);
  EXPECT_EQ(read_file(second->key), key);
}

TEST(SelfSigned, CertificateContents) {
  TempDir dir;
  const auto paths = ensure_self_signed(dir.path(), "mail.example.");
  ASSERT_TRUE(paths.ok());
  const auto cert = load_cert(paths->cert);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
  // Names: the host, localhost and the loopback addresses.
  EXPECT_EQ(X509_check_host(cert.get(), "mail.example", 0, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "other.example", 0, 0, nullptr), 0);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
  // Serial: positive, not zero, 128 bits.
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get());
  Ptr<BIGNUM, BN_free> serial_bn(ASN1_INTEGER_to_BN(serial, nullptr));
  ASSERT_TRUE(serial_bn);
  EXPECT_FALSE(BN_is_negative(serial_bn.get()));
  EXPECT_EQ(BN_num_bits(serial_bn.get()), 127);
  // Validity: 825 days plus the hour of clock-skew allowance.
  int days = 0;
  int seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert.get()), X509_get0_notAfter(cert.get())), 1);
  EXPECT_EQ(days, 825);
  EXPECT_EQ(seconds, 3600);
  // ECDSA P-256 key, SHA-256 signature, self-signed signature valid.
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  ASSERT_NE(key, nullptr);
  EXPECT_TRUE(EVP_PKEY_is_a(key, "EC"));
  char group[64] = {};
  ASSERT_EQ(EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, nullptr), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_ecdsa_with_SHA256);
  EXPECT_EQ(X509_verify(cert.get(), key), 1);
  // A leaf for servers only.
  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  EXPECT_EQ(X509_check_purpose(cert.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
}

TEST(SelfSigned, IpLiteralHostGetsAnIpName) {
  TempDir dir;
  const auto paths = ensure_self_signed(dir.path(), "192.0.2.7");
  ASSERT_TRUE(paths.ok());
  const auto cert = load_cert(paths->cert);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "192.0.2.7", 0), 1);
}

TEST(SelfSigned, RejectsInvalidHostnames) {
  TempDir dir;
  for (const char* host : {"", "bad,host", "DNS:x,IP:1.2.3.4", "a b", "-x.example"}) {
    std::string why;
    const auto result = ensure_self_signed(dir.path(), host, &why);
    ASSERT_FALSE(result.ok()) << host;
    EXPECT_EQ(result.error(), Errc::invalid_hostname);
    EXPECT_FALSE(why.empty());
  }
  EXPECT_FALSE(fs::exists(dir.path() / "tls"));
}

TEST(SelfSigned, CertificateWithoutKeyIsLeftAlone) {
  TempDir dir;
  fs::create_directories(dir.path() / "tls");
  { std::ofstream(dir.path() / "tls" / "cert.pem") << "operator's certificate"; }
  std::string why;
  const auto result = ensure_self_signed(dir.path(), "mail.example", &why);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error(), Errc::incomplete_files);
  EXPECT_NE(why.find("key.pem"), std::string::npos) << why;
  EXPECT_EQ(read_file(dir.path() / "tls" / "cert.pem"), "operator's certificate");
}

TEST(SelfSigned, LeftoverKeyFromACrashIsReplaced) {
  TempDir dir;
  fs::create_directories(dir.path() / "tls");
  { std::ofstream(dir.path() / "tls" / "key.pem") << "half-finished"; }
  { std::ofstream(dir.path() / "tls" / "key.pem.tmp") << "temporary"; }
  const auto result = ensure_self_signed(dir.path(), "mail.example");
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->generated);
  EXPECT_EQ(read_file(result->key).rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  EXPECT_EQ(mode_of(result->key), 0600u);
  EXPECT_FALSE(fs::exists(dir.path() / "tls" / "key.pem.tmp"));
}

TEST(SelfSigned, EachGenerationHasItsOwnKeyAndSerial) {
  TempDir a;
  TempDir b;
  const auto first = ensure_self_signed(a.path(), "mail.example");
  const auto second = ensure_self_signed(b.path(), "mail.example");
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_NE(read_file(first->key), read_file(second->key));
  const auto c1 = load_cert(first->cert);
  const auto c2 = load_cert(second->cert);
  ASSERT_TRUE(c1 && c2);
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(c1.get()), X509_get0_serialNumber(c2.get())), 0);
}

}  // namespace
}  // namespace postern::tls
