// The sandbox PING's OAuth2 token endpoint. See ping_oauth.h.
#include "ping_oauth.h"

#include "ping_http.h"

#include <rapidjson/document.h>

#include <cctype>

namespace refbridge::sandbox {
namespace {

using detail::ApiRequest;
using detail::ApiResponse;

/// application/x-www-form-urlencoded: '+' is a space, then %XX escapes.
std::map<std::string, std::string> parse_form(const std::string& body) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start <= body.size()) {
    auto end = body.find('&', start);
    if (end == std::string::npos) end = body.size();
    std::string pair = body.substr(start, end - start);
    for (char& ch : pair) ch = ch == '+' ? ' ' : ch;
    const auto eq = pair.find('=');
    if (!pair.empty()) {
      out[detail::percent_decode(pair.substr(0, eq))] = eq == std::string::npos ? "" : detail::percent_decode(pair.substr(eq + 1));
    }
    start = end + 1;
  }
  return out;
}

ApiResponse oauth_error(int status, const char* error) {
  ApiResponse r;
  r.status = status;
  r.body = std::string(R"({"error":")") + error + "\"}";
  r.headers.emplace_back("Cache-Control", "no-store");
  if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"PING token\"");
  return r;
}

/// The client id and secret from "Basic base64(form(id):form(secret))", if that is the header.
std::optional<std::pair<std::string, std::string>> basic_credentials(const std::string& authorization) {
  if (authorization.size() < 6) return std::nullopt;
  std::string scheme = authorization.substr(0, 6);
  for (char& ch : scheme) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (scheme != "basic ") return std::nullopt;
  auto decoded = detail::base64_decode(authorization.substr(6));
  if (!decoded) return std::nullopt;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return std::make_pair(detail::percent_decode(decoded->substr(0, colon)), detail::percent_decode(decoded->substr(colon + 1)));
}

}  // namespace

ApiResponse PingOAuth::token_endpoint(const ApiRequest& request) {
  if (request.method != "POST") {
    auto r = oauth_error(405, "invalid_request");
    r.headers.emplace_back("Allow", "POST");
    return r;
  }
  const auto form = parse_form(request.body);
  auto basic = basic_credentials(request.authorization);
  const bool in_body = form.count("client_id") > 0 || form.count("client_secret") > 0;
  if (basic && in_body) return oauth_error(400, "invalid_request");  // RFC 6749 §2.3: one method only
  auto grant = form.find("grant_type");
  if (grant == form.end()) return oauth_error(400, "invalid_request");
  if (grant->second != "client_credentials") return oauth_error(400, "unsupported_grant_type");
  std::pair<std::string, std::string> client;
  if (basic) {
    client = *basic;
  } else if (in_body) {
    client = {form.count("client_id") ? form.at("client_id") : "", form.count("client_secret") ? form.at("client_secret") : ""};
  } else {
    return oauth_error(401, "invalid_client");
  }
  if (!detail::secure_equals(client.first, options_.client_id) || !detail::secure_equals(client.second, options_.client_secret)) {
    return oauth_error(401, "invalid_client");
  }
  const std::string token = detail::random_uuid() + detail::random_uuid();
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    for (auto it = tokens_.begin(); it != tokens_.end();) it = it->second <= now ? tokens_.erase(it) : std::next(it);
    tokens_[token] = now + std::chrono::seconds(options_.token_lifetime_seconds);
  }
  ++issued_;
  ApiResponse r;
  r.body = R"({"access_token":")" + token + R"(","token_type":"Bearer","expires_in":)" +
           std::to_string(options_.token_lifetime_seconds) + "}";
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

bool PingOAuth::live(const std::string& authorization) {
  std::lock_guard lock(mutex_);
  for (const auto& [token, expiry] : tokens_) {
    if (detail::bearer_matches(authorization, token)) return std::chrono::steady_clock::now() < expiry;
  }
  return false;
}

std::optional<ApiResponse> PingOAuth::gate(const ApiRequest& request, const std::string& static_token) {
  if (request.raw_path == kTokenPath) return token_endpoint(request);
  if (live(request.authorization)) return std::nullopt;
  if (!static_token.empty() && detail::bearer_matches(request.authorization, static_token)) return std::nullopt;
  ++refused_;
  auto r = detail::problem(401, "a valid Bearer token is required", request.raw_path);
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"PING\", error=\"invalid_token\"");
  return r;
}

void PingOAuth::revoke_all() {
  std::lock_guard lock(mutex_);
  tokens_.clear();
}

}  // namespace refbridge::sandbox
