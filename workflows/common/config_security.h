#pragma once
// The security part of the workflow configuration (config.h documents the keys): secrets from
// the environment (NAME or NAME_FILE, refbridge/secrets.h), the refusal of secrets in the file,
// the PING authentication mode and the per-connection TLS settings. Issue 5, "Secrets" and "TLS".

#include "config.h"

#include <yaml-cpp/yaml.h>

#include <string>

namespace refbridge::workflows {

/// kConfig when any mapping key anywhere in `root` names a secret (password, passwd, secret,
/// token, access_token, refresh_token, client_secret, subscription_key, api_key, apikey, or a key
/// ending in _password, _secret, _token, _api_key): "<file>:<line>: '<path>' holds a secret ...".
/// The value is never quoted.
Result<void> refuse_secrets_in_file(const YAML::Node& root, const std::string& file);

/// Reads `<prefix>.tls` (`section` is the connection's node, may be undefined) into TlsSettings.
/// Errors: kConfig for a wrong type, a certificate without key (or the reverse), or a file that
/// does not exist (named, with the key).
Result<TlsSettings> load_tls(const YAML::Node& section, const std::string& prefix);

/// `http.verify_tls: false`, `http.allow_insecure_tls` and `http.ca_bundle` moved to the
/// per-connection `tls:` sections: kConfig naming the new key. `http.verify_tls: true` is accepted.
Result<void> refuse_moved_tls_keys(const YAML::Node& http);

/// `ping.auth` (static_token | oauth2), `ping.oauth2.*` and the PING secrets into `c`.
/// Errors: kConfig for a missing or invalid key or a missing secret (naming the variable).
Result<void> load_ping_auth(const YAML::Node& ping, WorkflowConfig& c);

}  // namespace refbridge::workflows
