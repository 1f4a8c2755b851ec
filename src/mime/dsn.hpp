#pragma once
// RFC 3464 delivery status notifications: the bounce Postern sends to the envelope sender
// when a recipient fails permanently or its message expires (architecture invariant 2;
// smtp-checklist "Durability": no DSN to <>, a DSN never bounces, one DSN per message and set
// of failed recipients).
//
// The message (RFC 3462/6522 multipart/report; report-type=delivery-status):
//   From: Mail Delivery System <MAILER-DAEMON@reporting-host>
//   To: <original sender>
//   Subject: Undelivered Mail Returned to Sender
//   Auto-Submitted: auto-replied            (RFC 3834 §5)
//   part 1 text/plain      a human explanation, one line per failed recipient
//   part 2 message/delivery-status  (RFC 3464 §2: per-message fields, then one block per
//                          recipient: Final-Recipient, Action: failed, Status, Remote-MTA,
//                          Diagnostic-Code, Last-Attempt-Date)
//   part 3 text/rfc822-headers   the original header section only, never the body
// It is sent with MAIL FROM:<> (RFC 5321 §4.5.5), so a failure of the DSN itself can never
// produce another DSN. Lines end in CRLF and stay within 998 octets (RFC 5322 §2.1.1).

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace postern::mime {

struct DsnRecipient {
  std::string address;  // the failed recipient (RCPT TO, without <>)
  // The last reply for this recipient (code 0: none, e.g. the connection failed). The text
  // holds the enhanced code first ("5.1.1 User unknown"); lines separated by '\n'.
  int reply_code = 0;
  std::string reply_text;
  std::string remote_mta;  // the upstream host that gave the reply; empty: none
  std::chrono::system_clock::time_point last_attempt{};
  // True when the message expired (lifetime over) rather than failed permanently.
  bool expired = false;
};

struct DsnInput {
  std::string_view reporting_mta;  // our host name (config hostname)
  std::string_view sender;         // the original envelope sender; the DSN goes there
  std::string_view queue_id;       // the original's queue id (Message-ID, boundary, envelope id)
  std::chrono::system_clock::time_point arrival_date;  // when the original was accepted
  std::chrono::system_clock::time_point now;           // Date of the DSN
  std::vector<DsnRecipient> recipients;                // REQUIRES: not empty
  std::string_view original;  // the stored message; only its header section is copied
};

// The DSN ready for the queue: envelope and content.
struct DsnMessage {
  std::string mail_from;  // always "" (the null reverse-path)
  std::string rcpt_to;    // the original sender
  std::string content;    // the complete message, CRLF line endings
  // The content holds 8-bit octets (from the copied header section or the sender's address):
  // send with BODY=8BITMIME (RFC 6152).
  bool body_8bitmime = false;
  // The recipient (the original sender) is not ASCII: send with SMTPUTF8 (RFC 6531).
  bool smtputf8 = false;
};

// Status for a recipient (RFC 3463), always of class 5 since the Action is "failed": 5.4.7
// (delivery time expired) for an expired message, whatever its last reply (that reply is in
// Diagnostic-Code); else the reply's enhanced code with its class set to 5 (a 4.7.1 that the
// reply table classified as permanent becomes 5.7.1), or 5.0.0 without one.
[[nodiscard]] std::string dsn_status(const DsnRecipient& recipient);

// REQUIRES: wants_dsn(input.sender, input.original) and !input.recipients.empty().
[[nodiscard]] DsnMessage compose_dsn(const DsnInput& input);

// True if `message` is itself a delivery report: its header section has Content-Type
// multipart/report with report-type=delivery-status (RFC 3464 §2, RFC 6522).
[[nodiscard]] bool is_delivery_report(std::string_view message);

// Whether a failure of a message with this envelope sender and content gets a DSN: not for
// the null sender <> (RFC 5321 §4.5.5, RFC 3464 §2.1) and not for a message that is itself a
// delivery report (loop guard even if a DSN arrives with a non-null sender).
[[nodiscard]] bool wants_dsn(std::string_view envelope_sender, std::string_view message);

}  // namespace postern::mime
