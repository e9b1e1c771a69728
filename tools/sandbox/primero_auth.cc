// Primero authentication by version (primero-api-v2.md §2): HTTP Basic (every version), ≤2.10
// Bearer JWTs from POST /api/v2/tokens, 2.11+ server sessions (cookie _app_session + CSRF-TOKEN,
// X-CSRF-Token on writes), the login throttle and the lockout (§2.7). See primero_store.h.
#include "primero_http.h"
#include "primero_store.h"

#include <algorithm>

namespace refbridge::sandbox::detail {

namespace {

constexpr std::string_view kSignIn = "You need to sign in or sign up before continuing.";
constexpr std::string_view kBadLogin = "Invalid User name or password.";
constexpr std::string_view kSessionExpired = "Your session expired. Please sign in again to continue.";
constexpr std::string_view kBadCsrf = "Can't verify CSRF token authenticity.";
constexpr std::string_view kSessionCookie = "_app_session";
constexpr std::string_view kCsrfCookie = "CSRF-TOKEN";
constexpr auto kTokenLifetime = std::chrono::minutes(60);
constexpr auto kSessionTimeout = std::chrono::minutes(60);  // PRIMERO_NATIVE_SESSION_TIMEOUT default
constexpr auto kLockDuration = std::chrono::minutes(30);
constexpr int kMaxFailedAttempts = 6;
constexpr int kLoginsPerMinute = 6;
constexpr std::size_t kMaxSessions = 10000;

std::string new_secret() { return base64url_encode(random_uuid() + random_uuid()); }

void set_session_cookies(ApiResponse& r, const std::string& session_id, const std::string& csrf) {
  r.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=" + session_id + "; path=/; HttpOnly; SameSite=Lax");
  r.headers.emplace_back("Set-Cookie", std::string(kCsrfCookie) + "=" + csrf + "; path=/; SameSite=Lax");
}

}  // namespace

std::optional<std::pair<int, int>> parse_primero_version(std::string_view version) {
  int parts[2] = {0, 0};
  std::size_t i = 0;
  for (int p = 0; p < 2; ++p) {
    const std::size_t start = i;
    while (i < version.size() && version[i] >= '0' && version[i] <= '9' && i - start < 6) {
      parts[p] = parts[p] * 10 + (version[i] - '0');
      ++i;
    }
    if (i == start) return std::nullopt;
    if (p == 0) {
      if (i >= version.size() || version[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (i < version.size() && version[i] != '.' && version[i] != '-') return std::nullopt;
  return std::make_pair(parts[0], parts[1]);
}

bool PrimeroStore::session_mode() const { return version_number_ >= std::make_pair(2, 11); }

std::string PrimeroStore::cookie_value(const std::string& header, std::string_view name) {
  std::string_view rest(header);
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    std::string_view part = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    const auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) return percent_decode(part.substr(eq + 1));
  }
  return {};
}

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

bool PrimeroStore::check_password(const std::string& user_name, const std::string& password) {
  if (lower(trim(user_name)) != lower(user_)) return false;  // unknown users have no lock (paranoid: same answer)
  const auto now = now_ms();
  if (!relaxed_login_ && locked_until_ > now) return false;
  if (secure_equals(password, password_)) {
    failed_attempts_ = 0;
    return true;
  }
  if (!relaxed_login_ && ++failed_attempts_ >= kMaxFailedAttempts) {
    locked_until_ = now + kLockDuration;
    failed_attempts_ = 0;
  }
  return false;
}

std::optional<ApiResponse> PrimeroStore::throttle_login(const std::string& user_name) {
  if (relaxed_login_) return std::nullopt;
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now_ms().time_since_epoch()).count();
  const long long minute = now_s / 60;
  auto& [window, count] = login_counts_[lower(trim(user_name))];
  if (window != minute) {
    window = minute;
    count = 0;
  }
  if (++count <= kLoginsPerMinute) return std::nullopt;
  ApiResponse r;
  r.status = 429;
  r.content_type = "text/plain";
  r.body = "Retry later\n";
  r.headers.emplace_back("Retry-After", std::to_string(std::max<long long>(1, (minute + 1) * 60 - now_s)));
  return r;
}

std::optional<std::string> PrimeroStore::authenticate(const ApiRequest& request, ApiResponse& unauthorized, bool* via_session) {
  if (via_session != nullptr) *via_session = false;
  if (password_.empty()) return user_;
  const std::string& h = request.authorization;
  const std::string scheme = lower(h.substr(0, h.find(' ')));
  const std::string cred = h.find(' ') == std::string::npos ? "" : trim(h.substr(h.find(' ') + 1));
  std::lock_guard lock(auth_mutex_);
  if (scheme == "basic") {
    // Basic skips sessions and CSRF in every version (§2.1); its failures count toward the lockout.
    auto decoded = base64_decode(cred);
    const auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon != std::string::npos && check_password(decoded->substr(0, colon), decoded->substr(colon + 1))) return user_;
  } else if (scheme == "bearer" && !session_mode()) {
    auto it = tokens_.find(cred);
    if (it != tokens_.end() && it->second > now_ms()) return user_;
    if (it != tokens_.end()) {
      tokens_.erase(it);
      unauthorized = devise_401("Signature has expired");
      return std::nullopt;
    }
  } else if (h.empty() && session_mode()) {
    const auto id = cookie_value(request.cookie, kSessionCookie);
    auto it = id.empty() ? sessions_.end() : sessions_.find(id);
    if (it != sessions_.end() && !it->second.user.empty()) {
      const auto now = now_ms();
      if (now - it->second.last_seen > kSessionTimeout) {
        sessions_.erase(it);
        unauthorized = devise_401(kSessionExpired);
        return std::nullopt;
      }
      it->second.last_seen = now;
      if (via_session != nullptr) *via_session = true;
      return it->second.user;
    }
  }
  unauthorized = devise_401(kSignIn);
  return std::nullopt;
}

std::optional<ApiResponse> PrimeroStore::check_csrf(const ApiRequest& request) {
  std::lock_guard lock(auth_mutex_);
  auto it = sessions_.find(cookie_value(request.cookie, kSessionCookie));
  if (it != sessions_.end() && !request.csrf_token.empty() && secure_equals(request.csrf_token, it->second.csrf)) {
    return std::nullopt;
  }
  return error(403, request.raw_path, kBadCsrf);
}

ApiResponse PrimeroStore::bootstrap(const ApiRequest& request) {
  ApiResponse r;
  r.body = R"({"data":{"sandbox_ui":false,"config_ui":"","locales":["en"],"allow_self_registration":false,)"
           R"("webpush_enabled":false,"agencies":[]}})";
  if (!session_mode()) return r;
  std::lock_guard lock(auth_mutex_);
  const auto now = now_ms();
  auto id = cookie_value(request.cookie, kSessionCookie);
  auto it = id.empty() ? sessions_.end() : sessions_.find(id);
  if (it == sessions_.end()) {
    if (sessions_.size() >= kMaxSessions) {
      std::erase_if(sessions_, [&](const auto& s) { return now - s.second.last_seen > kSessionTimeout || s.second.user.empty(); });
    }
    id = new_secret();
    it = sessions_.emplace(id, Session{{}, new_secret(), now}).first;
  }
  set_session_cookies(r, id, it->second.csrf);
  return r;
}

ApiResponse PrimeroStore::login(const ApiRequest& request) {
  rapidjson::Document body;
  const bool has_body = !trim(request.body).empty();
  std::optional<std::string> user_name;
  std::optional<std::string> password;
  if (has_body) {
    if (parse_json(request.body, body) || !body.IsObject()) return devise_401(kBadLogin);
    const auto* user = find_member(body, "user");
    if (user == nullptr || !user->IsObject()) return devise_401(kBadLogin);
    user_name = string_member(*user, "user_name");
    password = string_member(*user, "password");
    std::lock_guard lock(auth_mutex_);
    if (user_name) {
      if (auto throttled = throttle_login(*user_name)) return *throttled;
    }
  }

  ApiResponse r;
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("id", 1, a);
  if (!session_mode()) {
    // ≤2.10: a JWT in the body and in the Authorization header (§2.2).
    std::string name;
    if (has_body) {
      std::lock_guard lock(auth_mutex_);
      if (!user_name || !password || (!password_.empty() && !check_password(*user_name, *password)) ||
          (password_.empty() && lower(trim(*user_name)) != lower(user_))) {
        return devise_401(kBadLogin);
      }
      name = user_;
    } else {
      ApiResponse unauthorized;  // refresh: a still-valid credential and no body
      auto who = authenticate(request, unauthorized);
      if (!who) return unauthorized;
      name = *who;
    }
    std::string token;
    {
      std::lock_guard lock(auth_mutex_);
      token = issue_token();
    }
    d.AddMember("user_name", str_value(name, a), a);
    d.AddMember("token", str_value(token, a), a);
    r.body = to_json(d);
    r.headers.emplace_back("Authorization", "Bearer " + token);
    r.headers.emplace_back("Set-Cookie", "primero_token=" + token + "; path=/; HttpOnly; SameSite=Strict");
    return r;
  }

  // 2.11+: a server session; the body carries no token (§2.1, §2.2, §2.4).
  if (!has_body) {
    ApiResponse unauthorized;  // refresh: a live session (or Basic) keeps the credential
    bool via_session = false;
    auto who = authenticate(request, unauthorized, &via_session);
    if (!who) return unauthorized;
    if (via_session) {
      if (auto bad = check_csrf(request)) return *bad;
    }
    d.AddMember("user_name", str_value(*who, a), a);
    if (version_number_ >= std::make_pair(2, 14)) d.AddMember("group_permission", "all", a);
    r.body = to_json(d);
    return r;
  }
  std::lock_guard lock(auth_mutex_);
  // A login that brings the session of GET /api/v2/primero must bring its CSRF token too.
  const auto pre_id = cookie_value(request.cookie, kSessionCookie);
  auto pre = pre_id.empty() ? sessions_.end() : sessions_.find(pre_id);
  if (pre != sessions_.end() && !(!request.csrf_token.empty() && secure_equals(request.csrf_token, pre->second.csrf))) {
    return error(403, request.raw_path, kBadCsrf);
  }
  if (!user_name || !password || (!password_.empty() && !check_password(*user_name, *password)) ||
      (password_.empty() && lower(trim(*user_name)) != lower(user_))) {
    return devise_401(kBadLogin);
  }
  const std::string csrf = pre != sessions_.end() ? pre->second.csrf : new_secret();
  if (pre != sessions_.end()) sessions_.erase(pre);  // the session id is rotated on login
  if (version_number_ >= std::make_pair(2, 12)) {
    std::erase_if(sessions_, [&](const auto& s) { return s.second.user == user_; });  // other sessions expire (§2.2)
  }
  const std::string id = new_secret();
  sessions_.emplace(id, Session{user_, csrf, now_ms()});
  d.AddMember("user_name", str_value(user_, a), a);
  if (version_number_ >= std::make_pair(2, 14)) d.AddMember("group_permission", "all", a);
  r.body = to_json(d);
  set_session_cookies(r, id, csrf);
  return r;
}

ApiResponse PrimeroStore::logout(const ApiRequest& request) {
  ApiResponse unauthorized;
  bool via_session = false;
  if (!authenticate(request, unauthorized, &via_session)) return unauthorized;
  if (via_session) {
    if (auto bad = check_csrf(request)) return *bad;
  }
  std::lock_guard lock(auth_mutex_);
  const auto& h = request.authorization;
  if (h.size() > 7 && lower(h.substr(0, 7)) == "bearer ") tokens_.erase(trim(h.substr(7)));
  if (via_session) sessions_.erase(cookie_value(request.cookie, kSessionCookie));
  ApiResponse r;
  r.body = "{}";
  return r;
}

}  // namespace refbridge::sandbox::detail
