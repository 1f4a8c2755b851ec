#include "smtp/address.hpp"

#include <gtest/gtest.h>

#include <string>

namespace postern::smtp {
namespace {

const AddressLimits kLimits{64, 255, 10000};

// Expected outcome: the accepted path, or "ERR <code> <enhanced>".
std::string mail(std::string_view argument, bool esmtp = true) {
  auto r = parse_mail_from(argument, kLimits, esmtp);
  if (const Reply* e = std::get_if<Reply>(&r))
    return "ERR " + std::to_string(e->code) + " " + e->text.substr(0, 5);
  const MailFrom& m = std::get<MailFrom>(r);
  std::string out = "<" + m.reverse_path + ">";
  if (m.body_8bitmime) out += " 8BIT";
  if (m.smtputf8) out += " UTF8";
  if (m.size) out += " SIZE" + std::to_string(*m.size);
  return out;
}

std::string rcpt(std::string_view argument, bool smtputf8 = false) {
  auto r = parse_rcpt_to(argument, kLimits, smtputf8);
  if (const Reply* e = std::get_if<Reply>(&r))
    return "ERR " + std::to_string(e->code) + " " + e->text.substr(0, 5);
  return "<" + std::get<RcptTo>(r).forward_path + ">";
}

struct Case {
  std::string argument;
  std::string want;
};

TEST(ParseMailFrom, Table) {
  const std::string local64(64, 'a'), local65(65, 'a');
  const std::string domain255 = std::string(63, 'd') + "." + std::string(63, 'd') + "." +
                                std::string(63, 'd') + "." + std::string(61, 'd') +
                                ".x";  // 255 octets
  const Case cases[] = {
      {"FROM:<alice@example.com>", "<alice@example.com>"},
      {"from:<alice@example.com>", "<alice@example.com>"},
      {"FROM: <alice@example.com>", "<alice@example.com>"},  // tolerated space
      {"FROM:<>", "<>"},
      {"FROM:<> SIZE=100", "<> SIZE100"},
      {"FROM:<a@b.c> BODY=8BITMIME", "<a@b.c> 8BIT"},
      {"FROM:<a@b.c> body=7bit", "<a@b.c>"},
      {"FROM:<a@b.c> SIZE=10000 BODY=8BITMIME SMTPUTF8", "<a@b.c> 8BIT UTF8 SIZE10000"},
      {"FROM:<a@b.c>  SIZE=1", "<a@b.c> SIZE1"},
      {"FROM:<a@b.c> AUTH=<>", "<a@b.c>"},
      {"FROM:<a@b.c> AUTH=alice+40example.com", "<a@b.c>"},
      {"FROM:<first.last+tag@sub.example.org>", "<first.last+tag@sub.example.org>"},
      {"FROM:<!#$%&'*+-/=?^_`{|}~@x.y>", "<!#$%&'*+-/=?^_`{|}~@x.y>"},
      {"FROM:<\"john doe\"@example.com>", "<\"john doe\"@example.com>"},
      {"FROM:<\"a\\\"b\"@example.com>", "<\"a\\\"b\"@example.com>"},
      {"FROM:<\"\"@example.com>", "<\"\"@example.com>"},
      {"FROM:<a@[192.0.2.1]>", "<a@[192.0.2.1]>"},
      {"FROM:<a@[IPv6:2001:db8::1]>", "<a@[IPv6:2001:db8::1]>"},
      {"FROM:<@relay.example,@b.example:a@d.example>", "<a@d.example>"},  // route stripped
      {"FROM:<" + local64 + "@x.y>", "<" + local64 + "@x.y>"},
      {"FROM:<a@" + domain255 + ">", "<a@" + domain255 + ">"},
      // Syntax errors.
      {"FROM <a@b.c>", "ERR 501 5.5.4"},
      {"TO:<a@b.c>", "ERR 501 5.5.4"},
      {"", "ERR 501 5.5.4"},
      {"FROM:", "ERR 501 5.1.7"},
      {"FROM:a@b.c", "ERR 501 5.1.7"},
      {"FROM:<a@b.c", "ERR 501 5.1.7"},
      {"FROM:<a>", "ERR 501 5.1.7"},
      {"FROM:<@b.c>", "ERR 501 5.1.7"},
      {"FROM:<a@>", "ERR 501 5.1.7"},
      {"FROM:<a..b@c.d>", "ERR 501 5.1.7"},
      {"FROM:<.a@c.d>", "ERR 501 5.1.7"},
      {"FROM:<a.@c.d>", "ERR 501 5.1.7"},
      {"FROM:<a@-c.d>", "ERR 501 5.1.7"},
      {"FROM:<a@c-.d>", "ERR 501 5.1.7"},
      {"FROM:<a@c..d>", "ERR 501 5.1.7"},
      {"FROM:<a@c.d.>", "ERR 501 5.1.7"},
      {"FROM:<a@c_d.e>", "ERR 501 5.1.7"},
      {"FROM:<a b@c.d>", "ERR 501 5.1.7"},
      {"FROM:<a@b@c.d>", "ERR 501 5.1.7"},
      {"FROM:<\"a@c.d>", "ERR 501 5.1.7"},
      {"FROM:<\"a\x01\"@c.d>", "ERR 501 5.1.7"},
      {"FROM:<a@[192.0.2.256]>", "ERR 501 5.1.7"},
      {"FROM:<a@[192.0.2]>", "ERR 501 5.1.7"},
      {"FROM:<a@[tag:foo]>", "ERR 501 5.1.7"},
      {"FROM:<a@[IPv6:1::2::3]>", "ERR 501 5.1.7"},
      {"FROM:<@a.b:c@d.e", "ERR 501 5.1.7"},
      {"FROM:<@a.b,c@d.e>", "ERR 501 5.1.7"},
      {"FROM:<@[1.2.3.4]:c@d.e>", "ERR 501 5.1.7"},
      {"FROM:<a@b.c>x", "ERR 501 5.5.4"},
      {"FROM:<a@b.c> =1", "ERR 501 5.5.4"},
      {"FROM:<a@b.c> SIZE=", "ERR 501 5.5.4"},
      {"FROM:<a@b.c> SIZE", "ERR 501 5.5.4"},
      {"FROM:<a@b.c> SIZE=1x", "ERR 501 5.5.4"},
      {"FROM:<a@b.c> SIZE=-1", "ERR 501 5.5.4"},
      {"FROM:<a@b.c> SIZE=1 SIZE=2", "ERR 501 5.5.4"},
      {"FROM:<a@b.c> BODY=9BIT", "ERR 501 5.5.4"},
      {"FROM:<a@b.c> SMTPUTF8=yes", "ERR 501 5.5.4"},
      {"FROM:<a@b.c> AUTH", "ERR 501 5.5.4"},
      {"FROM:<a@b.c> X=a=b", "ERR 501 5.5.4"},
      // Unsupported parameters.
      {"FROM:<a@b.c> RET=FULL", "ERR 555 5.5.4"},
      {"FROM:<a@b.c> ENVID=x", "ERR 555 5.5.4"},
      {"FROM:<a@b.c> BODY=BINARYMIME", "ERR 555 5.5.4"},
      // Limits.
      {"FROM:<" + local65 + "@x.y>", "ERR 501 5.1.3"},
      {"FROM:<a@" + domain255 + "x>", "ERR 501 5.1.3"},
      {"FROM:<a@b.c> SIZE=10001", "ERR 552 5.3.4"},
      {"FROM:<a@b.c> SIZE=99999999999999999999", "ERR 552 5.3.4"},
      {"FROM:<a@b.c> SIZE=999999999999999999999", "ERR 501 5.5.4"},  // over 20 digits
      // UTF-8 only with SMTPUTF8 (RFC 6531).
      {"FROM:<j\xC3\xB6rg@example.com>", "ERR 553 5.6.7"},
      {"FROM:<j\xC3\xB6rg@example.com> SMTPUTF8", "<j\xC3\xB6rg@example.com> UTF8"},
      {"FROM:<a@b\xC3\xBC.example> SMTPUTF8", "<a@b\xC3\xBC.example> UTF8"},
      {"FROM:<\"\xC3\xB6\"@example.com> SMTPUTF8", "<\"\xC3\xB6\"@example.com> UTF8"},
      {"FROM:<j\xC3rg@example.com> SMTPUTF8", "ERR 501 5.1.7"},        // truncated sequence
      {"FROM:<j\xC0\xAFrg@example.com> SMTPUTF8", "ERR 501 5.1.7"},    // overlong
      {"FROM:<j\xED\xA0\x80@example.com> SMTPUTF8", "ERR 501 5.1.7"},  // surrogate
      {"FROM:<a@b.c> X=\xC3\xB6", "ERR 501 5.5.4"},
  };
  for (const Case& c : cases) EXPECT_EQ(mail(c.argument), c.want) << c.argument;
}

TEST(ParseMailFrom, NoParametersAfterHelo) {
  EXPECT_EQ(mail("FROM:<a@b.c>", false), "<a@b.c>");
  EXPECT_EQ(mail("FROM:<a@b.c> SIZE=10", false), "ERR 555 5.5.4");
}

TEST(ParseRcptTo, Table) {
  const Case cases[] = {
      {"TO:<bob@example.net>", "<bob@example.net>"},
      {"to:<bob@example.net>", "<bob@example.net>"},
      {"TO: <bob@example.net>", "<bob@example.net>"},
      {"TO:<@hop.example:bob@example.net>", "<bob@example.net>"},
      {"TO:<>", "ERR 501 5.1.3"},
      {"TO:<Postmaster>", "ERR 501 5.1.3"},
      {"TO:bob@example.net", "ERR 501 5.1.3"},
      {"TO:<bob@example.net", "ERR 501 5.1.3"},
      {"FROM:<bob@example.net>", "ERR 501 5.5.4"},
      {"TO:<bob@example.net> NOTIFY=NEVER", "ERR 555 5.5.4"},
      {"TO:<bob@example.net> ORCPT=rfc822;bob@example.net", "ERR 555 5.5.4"},
      {"TO:<bob@example.net> =", "ERR 501 5.5.4"},
      {"TO:<" + std::string(65, 'b') + "@example.net>", "ERR 501 5.1.3"},
      {"TO:<b\xC3\xB6@example.net>", "ERR 553 5.6.7"},
  };
  for (const Case& c : cases) EXPECT_EQ(rcpt(c.argument), c.want) << c.argument;
  EXPECT_EQ(rcpt("TO:<b\xC3\xB6@example.net>", true), "<b\xC3\xB6@example.net>");
}

TEST(AddressLiteral, Table) {
  const struct {
    const char* literal;
    bool valid;
  } cases[] = {
      {"[0.0.0.0]", true},
      {"[255.255.255.255]", true},
      {"[256.1.1.1]", false},
      {"[1.2.3]", false},
      {"[1.2.3.4.5]", false},
      {"[1..3.4]", false},
      {"[1234.1.1.1]", false},
      {"[IPv6:1:2:3:4:5:6:7:8]", true},
      {"[ipv6:1:2:3:4:5:6:7:8]", true},
      {"[IPv6:1:2:3:4:5:6:7]", false},
      {"[IPv6:1:2:3:4:5:6:7:8:9]", false},
      {"[IPv6:::]", true},
      {"[IPv6:::1]", true},
      {"[IPv6:fe80::]", true},
      {"[IPv6:1:2:3::4:5:6]", true},
      {"[IPv6:1:2:3:4::5:6:7]", false},  // RFC 5321 IPv6-comp: at most 6 groups
      {"[IPv6:12345::1]", false},
      {"[IPv6:g::1]", false},
      {"[IPv6:1:2:3:4:5:6:1.2.3.4]", true},
      {"[IPv6:::ffff:192.0.2.1]", true},
      {"[IPv6:::192.0.2.1]", true},
      {"[IPv6:1:2:3:4::192.0.2.1]", true},
      {"[IPv6:1:2:3:4:5::192.0.2.1]", false},  // IPv6v4-comp: at most 4 groups
      {"[IPv6:1:2::3:192.0.2.1]", true},
      {"[IPv6:1:2:3:4:5:1.2.3.4]", false},
      {"[IPv6:1:2:3:4:5:6:1.2.3.256]", false},
      {"[IPv6:1.2.3.4]", false},
      {"[IPv6:]", false},
      {"[]", false},
      {"192.0.2.1", false},
      {"[x:y]", false},
  };
  for (const auto& c : cases) EXPECT_EQ(is_valid_address_literal(c.literal), c.valid) << c.literal;
}

TEST(Domain, Table) {
  EXPECT_TRUE(is_valid_domain("example.com"));
  EXPECT_TRUE(is_valid_domain("a"));
  EXPECT_TRUE(is_valid_domain("1-2.3"));
  EXPECT_TRUE(is_valid_domain("127.0.0.1"));
  EXPECT_FALSE(is_valid_domain(""));
  EXPECT_FALSE(is_valid_domain("a_b"));
  EXPECT_FALSE(is_valid_domain("-a"));
  EXPECT_FALSE(is_valid_domain("a."));
  EXPECT_FALSE(is_valid_domain(".a"));
  EXPECT_FALSE(is_valid_domain("b\xC3\xBC"));
  EXPECT_FALSE(is_valid_domain("a b"));
}

}  // namespace
}  // namespace postern::smtp
