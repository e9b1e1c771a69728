#pragma once
// Workflow configuration: a YAML file for everything that is not secret, environment variables
// for secrets (never command-line arguments, never the file). Every key is in the one table of
// config_keys.h (unknown, misplaced or mistyped keys are refused, exit 78), which also generates
// the reference doc/configuration.md (type, default, unit, range, meaning, environment). Shape:
//   profile: schemas/profiles/gambella.yaml     # deployment profile (relative to the config file)
//   ping:
//     base_url: https://ping.example.org          # env REFBRIDGE_PING_BASE_URL overrides
//     page_size: 100                              # 1..1000
//     auth: static_token                          # static_token (REFBRIDGE_PING_TOKEN) | oauth2
//     oauth2:                                     # auth: oauth2 — client credentials (RFC 6749 §4.4)
//       token_url: https://ping.example.org/oauth2/token
//       client_id: refbridge                      # secret: REFBRIDGE_PING_CLIENT_SECRET
//       scope: ""                                 # optional, space-separated
//       client_auth: basic                        # basic (HTTP Basic, default) | body (form members)
//       refresh_margin_seconds: 60                # refresh this long before expiry, 0..3600
//     tls:                                        # per connection; the same keys under primero:
//       ca_bundle: /etc/refbridge/ping-ca.pem     # PEM file of trusted CAs; empty = system store
//       client_certificate: /etc/refbridge/client.pem   # mTLS (PEM); needs client_key
//       client_key: /etc/refbridge/client.key     # PEM, unencrypted, readable by refbridge only
//       insecure_skip_tls_verify: false           # true: no certificate or host check (WARN at every start)
//   primero:
//     base_url: https://primero.example.org       # env REFBRIDGE_PRIMERO_BASE_URL overrides
//     user: refbridge_api
//     auth: basic                                 # basic (every version) | token (native login, below)
//     version: "2.15"                             # optional; auth: token logs in by it: <= 2.10 JWT,
//                                                 # 2.11+ session cookie + CSRF; absent = detected
//                                                 # from the login answer (refbridge/auth.h)
//     module_id: primeromodule-cp                 # optional; module whose forms the start-up check
//                                                 # reads (default: the profile's constant module_id)
//     require_form_check: false                   # true: a 403/404 on /api/v2/forms or /lookups stops
//                                                 # the run (exit 78) instead of a WARN (primero_config_check.h)
//     tls: {...}                                  # as under ping:
//   http:
//     connect_timeout_ms: 10000
//     total_timeout_ms: 60000
//     (TLS moved to ping.tls / primero.tls: http.verify_tls: false, http.allow_insecure_tls and
//      http.ca_bundle are refused with a message naming the new key)
//   retry:                                        # in-call retries of transient failures (config_retry.h)
//     max_attempts: 4                             # per call, the first included; 1 = no in-call retry
//     max_elapsed_ms: 60000                       # per call: no retry whose wait ends later than this
//     initial_backoff_ms: 500                     # ceiling of the 1st wait (full jitter), doubles per retry
//     max_backoff_ms: 30000                       # cap of that ceiling
//     max_retry_after_ms: 60000                   # a longer Retry-After is not waited for (between-run retry instead)
//   run_timeout_seconds: 0                        # per run, 0 = none; then the run stops as on SIGTERM (exit 4)
//   shutdown_grace_seconds: 30                    # after SIGINT/SIGTERM/run_timeout: in-flight records get this long
//   ledger: /var/lib/refbridge/ledger.sqlite      # relative to the config file; env REFBRIDGE_LEDGER overrides
//   metrics_file: /var/lib/prometheus/node-exporter/refbridge-{workflow}.prom   # metrics.h; --metrics-file overrides
//   sync:                                         # the shared sync engine (workflows/common/sync_*.h)
//     concurrency: 8                              # records processed at once, 1..64
//     max_attempts: 5                             # failed deliveries before a record is rejected
//     breaker_threshold: 10                       # consecutive unanswered records to one system stop the run (exit 69)
//     retry_initial_seconds: 300                  # wait before the 1st retry; doubles per attempt
//     retry_max_seconds: 21600                    # cap of that wait
//     cursor_overlap_seconds: 120                 # 1.2 / 2.1 re-read this much before the cursor
//     initial_cursor: 2024-01-01T00:00:00.000Z    # 1.2 / 2.1 first run (UTC, ISO-8601)
//     primero_page_size: 100                      # cases per page, 1..1000
//     ingestion_batch_size: 100                   # records per PING ingestion, 1..100
//     ingestion_poll_interval_ms: 1000            # between transaction status reads
//     ingestion_timeout_seconds: 120              # then the records wait for the next run
//   unhcr:                                        # how UNHCR appears in Primero (1.2, 2.1)
//     user_names: [unhcr_cw@cpims-gambella.primero.org]   # 2.1 case filter and referral recipients
//     agencies: [UNHCR]                           # referral recipient agency / service implementing agency
//     fallback_contact_user: cpims.admin@example.org      # user whose contact stands in (2.1)
// Secrets (config_security.h): only from environment variables, each NAME also as NAME_FILE (a path
// to a file holding it): REFBRIDGE_PING_TOKEN (auth: static_token), REFBRIDGE_PING_CLIENT_SECRET
// (auth: oauth2), REFBRIDGE_PING_SUBSCRIPTION_KEY (optional), REFBRIDGE_PRIMERO_PASSWORD.
// A file holding a secret-looking key (password, token, client_secret, subscription_key, ...) is
// refused: secrets never live in the configuration file or on the command line.

#include "refbridge/auth.h"
#include "refbridge/error.h"
#include "refbridge/http.h"
#include "refbridge/http_limits.h"
#include "refbridge/retry.h"
#include "refbridge/oauth2.h"

#include <chrono>
#include <string>
#include <vector>

namespace refbridge::workflows {

enum class PrimeroAuthMode { kBasic, kToken };
enum class PingAuthMode { kStaticToken, kOAuth2 };

/// TLS settings of one connection (`ping.tls`, `primero.tls`); applied onto HttpOptions.
struct TlsSettings {
  std::string ca_bundle;           ///< PEM file of trusted CAs; empty = the system store
  std::string client_certificate;  ///< PEM client certificate (mTLS); empty = none
  std::string client_key;          ///< PEM private key of client_certificate; empty = none
  bool insecure_skip_verify = false;  ///< no peer/host verification; logged as a WARN at start-up
};

/// The shared sync engine's settings (`sync:` section; defaults as documented above).
struct SyncSettings {
  int concurrency = 8;                       ///< records processed at once, 1..64
  int max_attempts = 5;                      ///< failed deliveries, then rule retries-exhausted
  int breaker_threshold = 10;                ///< consecutive records failing unanswered (run_guard.h), then exit 69
  std::chrono::seconds retry_initial{300};   ///< wait after the 1st failure; doubles per attempt
  std::chrono::seconds retry_max{21600};     ///< cap of the wait between runs
  std::chrono::seconds cursor_overlap{120};  ///< 1.2 / 2.1: re-read window before the cursor
  std::string initial_cursor = "2024-01-01T00:00:00.000Z";  ///< UTC; first run of 1.2 / 2.1
  int primero_page_size = 100;               ///< cases per Primero page, 1..1000
  int ingestion_batch_size = 100;            ///< records per PING ingestion, 1..100
  std::chrono::milliseconds ingestion_poll_interval{1000};
  std::chrono::seconds ingestion_timeout{120};  ///< per run; unresolved records wait for the next run
};

/// How UNHCR appears in the Primero instance (`unhcr:` section).
struct UnhcrIdentity {
  std::vector<std::string> user_names;  ///< focal-point users referrals are addressed to
  std::vector<std::string> agencies = {"UNHCR"};  ///< agency codes (exact, case-sensitive)
  std::string fallback_contact_user;    ///< user whose contact details stand in (2.1), may be empty
};

struct WorkflowConfig {
  std::string profile_path;  ///< absolute or relative to the working directory after loading
  std::string ping_base_url;
  int ping_page_size = 100;
  PingAuthMode ping_auth = PingAuthMode::kStaticToken;
  std::string ping_token;             ///< secret, from REFBRIDGE_PING_TOKEN (static_token)
  std::string ping_subscription_key;  ///< secret, from REFBRIDGE_PING_SUBSCRIPTION_KEY
  OAuth2ClientCredentials ping_oauth2;  ///< auth: oauth2; client_secret from REFBRIDGE_PING_CLIENT_SECRET
  TlsSettings ping_tls;
  TlsSettings primero_tls;
  std::string primero_base_url;
  std::string primero_user;
  std::string primero_password;  ///< secret, from REFBRIDGE_PRIMERO_PASSWORD
  PrimeroAuthMode primero_auth = PrimeroAuthMode::kBasic;
  std::string primero_version;  ///< `primero.version` as written, empty = not configured
  PrimeroLoginMode primero_login = PrimeroLoginMode::kAuto;  ///< from primero_version (auth: token)
  std::string primero_module_id;  ///< `primero.module_id`, empty = the profile's constant module_id
  bool primero_require_form_check = false;  ///< `primero.require_form_check`
  HttpOptions http;  ///< timeouts and limits of both connections; TLS comes from ping_tls / primero_tls
  RequestLimits ping_limits{64, 0};     ///< `ping.max_in_flight`, `ping.max_requests_per_second`
  RequestLimits primero_limits{16, 0};  ///< `primero.max_in_flight`, `primero.max_requests_per_second`
  RetryPolicy retry;                        ///< `retry:` section (in-call retries)
  std::chrono::seconds run_timeout{0};      ///< `run_timeout_seconds`, 0 = no limit
  std::chrono::seconds shutdown_grace{30};  ///< `shutdown_grace_seconds`
  std::string ledger_path;  ///< SQLite ledger file (absolute after loading), or a postgresql:// URL as written
  std::string deployment;   ///< `deployment`: whose rows a PostgreSQL ledger holds (required with one); env REFBRIDGE_DEPLOYMENT
  std::string metrics_file;  ///< `metrics_file`: Prometheus textfile template ({workflow}), relative to the file; empty = none
  SyncSettings sync;
  UnhcrIdentity unhcr;
};

/// Reads the YAML file and the environment. Errors: kIo (unreadable), kInvalidInput (YAML syntax,
/// with line:column), kConfig (an unknown, misplaced or mistyped key with file:line and a "did you
/// mean" (check_config_keys, config_keys.h); a missing or invalid setting, named by its full dotted
/// key; a missing secret names the environment variable to set).
Result<WorkflowConfig> load_config(const std::string& path);

}  // namespace refbridge::workflows
