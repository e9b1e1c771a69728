// OAuth 2.0 client credentials. See refbridge/oauth2.h.
#include "refbridge/oauth2.h"

#include "auth_support.h"
#include "refbridge/redaction.h"
#include "refbridge/url.h"
#include "token_cache.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>

namespace refbridge {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string string_member(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject() || !obj.HasMember(key) || !obj[key].IsString()) return {};
  return std::string(obj[key].GetString(), obj[key].GetStringLength());
}

/// An error for a non-200 answer of the token endpoint (RFC 6749 §5.2 body: {"error", "error_description"}).
Error token_refusal(const HttpResponse& response) {
  const int status = response.status;
  if (status == 429) {
    Error e = make_error(ErrorCode::kRateLimited, "OAuth2 token endpoint throttled the token request", status);
    e.retry_after_seconds = detail::retry_after_seconds(response, detail::kDefaultLoginWaitSeconds);
    return e;
  }
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(response.body.c_str(), response.body.size());  // no recursion on deep bodies
  std::string detail = doc.HasParseError() ? std::string() : string_member(doc, "error");
  if (const auto description = doc.HasParseError() ? std::string() : string_member(doc, "error_description");
      !description.empty()) {
    detail += (detail.empty() ? "" : ": ") + description.substr(0, 200);
  }
  const std::string message = "OAuth2 token request refused (HTTP " + std::to_string(status) + ")" +
                              (detail.empty() ? std::string() : ": " + detail);
  if (status == 400 || status == 401 || status == 403) return make_error(ErrorCode::kUnauthorized, message, status);
  return make_error(status >= 500 ? ErrorCode::kServerError : ErrorCode::kHttp, message, status);
}

class OAuth2ClientCredentialsAuth final : public Authenticator {
 public:
  OAuth2ClientCredentialsAuth(OAuth2ClientCredentials s, HttpTransport& transport, const Clock& clock)
      : s_(std::move(s)), transport_(&transport), clock_(&clock), cache_(clock) {
    register_secret(s_.subscription_key);
    register_basic_credentials(detail::form_encode(s_.client_id), detail::form_encode(s_.client_secret));
  }

  Result<void> apply(HttpRequest& request) override {
    REFBRIDGE_TRY(auto token, cache_.get([this] { return fetch(); }));
    detail::set_header(request, "Authorization", "Bearer " + token);
    if (!s_.subscription_key.empty()) detail::set_header(request, "Ocp-Apim-Subscription-Key", s_.subscription_key);
    return ok();
  }

  bool invalidate() override { return cache_.invalidate(); }

 private:
  Result<HttpRequest> token_request() const {
    if (s_.client_id.empty() || s_.client_secret.empty()) {
      return make_error(ErrorCode::kConfig, "OAuth2 client credentials need a client id and a client secret");
    }
    REFBRIDGE_TRY(auto url, UrlBuilder::from_base(s_.token_url));
    HttpRequest req;
    req.method = HttpMethod::kPost;
    req.url = url.str();
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    std::string body = "grant_type=client_credentials";
    if (!s_.scope.empty()) body += "&scope=" + detail::form_encode(s_.scope);
    if (s_.client_auth == OAuth2ClientAuth::kBody) {
      body += "&client_id=" + detail::form_encode(s_.client_id) + "&client_secret=" + detail::form_encode(s_.client_secret);
    } else {
      detail::set_header(req, "Authorization", "Basic " + base64_encode(detail::form_encode(s_.client_id) + ":" +
                                                                        detail::form_encode(s_.client_secret)));
    }
    if (!s_.subscription_key.empty()) detail::set_header(req, "Ocp-Apim-Subscription-Key", s_.subscription_key);
    req.body = std::move(body);
    return req;
  }

  // Called by the cache under its lock: one token request at a time.
  Result<detail::FetchedToken> fetch() {
    REFBRIDGE_TRY(auto req, token_request());
    const auto requested_at = clock_->now();
    REFBRIDGE_TRY(auto resp, transport_->send(req));
    if (resp.status != 200) return token_refusal(resp);
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(resp.body.c_str(), resp.body.size());  // no recursion on deep bodies
    const std::string token = doc.HasParseError() ? std::string() : string_member(doc, "access_token");
    if (token.empty()) {
      return make_error(ErrorCode::kUnauthorized, "OAuth2 token endpoint answered without an access_token", resp.status);
    }
    register_secret(token);  // before anything could echo it
    if (!iequals(string_member(doc, "token_type"), "bearer")) {
      return make_error(ErrorCode::kUnauthorized, "OAuth2 token endpoint answered a token_type other than Bearer",
                        resp.status);
    }
    detail::FetchedToken fetched{token, std::nullopt, std::nullopt};
    if (doc.HasMember("expires_in") && doc["expires_in"].IsNumber() && doc["expires_in"].GetDouble() > 0) {
      const auto lifetime = std::chrono::milliseconds(static_cast<std::int64_t>(doc["expires_in"].GetDouble() * 1000));
      const auto margin = std::min<std::chrono::milliseconds>(s_.refresh_margin, lifetime / 2);
      fetched.expires_at = requested_at + lifetime;
      fetched.refresh_at = requested_at + lifetime - margin;
    }
    return fetched;
  }

  OAuth2ClientCredentials s_;
  HttpTransport* transport_;
  const Clock* clock_;
  detail::TokenCache cache_;
};

}  // namespace

std::unique_ptr<Authenticator> make_oauth2_client_credentials(OAuth2ClientCredentials settings, HttpTransport& transport,
                                                              const Clock& clock) {
  return std::make_unique<OAuth2ClientCredentialsAuth>(std::move(settings), transport, clock);
}

}  // namespace refbridge
