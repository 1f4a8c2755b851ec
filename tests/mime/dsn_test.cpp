// RFC 3464 DSNs: composed, then parsed back (headers, boundary, parts, fields).

#include "mime/dsn.hpp"

#include <gtest/gtest.h>

#include <map>

#include "mime/header_block.hpp"

namespace postern::mime {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;

const system_clock::time_point kArrival =
    system_clock::time_point(std::chrono::sys_days(std::chrono::year(2026) / 11 / 29)) + 12h;

constexpr std::string_view kOriginal =
    "Received: from app (app [192.0.2.1])\r\n"
    "\tby relay.example.com (Postern) with ESMTPSA id Q1\r\n"
    "From: Alice <alice@example.com>\r\n"
    "To: bob@example.net\r\n"
    "Subject: Quarterly report\r\n"
    "Message-ID: <q1@relay.example.com>\r\n"
    "\r\n"
    "SECRET BODY LINE that must never be returned\r\n";

DsnInput input(std::vector<DsnRecipient> recipients, std::string_view original = kOriginal) {
  return DsnInput{"relay.example.com",
                  "alice@example.com",
                  "01JD2S3ZK5Q8W7E4C9XN",
                  kArrival,
                  kArrival + 5min,
                  std::move(recipients),
                  original};
}

DsnRecipient unknown_user() {
  return {"bob@example.net",
          550,
          "5.1.1 The email account that you tried to reach does not exist.",
          "smtp.gmail.com",
          kArrival + 1min,
          false};
}

// A parsed MIME entity: header fields (names lower-cased, values unfolded) and body.
struct Entity {
  std::multimap<std::string, std::string> fields;
  std::string body;
  std::string field(const std::string& name) const {
    auto it = fields.find(name);
    return it == fields.end() ? "" : it->second;
  }
};

Entity parse_entity(std::string_view text) {
  Entity e;
  const HeaderBlock block = scan_header_block(text);
  for (const RawField& f : block.fields) {
    std::string name(f.name);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    e.fields.emplace(name, unfold(f.value));
  }
  std::size_t body = block.insert_at;
  if (block.ending == HeaderBlock::Ending::separator) body += 2;  // the empty CRLF line
  e.body = std::string(text.substr(body));
  return e;
}

std::string param(const std::string& value, const std::string& name) {
  const std::size_t at = value.find(name + "=");
  if (at == std::string::npos) return "";
  std::string rest = value.substr(at + name.size() + 1);
  if (!rest.empty() && rest.front() == '"') return rest.substr(1, rest.find('"', 1) - 1);
  return rest.substr(0, rest.find(';'));
}

// RFC 2046 §5.1.1: the parts between "--boundary" lines, up to "--boundary--".
std::vector<std::string> split_parts(const std::string& body, const std::string& boundary,
                                     bool& closed) {
  std::vector<std::string> parts;
  const std::string delimiter = "\r\n--" + boundary;
  std::string text = "\r\n" + body;
  std::size_t at = text.find(delimiter);
  closed = false;
  while (at != std::string::npos) {
    std::size_t after = at + delimiter.size();
    if (text.compare(after, 2, "--") == 0) {
      closed = true;
      break;
    }
    after = text.find("\r\n", after) + 2;
    const std::size_t next = text.find(delimiter, after);
    if (next == std::string::npos) break;
    parts.push_back(text.substr(after, next - after));
    at = next;
  }
  return parts;
}

// Blocks of fields separated by empty lines (RFC 3464 §2.1).
std::vector<Entity> field_blocks(const std::string& text) {
  std::vector<Entity> blocks;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find("\r\n\r\n", start);
    if (end == std::string::npos) end = text.size();
    const std::string block = text.substr(start, end - start) + "\r\n";
    if (block != "\r\n") blocks.push_back(parse_entity(block));
    start = end + 4;
  }
  return blocks;
}

struct Parsed {
  Entity top;
  std::vector<Entity> parts;
  bool closed = false;
};

Parsed parse_dsn(const std::string& content) {
  Parsed p;
  p.top = parse_entity(content);
  const std::string boundary = param(p.top.field("content-type"), "boundary");
  EXPECT_FALSE(boundary.empty());
  for (const std::string& part : split_parts(p.top.body, boundary, p.closed)) {
    p.parts.push_back(parse_entity(part));
  }
  return p;
}

TEST(ComposeDsn, TopLevelHeaders) {
  const DsnMessage dsn = compose_dsn(input({unknown_user()}));
  EXPECT_EQ(dsn.mail_from, "");
  EXPECT_EQ(dsn.rcpt_to, "alice@example.com");
  EXPECT_FALSE(dsn.body_8bitmime);
  EXPECT_FALSE(dsn.smtputf8);
  const Parsed p = parse_dsn(dsn.content);
  EXPECT_EQ(p.top.field("from"), "Mail Delivery System <MAILER-DAEMON@relay.example.com>");
  EXPECT_EQ(p.top.field("to"), "<alice@example.com>");
  EXPECT_EQ(p.top.field("subject"), "Undelivered Mail Returned to Sender");
  EXPECT_EQ(p.top.field("auto-submitted"), "auto-replied");
  EXPECT_EQ(p.top.field("mime-version"), "1.0");
  EXPECT_EQ(p.top.field("date"), "Sun, 29 Nov 2026 12:05:00 +0000");
  EXPECT_EQ(p.top.field("message-id"), "<01JD2S3ZK5Q8W7E4C9XN.dsn@relay.example.com>");
  const std::string type = p.top.field("content-type");
  EXPECT_EQ(type.rfind("multipart/report;", 0), 0u) << type;
  EXPECT_EQ(param(type, "report-type"), "delivery-status");
}

TEST(ComposeDsn, ThreePartsInOrderAndClosed) {
  const Parsed p = parse_dsn(compose_dsn(input({unknown_user()})).content);
  EXPECT_TRUE(p.closed);
  ASSERT_EQ(p.parts.size(), 3u);
  EXPECT_EQ(p.parts[0].field("content-type"), "text/plain; charset=us-ascii");
  EXPECT_EQ(p.parts[1].field("content-type"), "message/delivery-status");
  EXPECT_EQ(p.parts[2].field("content-type"), "text/rfc822-headers");
  EXPECT_NE(p.parts[0].body.find("<bob@example.net>: smtp.gmail.com said: 550 5.1.1"),
            std::string::npos)
      << p.parts[0].body;
}

TEST(ComposeDsn, DeliveryStatusFields) {
  DsnRecipient expired{
      "carol@example.org", 421, "4.4.5 Server busy, try again later.", "smtp.gmail.com",
      kArrival + 119h,     true};
  DsnRecipient no_reply{"dave@example.org", 0, "", "", kArrival + 2h, true};
  const Parsed p = parse_dsn(compose_dsn(input({unknown_user(), expired, no_reply})).content);
  ASSERT_EQ(p.parts.size(), 3u);
  const std::vector<Entity> blocks = field_blocks(p.parts[1].body);
  ASSERT_EQ(blocks.size(), 4u);  // per-message fields, then one block per recipient
  EXPECT_EQ(blocks[0].field("reporting-mta"), "dns; relay.example.com");
  EXPECT_EQ(blocks[0].field("arrival-date"), "Sun, 29 Nov 2026 12:00:00 +0000");
  EXPECT_EQ(blocks[0].field("x-postern-queue-id"), "01JD2S3ZK5Q8W7E4C9XN");

  EXPECT_EQ(blocks[1].field("final-recipient"), "rfc822; bob@example.net");
  EXPECT_EQ(blocks[1].field("action"), "failed");
  EXPECT_EQ(blocks[1].field("status"), "5.1.1");
  EXPECT_EQ(blocks[1].field("remote-mta"), "dns; smtp.gmail.com");
  EXPECT_EQ(blocks[1].field("diagnostic-code"),
            "smtp; 550 5.1.1 The email account that you tried to reach does not exist.");
  EXPECT_EQ(blocks[1].field("last-attempt-date"), "Sun, 29 Nov 2026 12:01:00 +0000");

  EXPECT_EQ(blocks[2].field("final-recipient"), "rfc822; carol@example.org");
  EXPECT_EQ(blocks[2].field("action"), "failed");
  EXPECT_EQ(blocks[2].field("status"), "5.4.7");  // expired; the last reply is the diagnostic
  EXPECT_EQ(blocks[2].field("diagnostic-code"), "smtp; 421 4.4.5 Server busy, try again later.");

  EXPECT_EQ(blocks[3].field("final-recipient"), "rfc822; dave@example.org");
  EXPECT_EQ(blocks[3].field("status"), "5.4.7");  // delivery time expired
  EXPECT_EQ(blocks[3].fields.count("remote-mta"), 0u);
  EXPECT_EQ(blocks[3].fields.count("diagnostic-code"), 0u);
  EXPECT_NE(p.parts[0].body.find("<dave@example.org>: delivery time expired; no reply"),
            std::string::npos)
      << p.parts[0].body;
}

TEST(ComposeDsn, HeadersOnlyNeverTheBody) {
  const DsnMessage dsn = compose_dsn(input({unknown_user()}));
  EXPECT_EQ(dsn.content.find("SECRET BODY"), std::string::npos);
  const Parsed p = parse_dsn(dsn.content);
  ASSERT_EQ(p.parts.size(), 3u);
  const std::string headers(kOriginal.substr(0, kOriginal.find("\r\n\r\n") + 2));
  // Exactly the header section: the CRLF after it belongs to the next delimiter (RFC 2046).
  EXPECT_EQ(p.parts[2].body, headers);
}

TEST(ComposeDsn, EveryLineEndsInCrlfAndFitsIn998) {
  DsnRecipient r = unknown_user();
  r.reply_text = "5.7.1 " + std::string(3000, 'x') + " and\nsecond line " + std::string(200, 'y');
  const std::string long_header = "X-Long: " + std::string(1500, 'h') + "\n";  // bare LF too
  const std::string original = "From: a@example.com\r\n" + long_header + "\r\nbody\r\n";
  const DsnMessage dsn = compose_dsn(input({r}, original));
  const std::string& m = dsn.content;
  std::size_t start = 0;
  while (start < m.size()) {
    const std::size_t lf = m.find('\n', start);
    ASSERT_NE(lf, std::string::npos) << "unterminated last line";
    ASSERT_GT(lf, start);
    EXPECT_EQ(m[lf - 1], '\r') << "bare LF at " << lf;
    EXPECT_LE(lf - 1 - start, 998u) << m.substr(start, 60);
    EXPECT_EQ(m.substr(start, lf - 1 - start).find('\r'), std::string::npos) << "bare CR";
    start = lf + 1;
  }
  const Parsed p = parse_dsn(m);
  ASSERT_EQ(p.parts.size(), 3u);
  const std::vector<Entity> blocks = field_blocks(p.parts[1].body);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[1].field("status"), "5.7.1");
  EXPECT_NE(blocks[1].field("diagnostic-code").find("and second line"), std::string::npos);
}

TEST(ComposeDsn, BoundaryNeverOccursInTheParts) {
  // The original's headers hold the boundary the composer tries first.
  const std::string original =
      "From: a@example.com\r\nX-Trap: =_postern-dsn-01JD2S3ZK5Q8W7E4C9XN-0\r\n\r\nbody\r\n";
  const DsnMessage dsn = compose_dsn(input({unknown_user()}, original));
  const Parsed p = parse_dsn(dsn.content);
  const std::string boundary = param(p.top.field("content-type"), "boundary");
  EXPECT_NE(boundary, "=_postern-dsn-01JD2S3ZK5Q8W7E4C9XN-0");
  ASSERT_EQ(p.parts.size(), 3u);
  EXPECT_NE(p.parts[2].body.find("X-Trap: =_postern-dsn-01JD2S3ZK5Q8W7E4C9XN-0"),
            std::string::npos);
}

TEST(ComposeDsn, InternationalAddressesAndEightBitHeaders) {
  DsnRecipient r = unknown_user();
  r.address =
      "j\xC3\xBCrgen+x@b\xC3\xBC"
      "cher.example";  // jürgen+x@bücher.example
  const std::string original =
      "Subject: Gr\xC3\xBC\xC3\x9F"
      "e\r\nFrom: a@example.com\r\n\r\nbody\r\n";
  DsnInput in = input({r}, original);
  in.sender =
      "ali\xC3\xA7"
      "e@example.com";
  const DsnMessage dsn = compose_dsn(in);
  EXPECT_TRUE(dsn.body_8bitmime);
  EXPECT_TRUE(dsn.smtputf8);
  const Parsed p = parse_dsn(dsn.content);
  ASSERT_EQ(p.parts.size(), 3u);
  EXPECT_EQ(p.parts[2].field("content-transfer-encoding"), "8bit");
  const std::vector<Entity> blocks = field_blocks(p.parts[1].body);
  ASSERT_EQ(blocks.size(), 2u);
  // RFC 6533 §3 utf-8-addr-xtext: non-ASCII and '+' as \x{HEX}.
  EXPECT_EQ(blocks[1].field("final-recipient"), "utf-8; j\\x{FC}rgen\\x{2B}x@b\\x{FC}cher.example");
  // The message/delivery-status part itself stays ASCII.
  for (char c : p.parts[1].body) EXPECT_LT(static_cast<unsigned char>(c), 0x80);
}

TEST(ComposeDsn, OriginalWithoutHeaders) {
  const Parsed p = parse_dsn(compose_dsn(input({unknown_user()}, "just a body line\r\n")).content);
  ASSERT_EQ(p.parts.size(), 3u);
  EXPECT_EQ(p.parts[2].body, "");
}

TEST(DsnStatus, Table) {
  struct Case {
    int code;
    const char* text;
    bool expired;
    const char* want;
  };
  const Case cases[] = {
      {550, "5.1.1 User unknown", false, "5.1.1"},
      {554, "5.7.1 Message rejected", false, "5.7.1"},
      {550, "5.2.255 blocked", false, "5.2.255"},
      {451, "4.7.1 Try later", true, "5.4.7"},
      {550, "5.1.1 User unknown", true, "5.4.7"},
      {451, "4.7.1 classified permanent by the table", false, "5.7.1"},
      {403, "You are not authorized", false, "5.0.0"},
      {421, "Service busy", true, "5.4.7"},
      {0, "", true, "5.4.7"},
      {550, "5.1 not an enhanced code", false, "5.0.0"},
      {550, "5.1.1234 too long", false, "5.0.0"},
      {550, "5.1.1x", false, "5.0.0"},
      {250, "2.0.0 odd", false, "5.0.0"},
  };
  for (const Case& c : cases) {
    DsnRecipient r{"x@example.com", c.code, c.text, "", {}, c.expired};
    EXPECT_EQ(dsn_status(r), c.want) << c.text;
  }
}

TEST(WantsDsn, NullSenderAndReportsGetNone) {
  const std::string report = compose_dsn(input({unknown_user()})).content;
  EXPECT_TRUE(is_delivery_report(report));
  EXPECT_FALSE(wants_dsn("", kOriginal));
  EXPECT_FALSE(wants_dsn("<>", kOriginal));
  EXPECT_FALSE(wants_dsn("alice@example.com", report));  // a DSN never bounces
  EXPECT_TRUE(wants_dsn("alice@example.com", kOriginal));

  struct Case {
    const char* message;
    bool report;
  };
  const Case cases[] = {
      {"Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n", true},
      {"content-type: Multipart/Report;\r\n report-type=\"Delivery-Status\"\r\n\r\n", true},
      {"Content-Type: multipart/report; report-type=global-delivery-status\r\n\r\n", true},
      {"Content-Type: multipart/report; report-type=disposition-notification\r\n\r\n", false},
      {"Content-Type: text/plain\r\n\r\nreport-type=delivery-status\r\n", false},
      {"Subject: x\r\n\r\nContent-Type: multipart/report; report-type=delivery-status\r\n", false},
      {"", false},
  };
  for (const Case& c : cases) EXPECT_EQ(is_delivery_report(c.message), c.report) << c.message;
}

}  // namespace
}  // namespace postern::mime
