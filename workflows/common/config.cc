// Workflow configuration loader. See config.h.
#include "config.h"
#include "config_keys.h"
#include "config_retry.h"

#include "config_security.h"

#include "refbridge/ledger_postgres.h"
#include "refbridge/secrets.h"
#include "refbridge/time.h"

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

Error out_of_range(const std::string& key, long lo, long hi) {
  return make_error(ErrorCode::kConfig, "configuration: '" + key + "' must be between " + std::to_string(lo) +
                                            " and " + std::to_string(hi));
}

/// Reads `section.key` as an integer within [lo, hi].
Result<long> get_bounded(const YAML::Node& section, const std::string& prefix, const std::string& key, long fallback,
                         long lo, long hi) {
  REFBRIDGE_TRY(auto v, get<long>(section, key, fallback));
  if (v < lo || v > hi) return out_of_range(prefix + "." + key, lo, hi);
  return v;
}

/// `<system>.max_in_flight` and `<system>.max_requests_per_second` (refbridge/http_limits.h).
Result<RequestLimits> load_limits(const YAML::Node& section, const std::string& system, long default_in_flight) {
  REFBRIDGE_TRY(auto in_flight, get_bounded(section, system, "max_in_flight", default_in_flight, 0, 1024));
  REFBRIDGE_TRY(auto rate, get_bounded(section, system, "max_requests_per_second", 0, 0, 100'000));
  return RequestLimits{static_cast<int>(in_flight), static_cast<double>(rate)};
}

Result<SyncSettings> load_sync(const YAML::Node& n) {
  SyncSettings s;
  constexpr long kDay = 86'400;
  REFBRIDGE_TRY(auto concurrency, get_bounded(n, "sync", "concurrency", s.concurrency, 1, 64));
  REFBRIDGE_TRY(auto attempts, get_bounded(n, "sync", "max_attempts", s.max_attempts, 1, 1000));
  REFBRIDGE_TRY(auto breaker, get_bounded(n, "sync", "breaker_threshold", s.breaker_threshold, 1, 100'000));
  REFBRIDGE_TRY(auto initial, get_bounded(n, "sync", "retry_initial_seconds", s.retry_initial.count(), 0, kDay));
  REFBRIDGE_TRY(auto max, get_bounded(n, "sync", "retry_max_seconds", s.retry_max.count(), 0, 30 * kDay));
  REFBRIDGE_TRY(auto overlap, get_bounded(n, "sync", "cursor_overlap_seconds", s.cursor_overlap.count(), 0, kDay));
  REFBRIDGE_TRY(auto per, get_bounded(n, "sync", "primero_page_size", s.primero_page_size, 1, 1000));
  REFBRIDGE_TRY(auto batch, get_bounded(n, "sync", "ingestion_batch_size", s.ingestion_batch_size, 1, 100));
  REFBRIDGE_TRY(auto poll, get_bounded(n, "sync", "ingestion_poll_interval_ms", s.ingestion_poll_interval.count(), 0,
                                       600'000));
  REFBRIDGE_TRY(auto timeout, get_bounded(n, "sync", "ingestion_timeout_seconds", s.ingestion_timeout.count(), 0, kDay));
  REFBRIDGE_TRY(s.initial_cursor, get<std::string>(n, "initial_cursor", s.initial_cursor));
  if (!DateTime::parse(s.initial_cursor)) {
    return make_error(ErrorCode::kConfig, "configuration: 'sync.initial_cursor' must be an ISO-8601 date-time");
  }
  s.concurrency = static_cast<int>(concurrency);
  s.max_attempts = static_cast<int>(attempts);
  s.breaker_threshold = static_cast<int>(breaker);
  s.retry_initial = std::chrono::seconds(initial);
  s.retry_max = std::chrono::seconds(max);
  s.cursor_overlap = std::chrono::seconds(overlap);
  s.primero_page_size = static_cast<int>(per);
  s.ingestion_batch_size = static_cast<int>(batch);
  s.ingestion_poll_interval = std::chrono::milliseconds(poll);
  s.ingestion_timeout = std::chrono::seconds(timeout);
  return s;
}

Result<UnhcrIdentity> load_unhcr(const YAML::Node& n) {
  UnhcrIdentity u;
  REFBRIDGE_TRY(u.user_names, get<std::vector<std::string>>(n, "user_names", u.user_names));
  REFBRIDGE_TRY(u.agencies, get<std::vector<std::string>>(n, "agencies", u.agencies));
  REFBRIDGE_TRY(u.fallback_contact_user, get<std::string>(n, "fallback_contact_user", ""));
  return u;
}

std::string relative_to(const std::filesystem::path& dir, const std::string& p) {
  return std::filesystem::path(p).is_absolute() ? p : (dir / p).lexically_normal().string();
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
  REFBRIDGE_TRY(refuse_secrets_in_file(root, path));
  REFBRIDGE_TRY(check_config_keys(root, path));  // every key known, at its place, of its type (config_keys.h)

  WorkflowConfig c;
  const auto dir = std::filesystem::path(path).parent_path();
  REFBRIDGE_TRY(auto profile, get<std::string>(root, "profile", ""));
  if (profile.empty()) return missing("profile");
  c.profile_path = relative_to(dir, profile);

  const auto ping = root["ping"];
  REFBRIDGE_TRY(c.ping_base_url, get<std::string>(ping, "base_url", ""));
  if (auto e = env("REFBRIDGE_PING_BASE_URL"); !e.empty()) c.ping_base_url = e;
  if (c.ping_base_url.empty()) return missing("ping.base_url");
  REFBRIDGE_TRY(c.ping_page_size, get<int>(ping, "page_size", 100));
  if (c.ping_page_size < 1 || c.ping_page_size > 1000) {
    return make_error(ErrorCode::kConfig, "configuration: 'ping.page_size' must be between 1 and 1000");
  }
  REFBRIDGE_TRY(c.ping_limits, load_limits(ping, "ping", 64));
  REFBRIDGE_TRY(load_ping_auth(ping, c));
  REFBRIDGE_TRY(c.ping_tls, load_tls(ping, "ping"));

  const auto primero = root["primero"];
  REFBRIDGE_TRY(c.primero_base_url, get<std::string>(primero, "base_url", ""));
  if (auto e = env("REFBRIDGE_PRIMERO_BASE_URL"); !e.empty()) c.primero_base_url = e;
  if (c.primero_base_url.empty()) return missing("primero.base_url");
  REFBRIDGE_TRY(c.primero_user, get<std::string>(primero, "user", ""));
  if (c.primero_user.empty()) return missing("primero.user");
  REFBRIDGE_TRY(c.primero_password, require_secret("REFBRIDGE_PRIMERO_PASSWORD", "the Primero API user's password"));
  REFBRIDGE_TRY(c.primero_tls, load_tls(primero, "primero"));
  REFBRIDGE_TRY(auto auth, get<std::string>(primero, "auth", "basic"));
  if (auth == "basic") {
    c.primero_auth = PrimeroAuthMode::kBasic;
  } else if (auth == "token") {
    c.primero_auth = PrimeroAuthMode::kToken;
  } else {
    return make_error(ErrorCode::kConfig, "configuration: 'primero.auth' must be 'basic' or 'token'");
  }
  REFBRIDGE_TRY(c.primero_version, get<std::string>(primero, "version", ""));
  if (!c.primero_version.empty()) {
    auto mode = primero_login_mode_for_version(c.primero_version);
    if (!mode) return make_error(ErrorCode::kConfig, "configuration: 'primero.version': " + mode.error().message);
    c.primero_login = mode.value();
  }
  REFBRIDGE_TRY(c.primero_module_id, get<std::string>(primero, "module_id", ""));
  REFBRIDGE_TRY(c.primero_require_form_check, get<bool>(primero, "require_form_check", false));
  REFBRIDGE_TRY(c.primero_limits, load_limits(primero, "primero", 16));

  const auto http = root["http"];
  REFBRIDGE_TRY(auto connect_ms, get<long>(http, "connect_timeout_ms", 10'000));
  REFBRIDGE_TRY(auto total_ms, get<long>(http, "total_timeout_ms", 60'000));
  if (connect_ms <= 0) return make_error(ErrorCode::kConfig, "configuration: 'http.connect_timeout_ms' must be positive");
  if (total_ms <= 0) return make_error(ErrorCode::kConfig, "configuration: 'http.total_timeout_ms' must be positive");
  c.http.connect_timeout = std::chrono::milliseconds(connect_ms);
  c.http.total_timeout = std::chrono::milliseconds(total_ms);
  REFBRIDGE_TRY(refuse_moved_tls_keys(http));

  REFBRIDGE_TRY(auto ledger, get<std::string>(root, "ledger", ""));
  if (auto e = env("REFBRIDGE_LEDGER"); !e.empty()) ledger = e;
  if (ledger.empty()) return missing("ledger");
  // A postgresql:// URL is kept as written (refbridge/ledger_postgres.h); a path is made absolute.
  c.ledger_path = ledger == ":memory:" || is_postgres_url(ledger) ? ledger : relative_to(dir, ledger);
  REFBRIDGE_TRY(c.deployment, get<std::string>(root, "deployment", ""));
  if (auto e = env("REFBRIDGE_DEPLOYMENT"); !e.empty()) c.deployment = e;
  if (is_postgres_url(ledger) && c.deployment.empty()) {
    return make_error(ErrorCode::kConfig, "configuration: 'deployment' is required with a PostgreSQL ledger (the id that "
                                          "keeps this operation's rows apart, e.g. eth-gambella)");
  }
  REFBRIDGE_TRY(auto metrics_file, get<std::string>(root, "metrics_file", ""));
  if (!metrics_file.empty()) c.metrics_file = relative_to(dir, metrics_file);
  REFBRIDGE_TRY(load_run_limits(root, c));
  REFBRIDGE_TRY(c.sync, load_sync(root["sync"]));
  REFBRIDGE_TRY(c.unhcr, load_unhcr(root["unhcr"]));
  return c;
}

}  // namespace refbridge::workflows
