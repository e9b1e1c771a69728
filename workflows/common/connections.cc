// See connections.h.
#include "connections.h"

namespace refbridge::workflows {

Result<std::unique_ptr<Connections>> Connections::create(const WorkflowConfig& config) {
  std::unique_ptr<Connections> c(new Connections());
  c->ping_transport_ = make_curl_transport(config.http);
  c->primero_transport_ = make_curl_transport(config.http);
  c->ping_auth_ = make_static_bearer(config.ping_token, config.ping_subscription_key);
  if (config.primero_auth == PrimeroAuthMode::kToken) {
    c->primero_auth_ = make_primero_token_login(config.primero_base_url, config.primero_user, config.primero_password,
                                                *c->primero_transport_);
  } else {
    c->primero_auth_ = make_basic_auth(config.primero_user, config.primero_password);
  }
  REFBRIDGE_TRY(auto ping, ApiConnection::create(config.ping_base_url, *c->ping_transport_, *c->ping_auth_));
  REFBRIDGE_TRY(auto primero, ApiConnection::create(config.primero_base_url, *c->primero_transport_, *c->primero_auth_));
  c->ping_ = std::make_unique<ApiConnection>(std::move(ping));
  c->primero_ = std::make_unique<ApiConnection>(std::move(primero));
  return c;
}

}  // namespace refbridge::workflows
