// Loading: TOML text → raw values (refusing unknown keys) → Sources with the environment →
// build_config(). The only file of config/ that sees toml++.

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "config/config.hpp"
#include "config/keys.hpp"
#include "config/sources.hpp"

namespace postern::config {
namespace {

// Keys can be any quoted string: keep error messages to one clean line.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 100)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  if (s.size() > 100) out += "...";
  return out;
}

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
      return "a date or time";
    default:
      return "an unknown type";
  }
}

RawValue to_raw(const KeySpec& key, const toml::node& node) {
  RawValue raw{.name = key.dotted(), .from_env = false, .kind = RawValue::Kind::other};
  raw.type_name = type_name(node);
  if (const auto* s = node.as_string()) {
    raw.kind = RawValue::Kind::string;
    raw.text = s->get();
  } else if (const auto* i = node.as_integer()) {
    raw.kind = RawValue::Kind::integer;
    raw.integer = i->get();
  } else if (const auto* a = node.as_array()) {
    const bool all_strings =
        std::all_of(a->begin(), a->end(), [](const toml::node& n) { return n.is_string(); });
    if (all_strings) {
      raw.kind = RawValue::Kind::string_array;
      for (const toml::node& n : *a) raw.strings.push_back(n.as_string()->get());
    }
  }
  return raw;
}

std::vector<std::string_view> names_in(std::string_view section) {
  std::vector<std::string_view> names;
  for (const KeySpec& k : all_keys()) {
    if (k.section == section && !k.key.empty()) names.push_back(k.key);
  }
  if (section.empty()) {
    for (std::string_view s : all_sections()) names.push_back(s);
  }
  return names;
}

[[noreturn]] void unknown(const std::string& dotted, std::string_view name,
                          std::string_view section) {
  const auto candidates = names_in(section);
  const std::string_view guess = closest(name, candidates);
  fail(printable(dotted),
       guess.empty() ? "unknown key" : "unknown key (did you mean " + std::string(guess) + "?)");
}

void collect_section(std::string_view section, const toml::table& table,
                     std::map<std::string, RawValue>& out) {
  for (auto&& [k, node] : table) {
    const std::string_view name = k.str();
    const std::string dotted = std::string(section) + "." + std::string(name);
    if ((section == "user" || section == "upstream") && name == "password") {
      const std::string s(section);
      fail(dotted, "passwords do not belong in the config file: name a variable with " + s +
                       ".password_env or a file with " + s + ".password_file");
    }
    const KeySpec* key = find_toml_key(section, name);
    if (key == nullptr) unknown(dotted, name, section);
    out.emplace(dotted, to_raw(*key, node));
  }
}

std::map<std::string, RawValue> collect(const toml::table& root) {
  std::map<std::string, RawValue> out;
  const auto sections = all_sections();
  for (auto&& [k, node] : root) {
    const std::string_view name = k.str();
    const bool is_section = std::find(sections.begin(), sections.end(), name) != sections.end();
    if (is_section) {
      if (!node.is_table())
        fail(std::string(name), "must be a table ([" + std::string(name) + "])");
      collect_section(name, *node.as_table(), out);
      continue;
    }
    const KeySpec* key = find_toml_key("", name);
    if (key == nullptr) unknown(std::string(name), name, "");
    out.emplace(std::string(name), to_raw(*key, node));
  }
  return out;
}

// Every POSTERN_* variable should be one Postern knows: a typo must not pass silently. It is a
// warning, not an error: platforms and wrappers set variables of their own with our prefix.
std::vector<std::string> check_environment(const Environment& env,
                                           const std::map<std::string, RawValue>& file) {
  std::vector<std::string> warnings;
  std::vector<std::string_view> known{kConfigFileEnv};
  for (const KeySpec& k : all_keys()) {
    if (!k.env.empty()) known.push_back(k.env);
  }
  for (const KeySpec& k : {keys::kUserPasswordEnv, keys::kUpstreamPasswordEnv}) {
    if (auto it = file.find(k.dotted());
        it != file.end() && it->second.kind == RawValue::Kind::string) {
      known.push_back(it->second.text);  // the operator's own variable for a password
    }
  }
  for (const auto& [name, value] : env) {
    if (!name.starts_with("POSTERN_")) continue;
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    const std::string_view guess = closest(name, known);
    warnings.push_back(
        printable(name) + ": " +
        (guess.empty() ? "unknown variable, ignored"
                       : "unknown variable, ignored (did you mean " + std::string(guess) + "?)"));
  }
  return warnings;
}

Config load(const toml::table& root, const LoadInput& input) {
  auto file_values = collect(root);
  auto warnings = check_environment(input.env, file_values);
  const Sources sources(input.env, std::move(file_values));
  Config config = build_config(sources, input);
  config.warnings = std::move(warnings);
  return config;
}

toml::table parse_toml(std::string_view text, std::string_view source_name) {
  try {
    return toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    fail(printable(source_name) + ":" + std::to_string(where.line) + ":" +
             std::to_string(where.column),
         printable(e.description()));
  }
}

}  // namespace

ConfigError::ConfigError(std::string key, std::string reason)
    : std::runtime_error(key + ": " + reason), key_(std::move(key)), reason_(std::move(reason)) {}

Config load_config_from_string(std::string_view toml_text, const LoadInput& input,
                               std::string_view source_name) {
  return load(parse_toml(toml_text, source_name), input);
}

Config load_config(const LoadInput& input) {
  if (!input.config_file) return load(toml::table{}, input);
  const std::string path = input.config_file->string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(*input.config_file, ec)) {
    fail(path, "no such config file (or not a regular file)");
  }
  std::ifstream in(*input.config_file, std::ios::binary);
  if (!in) fail(path, "cannot open the config file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) fail(path, "cannot read the config file");
  return load_config_from_string(text.str(), input, path);
}

}  // namespace postern::config
