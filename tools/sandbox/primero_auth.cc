// Primero authentication: Basic, ≤2.10-style Bearer tokens from POST /api/v2/tokens (§2). See primero_store.h.
#include "primero_http.h"
#include "primero_store.h"

namespace refbridge::sandbox::detail {

namespace {

constexpr std::string_view kSignIn = "You need to sign in or sign up before continuing.";
constexpr std::string_view kBadLogin = "Invalid User name or password.";
constexpr auto kTokenLifetime = std::chrono::minutes(60);

}  // namespace

std::string PrimeroStore::issue_token() {
  // A JWT-shaped opaque token (header.payload.signature); only this server can check it.
  const auto now = now_ms();
  const auto iat = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::string payload = R"({"sub":"1","scp":"user","iat":)" + std::to_string(iat) + R"(,"exp":)" +
                              std::to_string(iat + 3600) + R"(,"jti":")" + random_uuid() + "\"}";
  std::string token = base64url_encode(R"({"alg":"HS256"})") + "." + base64url_encode(payload) + "." +
                      base64url_encode(random_uuid() + random_uuid());
  tokens_[token] = now + kTokenLifetime;
  return token;
}

std::optional<std::string> PrimeroStore::authenticate(const ApiRequest& request, ApiResponse& unauthorized) {
  if (password_.empty()) return user_;
  const std::string& h = request.authorization;
  const std::string scheme = lower(h.substr(0, h.find(' ')));
  const std::string cred = h.find(' ') == std::string::npos ? "" : trim(h.substr(h.find(' ') + 1));
  if (scheme == "basic") {
    auto decoded = base64_decode(cred);
    const auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon != std::string::npos && lower(trim(decoded->substr(0, colon))) == lower(user_) &&
        secure_equals(decoded->substr(colon + 1), password_)) {
      return user_;
    }
  } else if (scheme == "bearer") {
    std::lock_guard lock(mutex_);
    auto it = tokens_.find(cred);
    if (it != tokens_.end() && it->second > now_ms()) return user_;
    if (it != tokens_.end()) {
      tokens_.erase(it);
      unauthorized = devise_401("Signature has expired");
      return std::nullopt;
    }
  }
  unauthorized = devise_401(kSignIn);
  return std::nullopt;
}

ApiResponse PrimeroStore::login(const ApiRequest& request) {
  rapidjson::Document body;
  const bool has_body = !trim(request.body).empty();
  std::optional<std::string> name;
  if (has_body) {
    if (parse_json(request.body, body) || !body.IsObject()) return devise_401(kBadLogin);
    const auto* user = find_member(body, "user");
    if (user == nullptr || !user->IsObject()) return devise_401(kBadLogin);
    auto user_name = string_member(*user, "user_name");
    auto password = string_member(*user, "password");
    if (!user_name || !password || lower(trim(*user_name)) != lower(user_) ||
        (!password_.empty() && !secure_equals(*password, password_))) {
      return devise_401(kBadLogin);
    }
    name = user_;
  } else {
    // Refresh: a still-valid credential and no body.
    ApiResponse unauthorized;
    name = authenticate(request, unauthorized);
    if (!name) return unauthorized;
  }
  std::string token;
  {
    std::lock_guard lock(mutex_);
    token = issue_token();
  }
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("id", 1, a);
  d.AddMember("user_name", str_value(*name, a), a);
  d.AddMember("token", str_value(token, a), a);
  ApiResponse r;
  r.body = to_json(d);
  r.headers.emplace_back("Authorization", "Bearer " + token);
  return r;
}
}  // namespace refbridge::sandbox::detail
