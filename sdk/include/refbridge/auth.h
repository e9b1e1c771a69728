#pragma once
// Authentication strategies applied to each request.
// Primero: HTTP Basic on every call (all versions), or the token login of versions <= 2.10
// (POST /api/v2/tokens, then "Authorization: Bearer <token>") — primero-api-v2.md §2.1-2.2.
// PING: a Bearer token from configuration — ping-api.md; optional Ocp-Apim-Subscription-Key header.
// Secrets are held here only; they are never logged or put in error messages.

#include "refbridge/error.h"
#include "refbridge/http.h"

#include <memory>
#include <string>

namespace refbridge {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  /// Adds credentials to `request`. Errors: kUnauthorized when a login fails, kConfig when a
  /// credential is missing; transport errors from a login request are passed through.
  virtual Result<void> apply(HttpRequest& request) = 0;
  /// Called after a 401: drop any cached token so that the next apply() logs in again.
  /// Returns true when a retry may succeed (a token was dropped), false for static credentials.
  virtual bool invalidate() { return false; }
};

/// "Authorization: Basic base64(user:password)".
std::unique_ptr<Authenticator> make_basic_auth(std::string user, std::string password);

/// "Authorization: Bearer <token>" with a fixed token; `subscription_key`, when not empty, is
/// sent as "Ocp-Apim-Subscription-Key" (DTP/APIM heritage, ping-api.md).
std::unique_ptr<Authenticator> make_static_bearer(std::string token, std::string subscription_key = {});

/// Primero <= 2.10 token login: POST <base>/api/v2/tokens {"user":{"user_name","password"}},
/// reads "token" from the body, caches it and sends it as Bearer; logs in again after invalidate().
std::unique_ptr<Authenticator> make_primero_token_login(std::string base_url, std::string user,
                                                        std::string password, HttpTransport& transport);

/// RFC 4648 base64 of `bytes` (used by Basic auth).
std::string base64_encode(std::string_view bytes);

}  // namespace refbridge
