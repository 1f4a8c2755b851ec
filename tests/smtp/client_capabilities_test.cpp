// EHLO capabilities as the upstream client reads them, and the client AUTH encodings.
#include "smtp/client_capabilities.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/base64.hpp"
#include "smtp/client_auth.hpp"

namespace postern::smtp {
namespace {

TEST(ClientCapabilities, ReadsAProviderEhlo) {
  const ServerCapabilities caps = parse_ehlo_reply(
      {250,
       "smtp.gmail.com at your service, [192.0.2.1]\nSIZE 35882577\n8BITMIME\n"
       "AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH\nENHANCEDSTATUSCODES\n"
       "PIPELINING\nCHUNKING\nSMTPUTF8"});
  EXPECT_FALSE(caps.starttls);
  EXPECT_TRUE(caps.pipelining);
  EXPECT_TRUE(caps.size);
  EXPECT_EQ(caps.max_size, 35882577U);
  EXPECT_TRUE(caps.eight_bit_mime);
  EXPECT_TRUE(caps.smtputf8);
  EXPECT_TRUE(caps.enhanced_status_codes);
  EXPECT_EQ(caps.auth_mechanisms,
            (std::vector<std::string>{"LOGIN", "PLAIN", "XOAUTH2", "PLAIN-CLIENTTOKEN",
                                      "OAUTHBEARER", "XOAUTH"}));
}

TEST(ClientCapabilities, Variants) {
  struct Case {
    const char* text;
    bool starttls;
    bool size;
    std::optional<std::size_t> max_size;
    std::vector<std::string> auth;
  };
  const Case cases[] = {
      {"mx.test", false, false, std::nullopt, {}},              // greeting line only
      {"mx.test\nstarttls\nsize 1000", true, true, 1000U, {}},  // keywords case-insensitive
      {"mx.test\nSIZE", false, true, std::nullopt, {}},
      {"mx.test\nSIZE 0", false, true, std::nullopt, {}},
      {"mx.test\nSIZE 12x", false, true, std::nullopt, {}},
      {"mx.test\nSIZE 99999999999999999999999", false, true, std::nullopt, {}},
      {"mx.test\nAUTH login  xoauth2", false, false, std::nullopt, {"LOGIN", "XOAUTH2"}},
      {"mx.test\nAUTH=LOGIN PLAIN\nAUTH LOGIN", false, false, std::nullopt, {"LOGIN", "PLAIN"}},
      {"STARTTLS\nmx.test", false, false, std::nullopt, {}},  // the first line is the greeting
      {"mx.test\nSTARTTLSX\nAUTHX PLAIN", false, false, std::nullopt, {}},
  };
  for (const Case& c : cases) {
    const ServerCapabilities caps = parse_ehlo_reply({250, c.text});
    EXPECT_EQ(caps.starttls, c.starttls) << c.text;
    EXPECT_EQ(caps.size, c.size) << c.text;
    EXPECT_EQ(caps.max_size, c.max_size) << c.text;
    EXPECT_EQ(caps.auth_mechanisms, c.auth) << c.text;
  }
}

TEST(ClientAuth, ChoosesTheFirstWantedMechanismOffered) {
  struct Case {
    std::vector<std::string> wanted;
    std::vector<std::string> offered;
    std::optional<ClientMechanism> want;
  };
  const Case cases[] = {
      // Office 365 offers LOGIN and XOAUTH2, never PLAIN (providers.md).
      {{"PLAIN", "LOGIN"}, {"LOGIN", "XOAUTH2"}, ClientMechanism::login},
      {{"PLAIN", "LOGIN"}, {"LOGIN", "PLAIN"}, ClientMechanism::plain},
      {{"LOGIN", "PLAIN"}, {"PLAIN", "LOGIN"}, ClientMechanism::login},
      {{"xoauth2"}, {"LOGIN", "XOAUTH2"}, ClientMechanism::xoauth2},
      {{"CRAM-MD5", "PLAIN"}, {"CRAM-MD5", "PLAIN"}, ClientMechanism::plain},  // not ours
      {{"PLAIN"}, {"LOGIN", "XOAUTH2"}, std::nullopt},
      {{}, {"PLAIN"}, std::nullopt},
      {{"PLAIN"}, {}, std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(choose_mechanism(c.wanted, c.offered), c.want) << testing::PrintToString(c.wanted);
  }
  EXPECT_EQ(mechanism_name(ClientMechanism::plain), "PLAIN");
  EXPECT_EQ(mechanism_name(ClientMechanism::login), "LOGIN");
  EXPECT_EQ(mechanism_name(ClientMechanism::xoauth2), "XOAUTH2");
}

TEST(ClientAuth, PlainResponse) {
  EXPECT_EQ(plain_response("app@example.com", "s3cret-pass"),
            "AGFwcEBleGFtcGxlLmNvbQBzM2NyZXQtcGFzcw==");
  EXPECT_EQ(*core::base64_decode(plain_response("u", "p")), std::string("\0u\0p", 4));
}

// The example of Google's XOAUTH2 protocol page.
TEST(ClientAuth, Xoauth2Response) {
  EXPECT_EQ(
      xoauth2_response("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"),
      "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbG"
      "NrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==");
}

}  // namespace
}  // namespace postern::smtp
