// render_toml(): the effective configuration for `postern config check`. Hand-written (not
// toml++'s formatter) to keep the documented key order and say where the password comes
// from instead of showing it.

#include <cstdio>

#include "config/config.hpp"
#include "config/render_sections.hpp"
#include "config/value_parsers.hpp"

namespace postern::config {

// A TOML basic string (TOML 1.0 "Basic strings"): escape quote, backslash and controls.
std::string toml_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void line(std::string& out, std::string_view key, const std::string& value) {
  out.append(key).append(" = ").append(value).append("\n");
}

namespace {

void render_user(std::string& out, const EnvAccount& user) {
  out += "\n[user]\n";
  line(out, "name", toml_string(user.name));
  const std::string_view source = user.password_source;
  if (source.starts_with("env:")) {
    line(out, "password_env", toml_string(source.substr(4)));
  } else if (source.starts_with("file:")) {
    line(out, "password_file", toml_string(source.substr(5)));
  }
  out += "# (the password itself is never shown)\n";
  line(out, "senders", toml_string(user.senders.to_string()));
}

void render_submission(std::string& out, const SubmissionSettings& s) {
  out += "\n[submission]\n";
  line(out, "max_command_line", std::to_string(s.max_command_line));
  line(out, "max_text_line", std::to_string(s.max_text_line));
  line(out, "max_recipients", std::to_string(s.max_recipients));
  line(out, "max_message_size", toml_string(format_size(s.max_message_size)));
  line(out, "max_local_part", std::to_string(s.max_local_part));
  line(out, "max_domain", std::to_string(s.max_domain));
  line(out, "max_errors", std::to_string(s.max_errors));
  line(out, "max_auth_failures", std::to_string(s.max_auth_failures));
  line(out, "unauthenticated_command_timeout",
       toml_string(format_duration(s.unauthenticated_command_timeout)));
  line(out, "command_timeout", toml_string(format_duration(s.command_timeout)));
  line(out, "data_block_timeout", toml_string(format_duration(s.data_block_timeout)));
  line(out, "bare_line_policy",
       toml_string(s.bare_line_policy == BareLinePolicy::strict ? "strict" : "normalize"));
}

}  // namespace

std::string render_toml(const Config& config) {
  std::string out = "# postern effective configuration (secrets are not shown)\n";
  line(out, "data_dir", toml_string(config.data_dir.string()));
  line(out, "listen", toml_string(format_listen(config.listen)));
  line(out, "hostname", toml_string(config.hostname));
  line(out, "io_threads", std::to_string(config.io_threads));
  out += "\n[tls]\n";
  if (config.tls.cert && config.tls.key) {
    line(out, "cert", toml_string(config.tls.cert->string()));
    line(out, "key", toml_string(config.tls.key->string()));
  } else {
    out += "# cert and key not set: a self-signed ECDSA P-256 pair is generated in data_dir\n";
  }
  out += "\n[log]\n";
  line(out, "format", toml_string(config.log_format == LogFormat::json ? "json" : "text"));
  if (config.env_account) render_user(out, *config.env_account);
  render_submission(out, config.submission);
  out += "\n[store]\n";
  line(out, "dir", toml_string(config.store.dir.string()));
  render_upstream(out, config.upstream);
  render_delivery(out, config.delivery);
  return out;
}

}  // namespace postern::config
