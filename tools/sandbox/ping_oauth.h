#pragma once
// The sandbox PING's OAuth 2.0 token endpoint (ping-api.md "token": POST /oauth2/token, client
// credentials, RFC 6749 §4.4) and the check of the access tokens it issued. Internal to the
// sandbox; enabled by SandboxOptions::ping_oauth.
//
// Token request: `application/x-www-form-urlencoded` body with grant_type=client_credentials
// (and an optional scope, ignored); the client authenticates with HTTP Basic (form-encoded id and
// secret, RFC 6749 §2.3.1) or with client_id/client_secret body members, not both.
// Answers: 200 {"access_token","token_type":"Bearer","expires_in":<lifetime seconds>} with
// Cache-Control: no-store; 400 {"error":"invalid_request"|"unsupported_grant_type"};
// 401 {"error":"invalid_client"} with WWW-Authenticate: Basic; 405 for another method.
// Tokens are random, live `token_lifetime_seconds` of real time, and can all be revoked at once
// (a test's "401 mid-run"). Thread-safe.

#include "support.h"

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace refbridge::sandbox {

/// Settings of the sandbox PING's token endpoint.
struct PingOAuthOptions {
  std::string client_id = "refbridge";
  std::string client_secret;       ///< required (kConfig from Sandbox::start when empty)
  int token_lifetime_seconds = 3600;  ///< expires_in of every token, >= 1
};

class PingOAuth {
 public:
  static constexpr const char* kTokenPath = "/oauth2/token";

  explicit PingOAuth(PingOAuthOptions options) : options_(std::move(options)) {}

  /// For a request to kTokenPath: the token endpoint's answer. For any other request: a 401
  /// problem unless its Authorization is "Bearer <a live token issued here>" (or `static_token`,
  /// when not empty), else std::nullopt (the request may proceed).
  std::optional<detail::ApiResponse> gate(const detail::ApiRequest& request, const std::string& static_token);

  /// Makes every token issued so far invalid (the next call with one gets 401).
  void revoke_all();
  /// Tokens issued so far.
  [[nodiscard]] int issued() const { return issued_.load(); }
  /// API requests refused with 401 so far (missing, unknown, expired or revoked token).
  [[nodiscard]] int refused() const { return refused_.load(); }

 private:
  detail::ApiResponse token_endpoint(const detail::ApiRequest& request);
  bool live(const std::string& authorization);

  PingOAuthOptions options_;
  std::mutex mutex_;
  std::map<std::string, std::chrono::steady_clock::time_point> tokens_;  // token -> expiry; guarded by mutex_
  std::atomic<int> issued_{0};
  std::atomic<int> refused_{0};
};

}  // namespace refbridge::sandbox
