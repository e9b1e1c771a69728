#pragma once
// Authentication strategies applied to each request.
// Primero: HTTP Basic on every call (all versions), or the native login (POST /api/v2/tokens) by
// version: <= 2.10 a JWT sent as "Authorization: Bearer", >= 2.11 a server session (cookies, plus
// X-CSRF-Token on writes) — primero-api-v2.md §2.1-2.4, §2.6, §2.7.
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

/// How the Primero native login authenticates the calls after it (primero-api-v2.md §2.1).
enum class PrimeroLoginMode {
  /// Detected from the first login answer: a "token" in the body -> kJwt; none -> kSession (a
  /// session cookie in that answer is used as it is; a 403/422 refusal of the plain login, or an
  /// answer without a session cookie, -> the §2.4 recipe). The mode found is kept for re-logins.
  kAuto,
  /// Primero 2.0-2.10: POST /api/v2/tokens answers a JWT in "token", sent as "Authorization:
  /// Bearer <jwt>" (§2.2). An answer without a token is refused (kUnauthorized naming 2.11+).
  kJwt,
  /// Primero 2.11+: §2.4 — GET /api/v2/primero (no credentials) for the session and CSRF-TOKEN
  /// cookies, POST /api/v2/tokens with them and "X-CSRF-Token: <CSRF-TOKEN cookie, URL-decoded>";
  /// every later call carries "Cookie: <every cookie received>", and POST/PUT/PATCH/DELETE also
  /// X-CSRF-Token (the CSRF-TOKEN cookie of the login answer, else of the bootstrap answer). No
  /// Authorization header. A login answer with a JWT in "token" is used as kJwt would.
  kSession,
};

/// "auto", "jwt", "session".
std::string_view to_string(PrimeroLoginMode mode) noexcept;

/// The login mode of a Primero version ("2.10", "2.10.3" -> kJwt; "2.11", "2.15.2.1" -> kSession;
/// a leading "v" is accepted). Errors: kConfig for anything but 2.<minor>[.<more>...] (refbridge
/// speaks API v2 only).
Result<PrimeroLoginMode> primero_login_mode_for_version(std::string_view version);

/// Primero native login: POST <base>/api/v2/tokens {"user":{"user_name","password"}} as `mode`
/// says (see PrimeroLoginMode; kAuto by default), caches the credential (a JWT, or the session
/// cookies and CSRF token) and applies it to every call; logs in again after invalidate() (a 401:
/// expired JWT or session; one login for a burst of 401s from concurrent workers).
/// A 429 on login (Primero allows 6 logins per user name and minute, §2.6) gives kRateLimited
/// with retry_after_seconds from Retry-After (60 when absent); no login is attempted again until
/// that wait, measured on `clock` (not owned; nullptr = the system clock), is over.
/// Errors of apply(): kUnauthorized when the login is refused (401, or 403/422 after the §2.4
/// recipe) or when its answer carries neither a token nor a session cookie (identity-provider
/// mode: use Basic); kRateLimited as above; transport errors of the login requests.
/// The password, every token, session cookie value and CSRF token are registered for redaction.
std::unique_ptr<Authenticator> make_primero_token_login(std::string base_url, std::string user,
                                                        std::string password, HttpTransport& transport,
                                                        const Clock* clock = nullptr,
                                                        PrimeroLoginMode mode = PrimeroLoginMode::kAuto);

/// RFC 4648 base64 of `bytes` (used by Basic auth).
std::string base64_encode(std::string_view bytes);

}  // namespace refbridge
