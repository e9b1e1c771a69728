#pragma once
// Builds the transports, authenticators and API connections a workflow needs from its
// configuration. Owns them, so their addresses stay valid for the run.

#include "config.h"
#include "metrics.h"
#include "refbridge/api_connection.h"
#include "refbridge/auth.h"
#include "refbridge/http.h"
#include "refbridge/log.h"
#include "refbridge/time.h"

#include <memory>

namespace refbridge::workflows {

/// PING and Primero connections, one libcurl transport each (connections reused across calls).
/// Not copyable or movable: ApiConnection holds pointers to the members.
class Connections {
 public:
  /// PING: static Bearer token, or OAuth2 client credentials (`ping.auth: oauth2`, token requests
  /// over the PING transport, so with PING's TLS settings), + Ocp-Apim-Subscription-Key when set.
  /// Primero: Basic auth, or the native login when `primero.auth: token` (JWT <= 2.10, session +
  /// CSRF 2.11+: by `primero.version`, else detected from the login answer; refbridge/auth.h).
  /// Each transport gets config.http with its connection's TLS settings (`ping.tls`, `primero.tls`).
  /// When a connection has `insecure_skip_tls_verify: true`, a WARN line
  /// `tls.verification_disabled` naming it is written to `log` (every start-up; pass the logger).
  /// Errors: kConfig when a base URL is not an absolute http(s) URL, naming the key
  /// ("configuration: 'ping.base_url' (or REFBRIDGE_PING_BASE_URL): ...").
  static Result<std::unique_ptr<Connections>> create(const WorkflowConfig& config, Logger* log = nullptr);

  /// This run's requests per system and status class and their latency (metrics.h): every
  /// transport call of both connections, token requests included.
  [[nodiscard]] const RequestMetrics& request_metrics() const { return requests_; }

  ApiConnection& ping() { return *ping_; }
  ApiConnection& primero() { return *primero_; }

  Connections(const Connections&) = delete;
  Connections& operator=(const Connections&) = delete;

 private:
  Connections() = default;
  SystemClock clock_;  // token expiry of the OAuth2 and Primero token authenticators
  RequestMetrics requests_;  // filled by the counting transports (connections.cc)
  std::unique_ptr<HttpTransport> ping_transport_;
  std::unique_ptr<HttpTransport> primero_transport_;
  std::unique_ptr<Authenticator> ping_auth_;
  std::unique_ptr<Authenticator> primero_auth_;
  std::unique_ptr<ApiConnection> ping_;
  std::unique_ptr<ApiConnection> primero_;
};

/// `base` with the TLS settings `tls` applied (ca_bundle, client certificate and key, and
/// verify_tls = !insecure_skip_verify).
HttpOptions with_tls(HttpOptions base, const TlsSettings& tls);

}  // namespace refbridge::workflows
