#pragma once
// Internal to config/: pieces of render_toml() shared by render.cpp and render_delivery.cpp.

#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace postern::config {

// A TOML basic string (TOML 1.0 "Basic strings"): quote, backslash and controls escaped.
[[nodiscard]] std::string toml_string(std::string_view s);
// Appends "key = value\n".
void line(std::string& out, std::string_view key, const std::string& value);

void render_upstream(std::string& out, const std::optional<UpstreamSettings>& upstream);
void render_delivery(std::string& out, const DeliverySettings& delivery);

}  // namespace postern::config
