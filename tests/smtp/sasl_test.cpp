#include "smtp/sasl.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/base64.hpp"
#include "smtp/replies.hpp"

namespace postern::smtp {
namespace {

using namespace std::string_literals;

// --- core/base64 (strict RFC 4648) ----------------------------------------------------------

TEST(Base64, EncodeDecodeRfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
      {"\0alice\0pw"s, "AGFsaWNlAHB3"},
      {"\xff\xfe\xfd", "//79"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(core::base64_encode(plain), encoded);
    auto decoded = core::base64_decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64, RefusesNonCanonicalInput) {
  for (const char* bad : {"Zg", "Zg=", "Zm9", "Z===", "====", "Zg==Zg==", "Zm 9v", "Zm9v\n",
                          "Zh==", "Zm9=", "Zm-v", "Zm_v", "Z=9v", "Zm9v=", "*"}) {
    EXPECT_FALSE(core::base64_decode(bad).ok()) << bad;
  }
}

TEST(Base64, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    auto decoded = core::base64_decode(core::base64_encode(all.substr(0, n)));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, all.substr(0, n));
  }
}

// --- SASL -------------------------------------------------------------------------------------

// Renders a step: "334 <text>", "CRED <mech>|<authzid>|<user>|<pass>", or "<code> <text>".
std::string show(const SaslStep& step) {
  if (const auto* c = std::get_if<SaslChallenge>(&step)) return "334 " + c->text;
  if (const auto* k = std::get_if<SaslCredentials>(&step)) {
    return "CRED " + k->mechanism + "|" + k->authzid + "|" + k->username + "|" + k->password;
  }
  const Reply& r = std::get<Reply>(step);
  return std::to_string(r.code) + " " + r.text;
}

struct Exchange {
  const char* name;
  std::string auth_argument;
  std::vector<std::string> responses;
  std::vector<std::string> want;  // one rendered step per call
};

std::string b64(std::string_view s) { return core::base64_encode(s); }

TEST(SaslServer, Exchanges) {
  const std::string cancelled = "501 " + replies::auth_cancelled().text;
  const std::string bad64 = "501 " + replies::auth_bad_base64().text;
  const std::string malformed = "501 " + replies::auth_malformed().text;
  const Exchange cases[] = {
      {"PLAIN initial response",
       "PLAIN " + b64("\0alice\0alice-secret"s),
       {},
       {"CRED PLAIN||alice|alice-secret"}},
      {"PLAIN with authzid", "PLAIN " + b64("bob\0alice\0pw"s), {}, {"CRED PLAIN|bob|alice|pw"}},
      {"mechanism case-insensitive", "plain " + b64("\0a\0b"s), {}, {"CRED PLAIN||a|b"}},
      {"PLAIN continuation",
       "PLAIN",
       {b64("\0alice\0alice-secret"s)},
       {"334 ", "CRED PLAIN||alice|alice-secret"}},
      {"PLAIN empty initial response", "PLAIN =", {}, {malformed}},
      {"PLAIN cancel", "PLAIN", {"*"}, {"334 ", cancelled}},
      {"PLAIN bad base64 initial", "PLAIN !!!!", {}, {bad64}},
      {"PLAIN bad base64 response", "PLAIN", {"AGFsaWNl AHB3"}, {"334 ", bad64}},
      {"PLAIN one NUL", "PLAIN " + b64("\0alice"s), {}, {malformed}},
      {"PLAIN three NULs", "PLAIN " + b64("\0alice\0pw\0"s), {}, {malformed}},
      {"PLAIN empty user", "PLAIN " + b64("\0\0pw"s), {}, {malformed}},
      {"PLAIN empty password", "PLAIN " + b64("\0alice\0"s), {}, {malformed}},
      {"PLAIN not UTF-8", "PLAIN " + b64("\0al\xffice\0pw"s), {}, {malformed}},
      {"PLAIN password 255",
       "PLAIN " + b64("\0a\0"s + std::string(255, 'p')),
       {},
       {"CRED PLAIN||a|" + std::string(255, 'p')}},
      {"PLAIN password 4096 (over RFC 4616's 255)",
       "PLAIN " + b64("\0a\0"s + std::string(4096, 'p')),
       {},
       {"CRED PLAIN||a|" + std::string(4096, 'p')}},
      {"PLAIN password 4097", "PLAIN " + b64("\0a\0"s + std::string(4097, 'p')), {}, {malformed}},
      {"PLAIN empty response line", "PLAIN", {""}, {"334 ", malformed}},
      {"LOGIN",
       "LOGIN",
       {b64("alice"), b64("alice-secret")},
       {"334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6", "CRED LOGIN||alice|alice-secret"}},
      {"LOGIN initial username",
       "LOGIN " + b64("alice"),
       {b64("pw")},
       {"334 UGFzc3dvcmQ6", "CRED LOGIN||alice|pw"}},
      {"LOGIN cancel at username", "LOGIN", {"*"}, {"334 VXNlcm5hbWU6", cancelled}},
      {"LOGIN cancel at password",
       "LOGIN",
       {b64("alice"), "*"},
       {"334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6", cancelled}},
      {"LOGIN bad base64", "LOGIN", {"%%%%"}, {"334 VXNlcm5hbWU6", bad64}},
      {"LOGIN empty password",
       "LOGIN",
       {b64("alice"), ""},
       {"334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6", malformed}},
      {"unknown mechanism", "CRAM-MD5", {}, {"504 5.5.4 Unrecognized authentication type"}},
      {"no mechanism", "", {}, {"501 " + replies::auth_syntax().text}},
      {"extra token", "PLAIN abc= def", {}, {"501 " + replies::auth_syntax().text}},
      {"trailing space", "PLAIN ", {}, {"501 " + replies::auth_syntax().text}},
  };
  for (const Exchange& c : cases) {
    SaslServer server;
    std::vector<std::string> got{show(server.start(c.auth_argument))};
    for (const std::string& line : c.responses) got.push_back(show(server.respond(line)));
    EXPECT_EQ(got, c.want) << c.name;
  }
}

TEST(SaslServer, DecodePlainTable) {
  EXPECT_TRUE(decode_plain("\0u\0p"s));
  EXPECT_TRUE(decode_plain("z\0u\0p"s));
  EXPECT_FALSE(decode_plain(""));
  EXPECT_FALSE(decode_plain("u\0p"s));
  EXPECT_TRUE(decode_plain(std::string(4096, 'z') + "\0u\0p"s));
  EXPECT_FALSE(decode_plain(std::string(4097, 'z') + "\0u\0p"s));
}

TEST(SaslServerDeathTest, RespondWithoutChallengeAborts) {
  SaslServer server;
  EXPECT_DEATH((void)server.respond("x"), "");
}

}  // namespace
}  // namespace postern::smtp
