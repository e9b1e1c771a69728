#pragma once
// Builds the transports, authenticators and API connections a workflow needs from its
// configuration. Owns them, so their addresses stay valid for the run.

#include "config.h"
#include "refbridge/api_connection.h"
#include "refbridge/auth.h"
#include "refbridge/http.h"

#include <memory>

namespace refbridge::workflows {

/// PING and Primero connections, one libcurl transport each (connections reused across calls).
/// Not copyable or movable: ApiConnection holds pointers to the members.
class Connections {
 public:
  /// PING: static Bearer token (+ Ocp-Apim-Subscription-Key when configured).
  /// Primero: Basic auth, or the token login of Primero <= 2.10 when `primero.auth: token`.
  /// Errors: kConfig when a base URL is not an absolute http(s) URL.
  static Result<std::unique_ptr<Connections>> create(const WorkflowConfig& config);

  ApiConnection& ping() { return *ping_; }
  ApiConnection& primero() { return *primero_; }

  Connections(const Connections&) = delete;
  Connections& operator=(const Connections&) = delete;

 private:
  Connections() = default;
  std::unique_ptr<HttpTransport> ping_transport_;
  std::unique_ptr<HttpTransport> primero_transport_;
  std::unique_ptr<Authenticator> ping_auth_;
  std::unique_ptr<Authenticator> primero_auth_;
  std::unique_ptr<ApiConnection> ping_;
  std::unique_ptr<ApiConnection> primero_;
};

}  // namespace refbridge::workflows
