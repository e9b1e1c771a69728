// Secrets, PING authentication and TLS settings of the workflow configuration. See config_security.h.
#include "config_security.h"

#include "refbridge/secrets.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>

namespace refbridge::workflows {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool names_a_secret(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char ch) { return std::tolower(ch); });
  static constexpr std::array<std::string_view, 10> kExact = {"password",     "passwd",        "secret",
                                                              "token",        "access_token",  "refresh_token",
                                                              "client_secret", "subscription_key", "api_key",
                                                              "apikey"};
  if (std::find(kExact.begin(), kExact.end(), key) != kExact.end()) return true;
  return ends_with(key, "_password") || ends_with(key, "_secret") || ends_with(key, "_token") || ends_with(key, "_api_key");
}

Result<void> scan_for_secrets(const YAML::Node& node, const std::string& path, const std::string& file) {
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      REFBRIDGE_TRY(scan_for_secrets(node[i], path + "[" + std::to_string(i) + "]", file));
    }
  }
  if (!node.IsMap()) return ok();
  for (const auto& entry : node) {
    const auto key = entry.first.Scalar();
    const std::string where = path.empty() ? key : path + "." + key;
    if (names_a_secret(key)) {
      return make_error(ErrorCode::kConfig,
                        file + ":" + std::to_string(entry.first.Mark().line + 1) + ": configuration: '" + where +
                            "' holds a secret; secrets are read only from environment variables (NAME or NAME_FILE, "
                            "see workflows/common/config.h): remove it from the file");
    }
    REFBRIDGE_TRY(scan_for_secrets(entry.second, where, file));
  }
  return ok();
}

Error wrong_type(const std::string& key, const YAML::Node& node) {
  return make_error(ErrorCode::kConfig,
                    "configuration: '" + key + "' has the wrong type (line " + std::to_string(node.Mark().line + 1) + ")");
}

template <class T>
Result<T> value_of(const YAML::Node& section, const std::string& prefix, const std::string& key, const T& fallback) {
  if (!section || !section.IsMap() || !section[key]) return fallback;
  try {
    return section[key].as<T>();
  } catch (const YAML::Exception&) {
    return wrong_type(prefix + "." + key, section[key]);
  }
}

Result<void> require_file(const std::string& key, const std::string& path) {
  std::error_code ec;
  if (path.empty() || std::filesystem::is_regular_file(path, ec)) return ok();
  return make_error(ErrorCode::kConfig, "configuration: '" + key + "' names a file that does not exist: " + path);
}

Result<OAuth2ClientAuth> client_auth_of(const std::string& text) {
  if (text == "basic") return OAuth2ClientAuth::kBasic;
  if (text == "body") return OAuth2ClientAuth::kBody;
  return make_error(ErrorCode::kConfig, "configuration: 'ping.oauth2.client_auth' must be 'basic' or 'body'");
}

Result<void> load_oauth2(const YAML::Node& n, WorkflowConfig& c) {
  const std::string p = "ping.oauth2";
  auto& o = c.ping_oauth2;
  REFBRIDGE_TRY(o.token_url, value_of<std::string>(n, p, "token_url", ""));
  REFBRIDGE_TRY(o.client_id, value_of<std::string>(n, p, "client_id", ""));
  REFBRIDGE_TRY(o.scope, value_of<std::string>(n, p, "scope", ""));
  REFBRIDGE_TRY(auto client_auth, value_of<std::string>(n, p, "client_auth", "basic"));
  REFBRIDGE_TRY(o.client_auth, client_auth_of(client_auth));
  REFBRIDGE_TRY(auto margin, value_of<long>(n, p, "refresh_margin_seconds", 60));
  if (margin < 0 || margin > 3600) {
    return make_error(ErrorCode::kConfig, "configuration: 'ping.oauth2.refresh_margin_seconds' must be between 0 and 3600");
  }
  o.refresh_margin = std::chrono::seconds(margin);
  if (o.token_url.empty()) return make_error(ErrorCode::kConfig, "configuration: 'ping.oauth2.token_url' is required");
  if (o.client_id.empty()) return make_error(ErrorCode::kConfig, "configuration: 'ping.oauth2.client_id' is required");
  REFBRIDGE_TRY(o.client_secret, require_secret("REFBRIDGE_PING_CLIENT_SECRET", "the PING OAuth2 client secret"));
  o.subscription_key = c.ping_subscription_key;
  return ok();
}

}  // namespace

Result<void> refuse_secrets_in_file(const YAML::Node& root, const std::string& file) {
  return scan_for_secrets(root, "", file);
}

Result<TlsSettings> load_tls(const YAML::Node& section, const std::string& prefix) {
  TlsSettings t;
  const std::string p = prefix + ".tls";
  const YAML::Node tls = section && section.IsMap() ? section["tls"] : YAML::Node();
  if (tls && !tls.IsMap()) return wrong_type(p, tls);
  REFBRIDGE_TRY(t.ca_bundle, value_of<std::string>(tls, p, "ca_bundle", ""));
  REFBRIDGE_TRY(t.client_certificate, value_of<std::string>(tls, p, "client_certificate", ""));
  REFBRIDGE_TRY(t.client_key, value_of<std::string>(tls, p, "client_key", ""));
  REFBRIDGE_TRY(t.insecure_skip_verify, value_of<bool>(tls, p, "insecure_skip_tls_verify", false));
  if (t.client_certificate.empty() != t.client_key.empty()) {
    return make_error(ErrorCode::kConfig,
                      "configuration: '" + p + ".client_certificate' and '" + p + ".client_key' go together (mTLS)");
  }
  REFBRIDGE_TRY(require_file(p + ".ca_bundle", t.ca_bundle));
  REFBRIDGE_TRY(require_file(p + ".client_certificate", t.client_certificate));
  REFBRIDGE_TRY(require_file(p + ".client_key", t.client_key));
  return t;
}

Result<void> refuse_moved_tls_keys(const YAML::Node& http) {
  if (!http || !http.IsMap()) return ok();
  REFBRIDGE_TRY(auto verify, value_of<bool>(http, "http", "verify_tls", true));
  if (!verify || http["allow_insecure_tls"]) {
    return make_error(ErrorCode::kConfig,
                      "configuration: 'http.verify_tls' / 'http.allow_insecure_tls' moved: set "
                      "'ping.tls.insecure_skip_tls_verify: true' and/or 'primero.tls.insecure_skip_tls_verify: true'");
  }
  if (http["ca_bundle"]) {
    return make_error(ErrorCode::kConfig,
                      "configuration: 'http.ca_bundle' moved: set 'ping.tls.ca_bundle' and/or 'primero.tls.ca_bundle'");
  }
  return ok();
}

Result<void> load_ping_auth(const YAML::Node& ping, WorkflowConfig& c) {
  REFBRIDGE_TRY(auto subscription_key, read_secret("REFBRIDGE_PING_SUBSCRIPTION_KEY"));
  c.ping_subscription_key = subscription_key.value_or("");
  REFBRIDGE_TRY(auto mode, value_of<std::string>(ping, "ping", "auth", "static_token"));
  if (mode == "static_token") {
    c.ping_auth = PingAuthMode::kStaticToken;
    REFBRIDGE_TRY(c.ping_token, require_secret("REFBRIDGE_PING_TOKEN", "the PING token"));
    return ok();
  }
  if (mode == "oauth2") {
    c.ping_auth = PingAuthMode::kOAuth2;
    return load_oauth2(ping && ping.IsMap() ? ping["oauth2"] : YAML::Node(), c);
  }
  return make_error(ErrorCode::kConfig, "configuration: 'ping.auth' must be 'static_token' or 'oauth2'");
}

}  // namespace refbridge::workflows
