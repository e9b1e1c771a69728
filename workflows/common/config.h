#pragma once
// Workflow configuration: a YAML file for everything that is not secret, environment variables
// for secrets (never command-line arguments, never the file). Shape:
//   profile: schemas/profiles/gambella.yaml     # deployment profile (relative to the config file)
//   ping:
//     base_url: https://ping.example.org          # env REFBRIDGE_PING_BASE_URL overrides
//     page_size: 100                              # 1..1000
//   primero:
//     base_url: https://primero.example.org       # env REFBRIDGE_PRIMERO_BASE_URL overrides
//     user: refbridge_api
//     auth: basic                                 # basic (Primero >= 2.11) | token (<= 2.10)
//   http:
//     connect_timeout_ms: 10000
//     total_timeout_ms: 60000
//     verify_tls: true                            # false is refused unless allow_insecure_tls: true
//     ca_bundle: /etc/ssl/certs/ca-certificates.crt
// Secrets: REFBRIDGE_PING_TOKEN, REFBRIDGE_PING_SUBSCRIPTION_KEY (optional),
//          REFBRIDGE_PRIMERO_PASSWORD.

#include "refbridge/error.h"
#include "refbridge/http.h"

#include <chrono>
#include <string>

namespace refbridge::workflows {

enum class PrimeroAuthMode { kBasic, kToken };

struct WorkflowConfig {
  std::string profile_path;  ///< absolute or relative to the working directory after loading
  std::string ping_base_url;
  int ping_page_size = 100;
  std::string ping_token;             ///< secret, from REFBRIDGE_PING_TOKEN
  std::string ping_subscription_key;  ///< secret, from REFBRIDGE_PING_SUBSCRIPTION_KEY
  std::string primero_base_url;
  std::string primero_user;
  std::string primero_password;  ///< secret, from REFBRIDGE_PRIMERO_PASSWORD
  PrimeroAuthMode primero_auth = PrimeroAuthMode::kBasic;
  HttpOptions http;
};

/// Reads the YAML file and the environment. Errors: kIo (unreadable), kInvalidInput (YAML syntax,
/// with line:column), kConfig (a missing or invalid setting, named; a missing secret names the
/// environment variable to set).
Result<WorkflowConfig> load_config(const std::string& path);

}  // namespace refbridge::workflows
