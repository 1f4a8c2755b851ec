#include "loadgen/sink_auth.hpp"

#include <openssl/evp.h>

namespace postern::loadgen {

std::optional<std::string> decode_base64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  if (text.empty()) return std::string();
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes: drop one byte per '='.
  std::size_t padding = 0;
  while (padding < 2 && text[text.size() - 1 - padding] == '=') ++padding;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

bool plain_matches(std::string_view response, std::string_view user, std::string_view password) {
  const auto decoded = decode_base64(response);
  if (!decoded) return false;
  const std::string_view text(*decoded);
  const auto first = text.find('\0');
  if (first == std::string_view::npos) return false;
  const auto second = text.find('\0', first + 1);
  if (second == std::string_view::npos) return false;
  const std::string_view authzid = text.substr(0, first);
  const std::string_view authcid = text.substr(first + 1, second - first - 1);
  return (authzid.empty() || authzid == authcid) && authcid == user &&
         text.substr(second + 1) == password;
}

}  // namespace postern::loadgen
