// The generated configuration reference (doc/configuration.md). See config_keys.h.
#include "config_keys.h"

#include <array>

namespace refbridge::workflows {
namespace {

struct SecretVariable {
  std::string_view name;
  std::string_view when;
};

/// The secrets (config_security.h): never in the file, each NAME also as NAME_FILE.
constexpr std::array<SecretVariable, 4> kSecrets = {{
    {"REFBRIDGE_PING_TOKEN", "ping.auth: static_token (the default): the PING Bearer token"},
    {"REFBRIDGE_PING_CLIENT_SECRET", "ping.auth: oauth2: the OAuth2 client secret"},
    {"REFBRIDGE_PING_SUBSCRIPTION_KEY", "optional: sent as Ocp-Apim-Subscription-Key"},
    {"REFBRIDGE_PRIMERO_PASSWORD", "always: the password of primero.user"},
}};

std::string cell(std::string_view text) { return text.empty() ? std::string("-") : std::string(text); }

std::string code(std::string_view text) { return text.empty() ? std::string("-") : "`" + std::string(text) + "`"; }

std::string type_cell(const ConfigKey& k) {
  if (k.type == ConfigType::kEnum) {
    std::string out;
    std::string_view rest = k.range;
    for (;;) {
      const auto bar = rest.find(" | ");
      out += "`" + std::string(rest.substr(0, bar)) + "`";
      if (bar == std::string_view::npos) break;
      out += " or ";
      rest = rest.substr(bar + 3);
    }
    return out;
  }
  std::string out(to_string(k.type));
  if (k.type == ConfigType::kInteger && !k.range.empty()) out += " " + std::string(k.range);
  return out;
}

std::string default_cell(const ConfigKey& k) {
  if (k.default_value == "required") return "**required**";
  if (k.type == ConfigType::kMoved) return "-";
  if (k.default_value.empty()) return k.type == ConfigType::kString || k.type == ConfigType::kPath ? "`\"\"`" : "-";
  return code(k.default_value);
}

}  // namespace

std::string config_reference_markdown() {
  std::string md =
      "# refbridge configuration reference\n\n"
      "<!-- Generated from workflows/common/config_keys.cc by `refbridge-referrals-to-primero "
      "--print-config-reference`\n"
      "     (or `cmake --build --preset asan --target config-reference`). Do not edit: the operator test\n"
      "     \"config reference\" fails when this file differs from the table. -->\n\n"
      "One YAML file configures the four workflow programs (`--config FILE`). Every key is checked: an unknown\n"
      "or misplaced key, a wrong type or a value out of range stops the program with exit status 78 and a\n"
      "message naming `file:line`, the full dotted key and, for a misspelt key, the key it was probably meant\n"
      "to be. Relative paths are relative to the configuration file. Sections are written as YAML mappings\n"
      "(`sync:` then indented keys); a key written `sync.concurrency` below means `concurrency` inside `sync:`.\n\n"
      "| key | type | default | unit | meaning | environment override |\n"
      "|---|---|---|---|---|---|\n";
  for (const ConfigKey& k : config_keys()) {
    const std::string key = k.type == ConfigType::kSection ? "**`" + std::string(k.key) + ":`**" : code(k.key);
    md += "| " + key + " | " + type_cell(k) + " | " + default_cell(k) + " | " + cell(k.unit) + " | " +
          std::string(k.meaning) + " | " + code(k.env) + " |\n";
  }
  md +=
      "\n## Secrets\n\n"
      "Secrets are never read from the file (a key such as `password`, `token` or `client_secret` anywhere in it\n"
      "is refused) nor from the command line: only from these environment variables. Each `NAME` may instead be\n"
      "given as `NAME_FILE`, the path of a file holding the secret (one trailing newline is dropped; a mounted\n"
      "Kubernetes secret or a systemd credential); setting both is an error.\n\n"
      "| variable | needed when |\n|---|---|\n";
  for (const auto& s : kSecrets) md += "| `" + std::string(s.name) + "` | " + std::string(s.when) + " |\n";
  return md;
}

}  // namespace refbridge::workflows
