#include "smtp/client_auth.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "core/base64.hpp"
#include "smtp/text.hpp"

namespace postern::smtp {
namespace {

constexpr std::array<std::pair<std::string_view, ClientMechanism>, 3> kMechanisms{{
    {"PLAIN", ClientMechanism::plain},
    {"LOGIN", ClientMechanism::login},
    {"XOAUTH2", ClientMechanism::xoauth2},
}};

}  // namespace

std::optional<ClientMechanism> choose_mechanism(std::span<const std::string> wanted,
                                                std::span<const std::string> offered) {
  for (const std::string& name : wanted) {
    for (const auto& [known, mechanism] : kMechanisms) {
      if (!equals_ignore_case(name, known)) continue;
      if (std::find(offered.begin(), offered.end(), known) != offered.end()) return mechanism;
    }
  }
  return std::nullopt;
}

std::string_view mechanism_name(ClientMechanism mechanism) {
  for (const auto& [name, known] : kMechanisms) {
    if (known == mechanism) return name;
  }
  return {};
}

std::string plain_response(std::string_view username, std::string_view password) {
  std::string message;
  message.push_back('\0');
  message.append(username);
  message.push_back('\0');
  message.append(password);
  return core::base64_encode(message);
}

std::string xoauth2_response(std::string_view username, std::string_view token) {
  std::string message = "user=";
  message.append(username);
  message.append(
      "\x01"
      "auth=Bearer ");
  message.append(token);
  message.append("\x01\x01");
  return core::base64_encode(message);
}

}  // namespace postern::smtp
