// render_toml()'s [upstream] and [delivery] sections. The upstream password is never shown:
// only where it comes from (password_env / password_file), like the account's.

#include "config/render_sections.hpp"
#include "config/value_parsers.hpp"

namespace postern::config {
namespace {

std::string string_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const std::string& item : items) {
    out += (out.size() > 1 ? ", " : "") + toml_string(item);
  }
  return out + "]";
}

}  // namespace

void render_upstream(std::string& out, const std::optional<UpstreamSettings>& upstream) {
  out += "\n[upstream]\n";
  if (!upstream) {
    out += "# provider not set: capture mode (messages stay in the local capture mailbox)\n";
    return;
  }
  const UpstreamSettings& up = *upstream;
  const policy::ProviderProfile& p = up.profile;
  if (up.profile_file) {
    line(out, "profile_file", toml_string(up.profile_file->string()));
  } else {
    line(out, "provider", toml_string(p.name));
  }
  if (!up.ses_region.empty()) line(out, "ses_region", toml_string(up.ses_region));
  if (up.host_set) line(out, "host", toml_string(p.host));
  if (up.port_set) line(out, "port", std::to_string(p.port));
  if (up.tls_set) line(out, "tls", toml_string(policy::to_string(p.tls)));
  if (up.auth_set) line(out, "auth", string_list(p.auth_mechanisms));
  out += "# resolved: " + p.host + ":" + std::to_string(p.port) + ", tls " +
         std::string(policy::to_string(p.tls)) + ", auth " + string_list(p.auth_mechanisms) + "\n";
  if (!up.user.empty()) line(out, "user", toml_string(up.user));
  const std::string_view source = up.password_source;
  if (source.starts_with("env:")) {
    line(out, "password_env", toml_string(source.substr(4)));
  } else if (source.starts_with("file:")) {
    line(out, "password_file", toml_string(source.substr(5)));
  }
  if (!source.empty()) out += "# (the password itself is never shown)\n";
  if (up.ca_file) line(out, "ca_file", toml_string(up.ca_file->string()));
}

void render_delivery(std::string& out, const DeliverySettings& d) {
  out += "\n[delivery]\n";
  std::vector<std::string> delays;
  for (const auto delay : d.retry.delays) {
    delays.push_back(format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(delay)));
  }
  line(out, "retry_schedule", string_list(delays));
  line(out, "retry_jitter", std::to_string(static_cast<int>(d.retry.jitter * 100.0 + 0.5)));
  line(out, "lifetime",
       toml_string(format_duration(
           std::chrono::duration_cast<std::chrono::milliseconds>(d.retry.lifetime))));
  if (d.max_connections) line(out, "max_connections", std::to_string(*d.max_connections));
  if (d.messages_per_connection) {
    line(out, "messages_per_connection", std::to_string(*d.messages_per_connection));
  }
  line(out, "capture_limit", std::to_string(d.capture_limit));
  line(out, "keep_done", toml_string(format_duration(d.keep_done)));
  line(out, "lease_time", toml_string(format_duration(d.lease_time)));
  line(out, "poll_interval", toml_string(format_duration(d.poll_interval)));
  line(out, "command_timeout", toml_string(format_duration(d.command_timeout)));
}

}  // namespace postern::config
