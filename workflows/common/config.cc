// Workflow configuration loader. See config.h.
#include "config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace refbridge::workflows {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

Error missing(const std::string& key) { return make_error(ErrorCode::kConfig, "configuration: '" + key + "' is required"); }

template <class T>
Result<T> get(const YAML::Node& node, const std::string& key, const T& fallback) {
  if (!node || !node[key]) return fallback;
  try {
    return node[key].as<T>();
  } catch (const YAML::Exception&) {
    return make_error(ErrorCode::kConfig, "configuration: '" + key + "' has the wrong type (line " +
                                              std::to_string(node[key].Mark().line + 1) + ")");
  }
}

}  // namespace

Result<WorkflowConfig> load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(ErrorCode::kIo, "cannot read configuration file " + path);
  std::stringstream text;
  text << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::ParserException& e) {
    return make_error(ErrorCode::kInvalidInput, path + ":" + std::to_string(e.mark.line + 1) + ":" +
                                                    std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (!root.IsMap()) return make_error(ErrorCode::kInvalidInput, path + ": expected a mapping at the top level");

  WorkflowConfig c;
  const auto dir = std::filesystem::path(path).parent_path();
  REFBRIDGE_TRY(auto profile, get<std::string>(root, "profile", ""));
  if (profile.empty()) return missing("profile");
  c.profile_path = std::filesystem::path(profile).is_absolute() ? profile : (dir / profile).lexically_normal().string();

  const auto ping = root["ping"];
  REFBRIDGE_TRY(c.ping_base_url, get<std::string>(ping, "base_url", ""));
  if (auto e = env("REFBRIDGE_PING_BASE_URL"); !e.empty()) c.ping_base_url = e;
  if (c.ping_base_url.empty()) return missing("ping.base_url");
  REFBRIDGE_TRY(c.ping_page_size, get<int>(ping, "page_size", 100));
  if (c.ping_page_size < 1 || c.ping_page_size > 1000) {
    return make_error(ErrorCode::kConfig, "configuration: 'ping.page_size' must be between 1 and 1000");
  }
  c.ping_token = env("REFBRIDGE_PING_TOKEN");
  if (c.ping_token.empty()) return make_error(ErrorCode::kConfig, "set the PING token in REFBRIDGE_PING_TOKEN");
  c.ping_subscription_key = env("REFBRIDGE_PING_SUBSCRIPTION_KEY");

  const auto primero = root["primero"];
  REFBRIDGE_TRY(c.primero_base_url, get<std::string>(primero, "base_url", ""));
  if (auto e = env("REFBRIDGE_PRIMERO_BASE_URL"); !e.empty()) c.primero_base_url = e;
  if (c.primero_base_url.empty()) return missing("primero.base_url");
  REFBRIDGE_TRY(c.primero_user, get<std::string>(primero, "user", ""));
  if (c.primero_user.empty()) return missing("primero.user");
  c.primero_password = env("REFBRIDGE_PRIMERO_PASSWORD");
  if (c.primero_password.empty()) {
    return make_error(ErrorCode::kConfig, "set the Primero password in REFBRIDGE_PRIMERO_PASSWORD");
  }
  REFBRIDGE_TRY(auto auth, get<std::string>(primero, "auth", "basic"));
  if (auth == "basic") {
    c.primero_auth = PrimeroAuthMode::kBasic;
  } else if (auth == "token") {
    c.primero_auth = PrimeroAuthMode::kToken;
  } else {
    return make_error(ErrorCode::kConfig, "configuration: 'primero.auth' must be 'basic' or 'token'");
  }

  const auto http = root["http"];
  REFBRIDGE_TRY(auto connect_ms, get<long>(http, "connect_timeout_ms", 10'000));
  REFBRIDGE_TRY(auto total_ms, get<long>(http, "total_timeout_ms", 60'000));
  if (connect_ms <= 0 || total_ms <= 0) return make_error(ErrorCode::kConfig, "configuration: timeouts must be positive");
  c.http.connect_timeout = std::chrono::milliseconds(connect_ms);
  c.http.total_timeout = std::chrono::milliseconds(total_ms);
  REFBRIDGE_TRY(c.http.verify_tls, get<bool>(http, "verify_tls", true));
  REFBRIDGE_TRY(auto allow_insecure, get<bool>(http, "allow_insecure_tls", false));
  if (!c.http.verify_tls && !allow_insecure) {
    return make_error(ErrorCode::kConfig,
                      "configuration: 'http.verify_tls: false' also needs 'http.allow_insecure_tls: true'");
  }
  REFBRIDGE_TRY(c.http.ca_bundle, get<std::string>(http, "ca_bundle", ""));
  return c;
}

}  // namespace refbridge::workflows
