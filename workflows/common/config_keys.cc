// The table of configuration keys and the strict key check. See config_keys.h.
#include "config_keys.h"

#include <algorithm>
#include <array>
#include <vector>

namespace refbridge::workflows {
namespace {

using T = ConfigType;

constexpr std::string_view kRequired = "required";

// clang-format off
/// Columns: key, type, default, unit, range, meaning, environment override.
constexpr ConfigKey kConfigKeys[] = {
  {"profile", T::kPath, kRequired, "", "", "Deployment profile (lookup tables and constants), e.g. ../schemas/profiles/gambella.yaml.", ""},
  {"ledger", T::kPath, kRequired, "", "", "The ledger (audit trail, retries, cursors): a SQLite file, whose directory must be writable (run lease lock files), or a PostgreSQL URL postgresql://user@host:5432/db?sslmode=verify-full&sslrootcert=/path/ca.pem (no password in it: REFBRIDGE_LEDGER_PASSWORD).", "REFBRIDGE_LEDGER"},
  {"deployment", T::kString, "", "", "1 to 64 of a-z A-Z 0-9 . _ -", "This operation's id in a PostgreSQL ledger shared by several deployments (its rows and run leases are its own); required with a postgresql:// ledger, unused with SQLite.", "REFBRIDGE_DEPLOYMENT"},
  {"metrics_file", T::kPath, "", "", "", "Prometheus text file written at the end of every run (node_exporter textfile collector); {workflow} becomes the workflow id; --metrics-file overrides; empty = none.", ""},
  {"run_timeout_seconds", T::kInteger, "0", "s", "0..604800", "The run stops as on SIGTERM after this long (exit 4); 0 = no limit.", ""},
  {"shutdown_grace_seconds", T::kInteger, "30", "s", "0..3600", "After SIGINT, SIGTERM or run_timeout_seconds, records in flight get this long to finish.", ""},

  {"ping", T::kSection, "", "", "", "The PING API (proGres v4).", ""},
  {"ping.base_url", T::kString, kRequired, "", "", "Absolute http(s) URL of the PING API.", "REFBRIDGE_PING_BASE_URL"},
  {"ping.page_size", T::kInteger, "100", "records", "1..1000", "Records per PING listing page.", ""},
  {"ping.max_in_flight", T::kInteger, "64", "requests", "0..1024", "PING requests outstanding at once, all workers together (above it a worker waits its turn); 0 = no cap.", ""},
  {"ping.max_requests_per_second", T::kInteger, "0", "requests/s", "0..100000", "PING requests started per second, evenly spaced; 0 = no cap.", ""},
  {"ping.auth", T::kEnum, "static_token", "", "static_token | oauth2", "static_token: Bearer REFBRIDGE_PING_TOKEN; oauth2: client credentials (ping.oauth2).", ""},
  {"ping.oauth2", T::kSection, "", "", "", "OAuth2 client credentials (RFC 6749 section 4.4), read when ping.auth is oauth2.", ""},
  {"ping.oauth2.token_url", T::kString, "", "", "", "Token endpoint; required when ping.auth is oauth2.", ""},
  {"ping.oauth2.client_id", T::kString, "", "", "", "Client id; required when ping.auth is oauth2 (the secret: REFBRIDGE_PING_CLIENT_SECRET).", ""},
  {"ping.oauth2.scope", T::kString, "", "", "", "Space-separated scopes; empty = none requested.", ""},
  {"ping.oauth2.client_auth", T::kEnum, "basic", "", "basic | body", "How the client authenticates: HTTP Basic, or form members in the body.", ""},
  {"ping.oauth2.refresh_margin_seconds", T::kInteger, "60", "s", "0..3600", "The token is renewed this long before it expires.", ""},
  {"ping.tls", T::kSection, "", "", "", "TLS of the PING connection.", ""},
  {"ping.tls.ca_bundle", T::kPath, "", "", "", "PEM file of trusted CAs; empty = the system store.", ""},
  {"ping.tls.client_certificate", T::kPath, "", "", "", "PEM client certificate for mutual TLS; needs client_key.", ""},
  {"ping.tls.client_key", T::kPath, "", "", "", "PEM private key of client_certificate, unencrypted, readable by refbridge only.", ""},
  {"ping.tls.insecure_skip_tls_verify", T::kBoolean, "false", "", "", "true: no certificate or host name check (a WARN at every start). Never in production.", ""},

  {"primero", T::kSection, "", "", "", "The Primero v2 API.", ""},
  {"primero.base_url", T::kString, kRequired, "", "", "Absolute http(s) URL of the Primero instance.", "REFBRIDGE_PRIMERO_BASE_URL"},
  {"primero.user", T::kString, kRequired, "", "", "The Primero API user (the password: REFBRIDGE_PRIMERO_PASSWORD).", ""},
  {"primero.auth", T::kEnum, "basic", "", "basic | token", "basic: HTTP Basic on every request; token: Primero's native login.", ""},
  {"primero.version", T::kString, "", "", "", "Primero version, e.g. \"2.15\"; auth token logs in by it (2.10 and older JWT, 2.11+ session); empty = detected.", ""},
  {"primero.module_id", T::kString, "", "", "", "Module whose forms the start-up check reads; empty = the profile's constant module_id.", ""},
  {"primero.max_in_flight", T::kInteger, "16", "requests", "0..1024", "Primero requests outstanding at once, all workers together (a production Primero serves a few puma threads); 0 = no cap.", ""},
  {"primero.max_requests_per_second", T::kInteger, "0", "requests/s", "0..100000", "Primero requests started per second, evenly spaced (e.g. an API gateway's quota); 0 = no cap.", ""},
  {"primero.require_form_check", T::kBoolean, "false", "", "", "true: a 403/404 on the Primero forms or lookups check stops the run (exit 78) instead of a WARN.", ""},
  {"primero.tls", T::kSection, "", "", "", "TLS of the Primero connection.", ""},
  {"primero.tls.ca_bundle", T::kPath, "", "", "", "PEM file of trusted CAs; empty = the system store.", ""},
  {"primero.tls.client_certificate", T::kPath, "", "", "", "PEM client certificate for mutual TLS; needs client_key.", ""},
  {"primero.tls.client_key", T::kPath, "", "", "", "PEM private key of client_certificate, unencrypted, readable by refbridge only.", ""},
  {"primero.tls.insecure_skip_tls_verify", T::kBoolean, "false", "", "", "true: no certificate or host name check (a WARN at every start). Never in production.", ""},

  {"http", T::kSection, "", "", "", "Timeouts of both connections.", ""},
  {"http.connect_timeout_ms", T::kInteger, "10000", "ms", "1..", "TCP and TLS connect.", ""},
  {"http.total_timeout_ms", T::kInteger, "60000", "ms", "1..", "One whole request, body transfer included.", ""},
  {"http.verify_tls", T::kMoved, "", "", "", "Obsolete: true is accepted; false is refused, use ping.tls / primero.tls.insecure_skip_tls_verify.", ""},
  {"http.allow_insecure_tls", T::kMoved, "", "", "", "Obsolete, refused: use ping.tls / primero.tls.insecure_skip_tls_verify.", ""},
  {"http.ca_bundle", T::kMoved, "", "", "", "Obsolete, refused: use ping.tls.ca_bundle / primero.tls.ca_bundle.", ""},

  {"retry", T::kSection, "", "", "", "In-call retries of transient failures (timeouts, 429, 5xx).", ""},
  {"retry.max_attempts", T::kInteger, "4", "attempts", "1..20", "Attempts per call, the first included; 1 = no in-call retry.", ""},
  {"retry.max_elapsed_ms", T::kInteger, "60000", "ms", "0..3600000", "No retry whose wait would end later than this after the first send.", ""},
  {"retry.initial_backoff_ms", T::kInteger, "500", "ms", "0..3600000", "Ceiling of the first wait (full jitter); doubles per retry.", ""},
  {"retry.max_backoff_ms", T::kInteger, "30000", "ms", "0..3600000", "Cap of that ceiling.", ""},
  {"retry.max_retry_after_ms", T::kInteger, "60000", "ms", "0..3600000", "A longer Retry-After is not waited for: the record is retried at a later run.", ""},

  {"sync", T::kSection, "", "", "", "The shared sync engine.", ""},
  {"sync.concurrency", T::kInteger, "8", "records", "1..64", "Records processed at once.", ""},
  {"sync.max_attempts", T::kInteger, "5", "attempts", "1..1000", "Failed deliveries of a record, across runs, before it is rejected (rule retries-exhausted).", ""},
  {"sync.breaker_threshold", T::kInteger, "10", "records", "1..100000", "Consecutive records one system did not answer stop the run (exit 69).", ""},
  {"sync.retry_initial_seconds", T::kInteger, "300", "s", "0..86400", "Wait before a failed record's first retry; doubles per attempt.", ""},
  {"sync.retry_max_seconds", T::kInteger, "21600", "s", "0..2592000", "Cap of that wait.", ""},
  {"sync.cursor_overlap_seconds", T::kInteger, "120", "s", "0..86400", "1.2 and 2.1 re-read this much before their cursor.", ""},
  {"sync.initial_cursor", T::kDateTime, "2024-01-01T00:00:00.000Z", "", "", "Where 1.2 and 2.1 start reading on their first run (UTC).", ""},
  {"sync.primero_page_size", T::kInteger, "100", "records", "1..1000", "Cases per Primero page.", ""},
  {"sync.ingestion_batch_size", T::kInteger, "100", "records", "1..100", "Records per PING ingestion.", ""},
  {"sync.ingestion_poll_interval_ms", T::kInteger, "1000", "ms", "0..600000", "Between reads of an ingestion transaction's status.", ""},
  {"sync.ingestion_timeout_seconds", T::kInteger, "120", "s", "0..86400", "Per run; records of an unfinished ingestion wait for the next run.", ""},

  {"unhcr", T::kSection, "", "", "", "How UNHCR appears in Primero (1.2, 2.1).", ""},
  {"unhcr.user_names", T::kStringList, "[]", "", "", "Primero users of UNHCR: the 2.1 case filter and the referral recipients.", ""},
  {"unhcr.agencies", T::kStringList, "[UNHCR]", "", "", "Agency codes of UNHCR (exact, case-sensitive).", ""},
  {"unhcr.fallback_contact_user", T::kString, "", "", "", "User whose contact details stand in when a case has none (2.1); empty = none.", ""},
};
// clang-format on

std::string section_of(std::string_view dotted) {
  const auto dot = dotted.rfind('.');
  return dot == std::string_view::npos ? std::string() : std::string(dotted.substr(0, dot));
}

std::string leaf_of(std::string_view dotted) {
  const auto dot = dotted.rfind('.');
  return std::string(dot == std::string_view::npos ? dotted : dotted.substr(dot + 1));
}

std::string where(const std::string& section) { return section.empty() ? "at the top level" : "in '" + section + ":'"; }

/// "'a'", "'a' or 'b'", "'a', 'b' or 'c'".
std::string quoted_alternatives(const std::vector<std::string>& keys) {
  std::string out;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) out += i + 1 == keys.size() ? " or " : ", ";
    out += "'" + keys[i] + "'";
  }
  return out;
}

/// The close spellings of `leaf` among the keys of `section`, best first.
std::vector<std::string> close_in_section(const std::string& section, const std::string& leaf) {
  const std::size_t limit = leaf.size() <= 4 ? 1 : leaf.size() <= 8 ? 2 : 3;
  std::size_t best = limit + 1;
  std::vector<std::string> found;
  for (const auto& k : kConfigKeys) {
    if (section_of(k.key) != section || k.type == T::kMoved) continue;
    const std::size_t d = edit_distance(leaf, leaf_of(k.key));
    if (d < best) found.clear(), best = d;
    if (d == best) found.emplace_back(k.key);
  }
  return found;
}

/// Keys of other sections named `leaf`, or failing that spelled close to it.
std::vector<std::string> elsewhere(const std::string& section, const std::string& leaf) {
  std::vector<std::string> same;
  for (const auto& k : kConfigKeys) {
    if (section_of(k.key) != section && leaf_of(k.key) == leaf && k.type != T::kMoved) same.emplace_back(k.key);
  }
  if (!same.empty()) return same;
  const std::size_t limit = leaf.size() <= 4 ? 1 : leaf.size() <= 8 ? 2 : 3;
  for (const auto& k : kConfigKeys) {
    if (section_of(k.key) != section && k.type != T::kMoved && edit_distance(leaf, leaf_of(k.key)) <= limit) {
      same.emplace_back(k.key);
    }
  }
  return same;
}

Error unknown_key(const std::string& at, const std::string& section, const std::string& leaf) {
  const std::string dotted = section.empty() ? leaf : section + "." + leaf;
  std::string text = at + "configuration: unknown key '" + dotted + "' " + where(section);
  if (auto close = close_in_section(section, leaf); !close.empty()) {
    text += "; did you mean " + quoted_alternatives(close) + "?";
  } else if (auto other = elsewhere(section, leaf); !other.empty()) {
    const std::string home = section_of(other.front());
    text += "; did you mean " + quoted_alternatives(other) + " (in the '" + (home.empty() ? "top" : home) +
            (home.empty() ? " level')?" : ":' section)?");
  } else {
    std::vector<std::string> keys;
    for (const auto& k : kConfigKeys) {
      if (section_of(k.key) == section && k.type != T::kMoved) keys.push_back(leaf_of(k.key));
    }
    text += "; the keys " + where(section) + " are: ";
    for (std::size_t i = 0; i < keys.size(); ++i) text += (i ? ", " : "") + keys[i];
  }
  return make_error(ErrorCode::kConfig, text + " (doc/configuration.md lists every key)");
}

bool parses_as_long(const YAML::Node& n) {
  try {
    (void)n.as<long>();
    return true;
  } catch (const YAML::Exception&) {
    return false;
  }
}

bool parses_as_bool(const YAML::Node& n) {
  try {
    (void)n.as<bool>();
    return true;
  } catch (const YAML::Exception&) {
    return false;
  }
}

/// "" when `value` fits `k`, else what it must be.
std::string type_problem(const ConfigKey& k, const YAML::Node& value) {
  switch (k.type) {
    case T::kMoved: return "";
    case T::kSection: return value.IsMap() || value.IsNull() ? "" : "must be a mapping (a section of keys)";
    case T::kStringList:
      if (!value.IsSequence()) return "must be a list of strings, e.g. [a, b]";
      for (const auto& item : value) {
        if (!item.IsScalar()) return "must be a list of strings, e.g. [a, b]";
      }
      return "";
    default: break;
  }
  if (value.IsNull()) return "has no value (write \"\" for an empty text, or remove the key)";
  if (!value.IsScalar()) return "must be a single value, not a list or a section";
  if (k.type == T::kInteger && !parses_as_long(value)) return "must be an integer";
  if (k.type == T::kBoolean && !parses_as_bool(value)) return "must be true or false";
  if (k.type == T::kEnum) {
    std::string_view rest = k.range;
    for (;;) {
      const auto bar = rest.find(" | ");
      if (rest.substr(0, bar) == value.Scalar()) return "";
      if (bar == std::string_view::npos) return "must be one of " + std::string(k.range);
      rest = rest.substr(bar + 3);
    }
  }
  return "";
}

Result<void> check_section(const YAML::Node& node, const std::string& section, const std::string& file) {
  for (const auto& entry : node) {
    const std::string at = file + ":" + std::to_string(entry.first.Mark().line + 1) + ": ";
    if (!entry.first.IsScalar()) return make_error(ErrorCode::kConfig, at + "configuration: a key must be a name");
    const std::string leaf = entry.first.Scalar();
    const std::string dotted = section.empty() ? leaf : section + "." + leaf;
    const ConfigKey* k = find_config_key(dotted);
    if (k == nullptr) return unknown_key(at, section, leaf);
    if (auto problem = type_problem(*k, entry.second); !problem.empty()) {
      return make_error(ErrorCode::kConfig, at + "configuration: '" + dotted + "' " + problem);
    }
    if (k->type == T::kSection && entry.second.IsMap()) {
      REFBRIDGE_TRY(check_section(entry.second, dotted, file));
    }
  }
  return ok();
}

}  // namespace

std::string_view to_string(ConfigType type) noexcept {
  switch (type) {
    case T::kSection: return "mapping";
    case T::kString: return "string";
    case T::kPath: return "path";
    case T::kInteger: return "integer";
    case T::kBoolean: return "boolean";
    case T::kStringList: return "list of strings";
    case T::kDateTime: return "date-time";
    case T::kEnum: return "one of";
    case T::kMoved: return "moved";
  }
  return "string";
}

std::span<const ConfigKey> config_keys() noexcept { return kConfigKeys; }

const ConfigKey* find_config_key(std::string_view dotted) noexcept {
  for (const auto& k : kConfigKeys) {
    if (k.key == dotted) return &k;
  }
  return nullptr;
}

Result<void> check_config_keys(const YAML::Node& root, const std::string& file) {
  if (!root.IsMap()) return ok();  // the loader refuses a file that is not a mapping
  return check_section(root, "", file);
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace refbridge::workflows
