#pragma once
// Builds the benchmark messages: RFC 5322 headers (From, To, Subject, Date, Message-ID,
// MIME-Version, Content-Type) and a body of 76-character lines, already dot-stuffed for DATA
// (RFC 5321 §4.5.2). The body is built once; only the headers change per message.

#include <cstddef>
#include <cstdint>
#include <string>

namespace postern::loadgen {

class MessageFactory {
 public:
  // `size` is the target size of the whole message (headers and body) in bytes.
  MessageFactory(std::string from, std::string to, std::size_t size);

  // Replaces `out` with message `seq`, ending in CRLF, without the terminating ".\r\n".
  void render(std::uint64_t seq, std::string& out) const;
  [[nodiscard]] std::size_t body_size() const { return body_.size(); }

 private:
  std::string from_;
  std::string to_;
  std::string body_;
  std::uint64_t nonce_;  // makes Message-IDs unique across runs
};

}  // namespace postern::loadgen
