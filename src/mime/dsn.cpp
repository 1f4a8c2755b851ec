#include "mime/dsn.hpp"

#include <cassert>

#include "mime/date.hpp"
#include "mime/dsn_fields.hpp"
#include "mime/header_block.hpp"
#include "mime/prepare.hpp"

namespace postern::mime {
namespace {

using namespace dsn_detail;

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// "smtp; 550 5.1.1 User unknown" (RFC 3464 §2.3.6, diagnostic-type smtp).
std::string diagnostic(const DsnRecipient& r) {
  return "smtp; " + std::to_string(r.reply_code) + " " + printable_ascii(r.reply_text);
}

std::string human_part(const DsnInput& in) {
  const std::string host = printable_ascii(in.reporting_mta);
  std::string text =
      "This is the mail system at host " + host +
      ".\r\n\r\n"
      "Your message could not be delivered to one or more recipients. It has been\r\n"
      "given up on; it will not be retried. The details are below and in the attached\r\n"
      "delivery report; the headers of your message are attached as well.\r\n\r\n";
  for (const DsnRecipient& r : in.recipients) {
    std::string line = "<" + printable_ascii(r.address) + ">: ";
    if (r.expired) line += "delivery time expired; ";
    if (r.reply_code != 0) {
      line += (r.remote_mta.empty() ? std::string("the server") : printable_ascii(r.remote_mta)) +
              " said: " + std::to_string(r.reply_code) + " " + printable_ascii(r.reply_text);
    } else {
      line += "no reply from the provider";
    }
    text += folded_field("-", line).substr(3);  // folded like a field, without the name
  }
  return text;
}

std::string recipient_block(const DsnRecipient& r) {
  std::string block = folded_field("Final-Recipient", address_field_value(r.address));
  block += "Action: failed\r\n";
  block += "Status: " + dsn_status(r) + "\r\n";
  if (!r.remote_mta.empty())
    block += folded_field("Remote-MTA", "dns; " + printable_ascii(r.remote_mta));
  if (r.reply_code != 0) block += folded_field("Diagnostic-Code", diagnostic(r));
  block += "Last-Attempt-Date: " + format_rfc5322_date(r.last_attempt) + "\r\n";
  return block;
}

std::string status_part(const DsnInput& in) {
  std::string part = folded_field("Reporting-MTA", "dns; " + printable_ascii(in.reporting_mta));
  // An extension field (RFC 3464 §3) naming the queue entry, for the operator.
  part += folded_field("X-Postern-Queue-ID", printable_ascii(in.queue_id));
  part += "Arrival-Date: " + format_rfc5322_date(in.arrival_date) + "\r\n";
  for (const DsnRecipient& r : in.recipients) part += "\r\n" + recipient_block(r);
  return part;
}

// A boundary that occurs in none of the parts (RFC 2046 §5.1.1).
std::string choose_boundary(std::string_view queue_id,
                            std::initializer_list<std::string_view> parts) {
  std::string base = "=_postern-dsn-";
  for (char c : queue_id.substr(0, 40)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    base += ok ? c : '-';
  }
  for (unsigned n = 0;; ++n) {
    const std::string boundary = base + "-" + std::to_string(n);
    bool clash = false;
    for (std::string_view part : parts)
      clash = clash || part.find(boundary) != std::string_view::npos;
    if (!clash) return boundary;
  }
}

}  // namespace

std::string dsn_status(const DsnRecipient& recipient) {
  // The message ran out of time (RFC 3463 X.4.7); the last reply stays in Diagnostic-Code.
  if (recipient.expired) return "5.4.7";
  std::string code(leading_enhanced_code(recipient.reply_text));
  if (code.empty() || code[0] == '2') return "5.0.0";
  code[0] = '5';  // Action: failed is final (RFC 3464 §2.3.3, §2.3.4)
  return code;
}

DsnMessage compose_dsn(const DsnInput& in) {
  assert(!in.recipients.empty());
  const std::string host = printable_ascii(in.reporting_mta);
  const std::string human = human_part(in);
  const std::string status = status_part(in);
  const std::string headers = header_section(in.original);
  const std::string boundary = choose_boundary(in.queue_id, {human, status, headers});

  DsnMessage dsn;
  dsn.rcpt_to = std::string(in.sender);
  dsn.smtputf8 = !is_ascii(in.sender);
  dsn.body_8bitmime = !is_ascii(headers) || dsn.smtputf8;

  std::string& m = dsn.content;
  m += "From: Mail Delivery System <MAILER-DAEMON@" + host + ">\r\n";
  std::string to(in.sender);  // a reverse-path never holds controls; make sure of it here
  std::erase_if(to, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
  m += "To: <" + to + ">\r\n";
  m += "Subject: Undelivered Mail Returned to Sender\r\n";
  m += "Date: " + format_rfc5322_date(in.now) + "\r\n";
  m += "Message-ID: " + make_message_id(std::string(in.queue_id) + ".dsn", in.reporting_mta) +
       "\r\n";
  m += "Auto-Submitted: auto-replied\r\n";  // RFC 3834 §5
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: multipart/report; report-type=delivery-status;\r\n";
  m += "\tboundary=\"" + boundary + "\"\r\n";
  m += "\r\n";
  m += "This is a MIME-encapsulated message (a delivery status notification).\r\n\r\n";
  m += "--" + boundary + "\r\n";
  m += "Content-Type: text/plain; charset=us-ascii\r\n";
  m += "Content-Description: Notification\r\n\r\n";
  m += human + "\r\n";
  m += "--" + boundary + "\r\n";
  m += "Content-Type: message/delivery-status\r\n";
  m += "Content-Description: Delivery report\r\n\r\n";
  m += status + "\r\n";
  m += "--" + boundary + "\r\n";
  m += "Content-Type: text/rfc822-headers\r\n";
  if (dsn.body_8bitmime) m += "Content-Transfer-Encoding: 8bit\r\n";
  m += "Content-Description: Undelivered Message Headers\r\n\r\n";
  m += headers + "\r\n";
  m += "--" + boundary + "--\r\n";
  return dsn;
}

bool is_delivery_report(std::string_view message) {
  const HeaderBlock block = scan_header_block(message);
  for (const RawField& field : block.fields) {
    if (!name_equals(field.name, "Content-Type")) continue;
    const std::string value = lowered(unfold(field.value));
    if (!value.starts_with("multipart/report")) return false;
    std::size_t at = value.find("report-type");
    if (at == std::string::npos) return false;
    at = value.find('=', at);
    if (at == std::string::npos) return false;
    std::string_view rest = std::string_view(value).substr(at + 1);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '"')) rest.remove_prefix(1);
    // RFC 3464 delivery-status, RFC 6533 global-delivery-status.
    return rest.starts_with("delivery-status") || rest.starts_with("global-delivery-status");
  }
  return false;
}

bool wants_dsn(std::string_view envelope_sender, std::string_view message) {
  if (envelope_sender.empty() || envelope_sender == "<>") return false;
  return !is_delivery_report(message);
}

}  // namespace postern::mime
