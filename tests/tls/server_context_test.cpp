#include "tls/server_context.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <fstream>

#include "temp_dir.hpp"
#include "tls/openssl_ptr.hpp"
#include "tls/self_signed.hpp"

namespace postern::tls {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

TEST(ServerContext, LoadsTheGeneratedCertificateWithModernSettings) {
  TempDir dir;
  const auto paths = ensure_self_signed(dir.path(), "mail.example");
  ASSERT_TRUE(paths.ok());
  std::string why;
  const auto context = make_server_context(paths->cert, paths->key, &why);
  ASSERT_TRUE(context.ok()) << why;
  SSL_CTX* ctx = (*context)->native_handle();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
  const auto options = SSL_CTX_get_options(ctx);
  EXPECT_NE(options & SSL_OP_NO_COMPRESSION, 0u);
  EXPECT_NE(options & SSL_OP_NO_RENEGOTIATION, 0u);
  EXPECT_EQ(options & SSL_OP_NO_TICKET, 0u);  // tickets stay on for resumption
  EXPECT_EQ(SSL_CTX_get_session_cache_mode(ctx), SSL_SESS_CACHE_SERVER);
  EXPECT_EQ(SSL_CTX_get_timeout(ctx), kSessionLifetimeSeconds);
  // No cipher without forward secrecy or AEAD among the TLS 1.2 suites.
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(ciphers, i);
    const std::string name = SSL_CIPHER_get_name(cipher);
    if (name.rfind("TLS_", 0) == 0) continue;  // a TLS 1.3 suite
    EXPECT_EQ(name.rfind("ECDHE-", 0), 0u) << name;
    EXPECT_TRUE(SSL_CIPHER_is_aead(cipher)) << name;
  }
}

TEST(ServerContext, MissingCertificateNamesTheFile) {
  TempDir dir;
  const auto paths = ensure_self_signed(dir.path(), "mail.example");
  ASSERT_TRUE(paths.ok());
  const fs::path missing = dir.path() / "nope" / "cert.pem";
  std::string why;
  const auto context = make_server_context(missing, paths->key, &why);
  ASSERT_FALSE(context.ok());
  EXPECT_EQ(context.error(), Errc::cert_unreadable);
  EXPECT_NE(why.find(missing.string()), std::string::npos) << why;
}

TEST(ServerContext, MissingOrGarbageKeyNamesTheFile) {
  TempDir dir;
  const auto paths = ensure_self_signed(dir.path(), "mail.example");
  ASSERT_TRUE(paths.ok());
  const fs::path garbage = dir.path() / "garbage.pem";
  { std::ofstream(garbage) << "not a key"; }
  for (const fs::path& key : {dir.path() / "missing.pem", garbage}) {
    std::string why;
    const auto context = make_server_context(paths->cert, key, &why);
    ASSERT_FALSE(context.ok()) << key;
    EXPECT_EQ(context.error(), Errc::key_unreadable);
    EXPECT_NE(why.find(key.string()), std::string::npos) << why;
  }
}

TEST(ServerContext, EncryptedKeyFailsWithoutPrompting) {
  TempDir dir;
  const auto paths = ensure_self_signed(dir.path(), "mail.example");
  ASSERT_TRUE(paths.ok());
  Ptr<BIO, BIO_free_all> in(BIO_new_file(paths->key.c_str(), "r"));
  Ptr<EVP_PKEY, EVP_PKEY_free> key(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
  ASSERT_TRUE(key);
  const fs::path encrypted = dir.path() / "encrypted.pem";
  Ptr<BIO, BIO_free_all> out(BIO_new_file(encrypted.c_str(), "w"));
  static const char kPass[] = "secret";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(out.get(), key.get(), EVP_aes_256_cbc(), kPass,
                                          sizeof kPass - 1, nullptr, nullptr), 1);
  out.reset();
  std::string why;
  const auto context = make_server_context(paths->cert, encrypted, &why);
  ASSERT_FALSE(context.ok());
  EXPECT_EQ(context.error(), Errc::key_unreadable);
}

TEST(ServerContext, KeyOfAnotherCertificateIsAMismatch) {
  TempDir a;
  TempDir b;
  const auto first = ensure_self_signed(a.path(), "mail.example");
  const auto second = ensure_self_signed(b.path(), "mail.example");
  ASSERT_TRUE(first.ok() && second.ok());
  std::string why;
  const auto context = make_server_context(first->cert, second->key, &why);
  ASSERT_FALSE(context.ok());
  EXPECT_EQ(context.error(), Errc::key_mismatch);
  EXPECT_NE(why.find(second->key.string()), std::string::npos) << why;
  EXPECT_EQ(context.error().message(), "private key does not match the certificate");
}

}  // namespace
}  // namespace postern::tls
