#pragma once
// OAuth 2.0 client credentials grant (RFC 6749 §4.4) for PING's token endpoint
// (`POST /oauth2/token`, ping-api.md "token"): the access token is fetched on first use, cached,
// fetched again ahead of its expiry and once after a 401, and sent as "Authorization: Bearer".
// Client authentication (RFC 6749 §2.3.1): HTTP Basic with the form-encoded client id and secret
// (the default, which every server must support), or the two in the request body.
// Secrets: the client secret, its Basic form and every access token received are registered
// with redaction (redaction.h); error messages name HTTP statuses and OAuth error codes only.

#include "refbridge/auth.h"
#include "refbridge/error.h"
#include "refbridge/http.h"
#include "refbridge/time.h"

#include <chrono>
#include <memory>
#include <string>

namespace refbridge {

/// How the client proves its identity to the token endpoint.
enum class OAuth2ClientAuth {
  kBasic,  ///< "Authorization: Basic base64(form(client_id):form(client_secret))"
  kBody,   ///< client_id and client_secret as form members of the token request
};

struct OAuth2ClientCredentials {
  std::string token_url;      ///< absolute http(s) URL of the token endpoint
  std::string client_id;
  std::string client_secret;  ///< secret (from the environment, secrets.h)
  std::string scope;          ///< space-separated scopes; empty = no scope member sent
  OAuth2ClientAuth client_auth = OAuth2ClientAuth::kBasic;
  /// A token is fetched again this long before it expires (at most half its lifetime, so a
  /// short-lived token is still used). Unit: seconds.
  std::chrono::seconds refresh_margin{60};
  /// Sent as "Ocp-Apim-Subscription-Key" on every call (and on the token request) when not empty.
  std::string subscription_key;
};

/// An Authenticator for the settings above. `transport` (for the token requests) and `clock`
/// (expiry bookkeeping) are not owned and must outlive it. Thread-safe: concurrent apply() calls
/// share one token and one fetch at a time; a burst of 401s causes one new fetch.
/// apply() errors: kConfig (token_url not an absolute http(s) URL, empty client id or secret);
/// kUnauthorized (the endpoint answered 400/401, message with the OAuth error code, or 2xx
/// without a usable Bearer access_token); kRateLimited with retry_after_seconds (429: no further
/// token request until that wait is over; 60 s when the server sends no Retry-After);
/// kServerError / kHttp for other statuses; transport errors unchanged.
std::unique_ptr<Authenticator> make_oauth2_client_credentials(OAuth2ClientCredentials settings, HttpTransport& transport,
                                                              const Clock& clock);

}  // namespace refbridge
