// See connections.h.
#include "connections.h"

#include "cancellation.h"

#include "refbridge/oauth2.h"

#include <chrono>

namespace refbridge::workflows {
namespace {

void warn_if_insecure(Logger* log, const TlsSettings& tls, const char* connection) {
  if (log == nullptr || !tls.insecure_skip_verify) return;
  log->warn("tls.verification_disabled",
            {{LogKey::kMessage, std::string(connection) + ": TLS certificate and host name verification is OFF (" +
                                    connection + ".tls.insecure_skip_tls_verify: true); anyone on the network path "
                                                 "can read and change this traffic"}});
}

/// Counts every request of the wrapped transport into RequestMetrics (metrics.h): system, status
/// class (or "error" when no answer came) and latency. Adds nothing to the request.
class CountingTransport final : public HttpTransport {
 public:
  CountingTransport(std::unique_ptr<HttpTransport> inner, RequestMetrics& metrics, std::string system)
      : inner_(std::move(inner)), metrics_(metrics), system_(std::move(system)) {}

  Result<HttpResponse> send(const HttpRequest& request) override {
    const auto start = std::chrono::steady_clock::now();
    auto response = inner_->send(request);
    metrics_.observe(system_, response ? response.value().status : 0, std::chrono::steady_clock::now() - start);
    return response;
  }

 private:
  std::unique_ptr<HttpTransport> inner_;
  RequestMetrics& metrics_;
  std::string system_;
};

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
  // The caps (refbridge/http_limits.h) outside the counting, so latency metrics leave out the wait.
  c->ping_transport_ = make_limited_transport(
      std::make_unique<CountingTransport>(make_curl_transport(with_tls(config.http, config.ping_tls)), c->requests_, "ping"),
      config.ping_limits);
  c->primero_transport_ = make_limited_transport(
      std::make_unique<CountingTransport>(make_curl_transport(with_tls(config.http, config.primero_tls)), c->requests_,
                                          "primero"),
      config.primero_limits);
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
  // A bad base URL names its key (and the variable that may have set it), not only the URL rule.
  auto named = [](Error e, const char* key, const char* variable) {
    e.message = "configuration: '" + std::string(key) + "' (or " + variable + "): " + e.message;
    return e;
  };
  auto ping = ApiConnection::create(config.ping_base_url, *c->ping_transport_, *c->ping_auth_, retry);
  if (!ping) return named(ping.error(), "ping.base_url", "REFBRIDGE_PING_BASE_URL");
  auto primero = ApiConnection::create(config.primero_base_url, *c->primero_transport_, *c->primero_auth_, retry);
  if (!primero) return named(primero.error(), "primero.base_url", "REFBRIDGE_PRIMERO_BASE_URL");
  c->ping_ = std::make_unique<ApiConnection>(std::move(ping.value()));
  c->primero_ = std::make_unique<ApiConnection>(std::move(primero.value()));
  c->ping_->set_system("PING");
  c->primero_->set_system("Primero");
  return c;
}

}  // namespace refbridge::workflows
