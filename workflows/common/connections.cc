// See connections.h.
#include "connections.h"

#include "cancellation.h"

#include "refbridge/oauth2.h"

namespace refbridge::workflows {
namespace {

void warn_if_insecure(Logger* log, const TlsSettings& tls, const char* connection) {
  if (log == nullptr || !tls.insecure_skip_verify) return;
  log->warn("tls.verification_disabled",
            {{LogKey::kMessage, std::string(connection) + ": TLS certificate and host name verification is OFF (" +
                                    connection + ".tls.insecure_skip_tls_verify: true); anyone on the network path "
                                                 "can read and change this traffic"}});
}

}  // namespace

HttpOptions with_tls(HttpOptions base, const TlsSettings& tls) {
  base.ca_bundle = tls.ca_bundle;
  base.client_certificate = tls.client_certificate;
  base.client_key = tls.client_key;
  base.verify_tls = !tls.insecure_skip_verify;
  return base;
}

Result<std::unique_ptr<Connections>> Connections::create(const WorkflowConfig& config, Logger* log) {
  std::unique_ptr<Connections> c(new Connections());
  warn_if_insecure(log, config.ping_tls, "ping");
  warn_if_insecure(log, config.primero_tls, "primero");
  c->ping_transport_ = make_curl_transport(with_tls(config.http, config.ping_tls));
  c->primero_transport_ = make_curl_transport(with_tls(config.http, config.primero_tls));
  if (config.ping_auth == PingAuthMode::kOAuth2) {
    c->ping_auth_ = make_oauth2_client_credentials(config.ping_oauth2, *c->ping_transport_, c->clock_);
  } else {
    c->ping_auth_ = make_static_bearer(config.ping_token, config.ping_subscription_key);
  }
  if (config.primero_auth == PrimeroAuthMode::kToken) {
    c->primero_auth_ = make_primero_token_login(config.primero_base_url, config.primero_user, config.primero_password,
                                                *c->primero_transport_, &c->clock_, config.primero_login);
  } else {
    c->primero_auth_ = make_basic_auth(config.primero_user, config.primero_password);
  }
  // In-call retries per `retry:`; waits end at once when the run is cancelled (cancellation.h).
  const RetrySettings retry{.policy = config.retry, .cancel = &run_cancellation(), .log = log};
  REFBRIDGE_TRY(auto ping, ApiConnection::create(config.ping_base_url, *c->ping_transport_, *c->ping_auth_, retry));
  REFBRIDGE_TRY(auto primero,
                ApiConnection::create(config.primero_base_url, *c->primero_transport_, *c->primero_auth_, retry));
  c->ping_ = std::make_unique<ApiConnection>(std::move(ping));
  c->primero_ = std::make_unique<ApiConnection>(std::move(primero));
  c->ping_->set_system("PING");
  c->primero_->set_system("Primero");
  return c;
}

}  // namespace refbridge::workflows
