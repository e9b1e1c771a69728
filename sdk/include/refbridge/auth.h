#pragma once
// Authentication strategies applied to each request.
// Primero: HTTP Basic on every call (all versions), or the token login of versions <= 2.10
// (POST /api/v2/tokens, then "Authorization: Bearer <token>") — primero-api-v2.md §2.1-2.2, §2.6.
// PING: a static Bearer token from configuration, or OAuth2 client credentials (oauth2.h) —
// ping-api.md "token"; optional Ocp-Apim-Subscription-Key header (DTP/APIM heritage).
// Secrets are held here only; every one (and the Basic header's base64 form, and every login
// token received) is registered with redaction (redaction.h) when the authenticator is made, so
// no log line, report, error message or ledger row can show it.

#include "refbridge/error.h"
#include "refbridge/http.h"
#include "refbridge/time.h"

#include <memory>
#include <string>

namespace refbridge {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  /// Adds credentials to `request`. Errors: kUnauthorized when a login fails, kRateLimited (with
  /// retry_after_seconds) when a login is throttled, kConfig when a credential is missing;
  /// transport errors from a login request are passed through.
  virtual Result<void> apply(HttpRequest& request) = 0;
  /// Called after a 401: drop any cached token so that the next apply() logs in again.
  /// Returns true when a retry may succeed (a token was dropped), false for static credentials.
  virtual bool invalidate() { return false; }
};

/// "Authorization: Basic base64(user:password)" (RFC 7617).
std::unique_ptr<Authenticator> make_basic_auth(std::string user, std::string password);

/// "Authorization: Bearer <token>" with a fixed token; `subscription_key`, when not empty, is
/// sent as "Ocp-Apim-Subscription-Key" (DTP/APIM heritage, ping-api.md).
std::unique_ptr<Authenticator> make_static_bearer(std::string token, std::string subscription_key = {});

/// Primero <= 2.10 token login: POST <base>/api/v2/tokens {"user":{"user_name","password"}},
/// reads "token" from the body, caches it and sends it as Bearer; logs in again after
/// invalidate() (one login for a burst of 401s from concurrent workers).
/// A 429 on login (Primero allows 6 logins per user name and minute, §2.6) gives kRateLimited
/// with retry_after_seconds from Retry-After (60 when absent); no login is attempted again until
/// that wait, measured on `clock` (not owned; nullptr = the system clock), is over.
std::unique_ptr<Authenticator> make_primero_token_login(std::string base_url, std::string user,
                                                        std::string password, HttpTransport& transport,
                                                        const Clock* clock = nullptr);

/// RFC 4648 base64 of `bytes` (used by Basic auth).
std::string base64_encode(std::string_view bytes);

}  // namespace refbridge
