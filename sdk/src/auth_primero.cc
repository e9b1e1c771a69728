// Primero native login by version: JWT (<= 2.10) or session cookie + CSRF token (2.11+).
// See refbridge/auth.h (PrimeroLoginMode, make_primero_token_login) and primero-api-v2.md §2.1-2.4.
#include "refbridge/auth.h"

#include "auth_support.h"
#include "refbridge/redaction.h"
#include "refbridge/url.h"
#include "token_cache.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <atomic>
#include <cctype>
#include <charconv>
#include <map>

namespace refbridge {

std::string_view to_string(PrimeroLoginMode mode) noexcept {
  switch (mode) {
    case PrimeroLoginMode::kJwt: return "jwt";
    case PrimeroLoginMode::kSession: return "session";
    default: return "auto";
  }
}

Result<PrimeroLoginMode> primero_login_mode_for_version(std::string_view version) {
  const std::string shown(version);
  if (!version.empty() && (version.front() == 'v' || version.front() == 'V')) version.remove_prefix(1);
  auto number = [&](int& out) {
    const auto [end, ec] = std::from_chars(version.data(), version.data() + version.size(), out);
    if (ec != std::errc() || end == version.data()) return false;
    version.remove_prefix(static_cast<std::size_t>(end - version.data()));
    return true;
  };
  int major = 0;
  int minor = 0;
  const bool shape = number(major) && !version.empty() && version.front() == '.' &&
                     (version.remove_prefix(1), number(minor)) && (version.empty() || version.front() == '.');
  if (!shape || major != 2) {
    return make_error(ErrorCode::kConfig, "Primero version '" + shown +
                                              "' is not 2.<minor>[.<patch>] (refbridge speaks Primero API v2: 2.0 .. 2.16)");
  }
  return minor <= 10 ? PrimeroLoginMode::kJwt : PrimeroLoginMode::kSession;
}

namespace {

using detail::set_header;

constexpr std::string_view kCsrfCookie = "CSRF-TOKEN";

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

/// Cookies: name -> value, in name order (the Cookie header is deterministic).
using CookieJar = std::map<std::string, std::string>;

/// Adds (or replaces) every cookie the answer sets: each Set-Cookie header's "name=value" before
/// the first ';' (RFC 6265 §5.2; attributes such as Path, HttpOnly and SameSite are not needed for
/// one origin). A cookie set to an empty value is dropped (a deletion).
void collect_cookies(const HttpResponse& response, CookieJar& jar) {
  for (const auto& [name, value] : response.headers) {
    if (!iequals(name, "Set-Cookie")) continue;
    const std::string_view pair = std::string_view(value).substr(0, value.find(';'));
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    std::string key(pair.substr(0, eq));
    std::string text(pair.substr(eq + 1));
    while (!key.empty() && key.back() == ' ') key.pop_back();
    while (!key.empty() && key.front() == ' ') key.erase(key.begin());
    if (text.empty()) {
      jar.erase(key);
    } else {
      jar[key] = std::move(text);
    }
  }
}

std::string cookie_header(const CookieJar& jar) {
  std::string out;
  for (const auto& [name, value] : jar) out += (out.empty() ? "" : "; ") + name + "=" + value;
  return out;
}

/// RFC 3986 percent-decoding ('+' stays '+': a cookie is not form-encoded); a malformed escape is
/// kept as it is.
std::string percent_decode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

bool is_write(HttpMethod m) { return m != HttpMethod::kGet; }

/// The cached credential, kept in the TokenCache as one string: "J\n<jwt>" or
/// "S\n<Cookie header>\n<CSRF token>" (none of them can hold a newline).
std::string jwt_credential(const std::string& token) { return "J\n" + token; }
std::string session_credential(const std::string& cookies, const std::string& csrf) {
  return "S\n" + cookies + "\n" + csrf;
}

class PrimeroLogin final : public Authenticator {
 public:
  PrimeroLogin(std::string base, std::string user, std::string password, HttpTransport& transport, const Clock& clock,
               PrimeroLoginMode mode)
      : base_(std::move(base)), user_(std::move(user)), password_(std::move(password)), transport_(&transport),
        cache_(clock), mode_(mode) {
    register_secret(password_);
  }

  // Concurrent callers share one credential; the first to find it missing logs in while the
  // others wait (detail::TokenCache), so a 401 burst from several workers causes one login.
  Result<void> apply(HttpRequest& request) override {
    REFBRIDGE_TRY(const std::string credential, cache_.get([this] { return log_in(); }));
    const std::string_view c(credential);
    if (c.substr(0, 2) == "J\n") {
      set_header(request, "Authorization", "Bearer " + std::string(c.substr(2)));
      return ok();
    }
    const std::string_view rest = c.substr(2);
    const auto nl = rest.find('\n');
    set_header(request, "Cookie", std::string(rest.substr(0, nl)));
    const std::string_view csrf = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (is_write(request.method) && !csrf.empty()) set_header(request, "X-CSRF-Token", std::string(csrf));
    return ok();
  }

  bool invalidate() override { return cache_.invalidate(); }

 private:
  std::string login_body() const {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("user");
    w.StartObject();
    w.Key("user_name");
    w.String(user_.c_str(), static_cast<rapidjson::SizeType>(user_.size()));
    w.Key("password");
    w.String(password_.c_str(), static_cast<rapidjson::SizeType>(password_.size()));
    w.EndObject();
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize());
  }

  Result<std::string> url(std::string_view path) const {
    REFBRIDGE_TRY(auto u, UrlBuilder::from_base(base_));
    return u.path(path).str();
  }

  /// POST /api/v2/tokens, with the cookies of `jar` and their CSRF token when there are any.
  Result<HttpResponse> post_login(const CookieJar& jar) {
    HttpRequest req;
    req.method = HttpMethod::kPost;
    REFBRIDGE_TRY(req.url, url("api/v2/tokens"));
    req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    if (!jar.empty()) req.headers.emplace_back("Cookie", cookie_header(jar));
    if (auto it = jar.find(std::string(kCsrfCookie)); it != jar.end()) {
      req.headers.emplace_back("X-CSRF-Token", percent_decode(it->second));
    }
    req.body = login_body();
    return transport_->send(req);
  }

  static Error throttled(const HttpResponse& r) {
    Error e = make_error(ErrorCode::kRateLimited, "Primero login throttled (at most 6 logins per minute and user)", 429);
    e.retry_after_seconds = detail::retry_after_seconds(r, detail::kDefaultLoginWaitSeconds);
    return e;
  }

  /// The body's "token", when it is a non-empty string.
  static std::optional<std::string> token_of(const HttpResponse& r) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(r.body.c_str(), r.body.size());  // no recursion on deep bodies
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("token") || !doc["token"].IsString() ||
        doc["token"].GetStringLength() == 0) {
      return std::nullopt;
    }
    return std::string(doc["token"].GetString(), doc["token"].GetStringLength());
  }

  static detail::FetchedToken fetched(std::string credential) {
    return detail::FetchedToken{std::move(credential), std::nullopt, std::nullopt};
  }

  detail::FetchedToken jwt(std::string token) {
    register_secret(token);
    return fetched(jwt_credential(token));
  }

  /// A session credential from `jar`, or std::nullopt when it holds no session cookie (only the
  /// CSRF-TOKEN cookie, or nothing).
  std::optional<detail::FetchedToken> session(const CookieJar& jar) {
    bool has_session = false;
    for (const auto& [name, value] : jar) {
      register_secret(value);
      register_secret(percent_decode(value));
      if (name != kCsrfCookie) has_session = true;
    }
    if (!has_session) return std::nullopt;
    auto csrf = jar.find(std::string(kCsrfCookie));
    return fetched(session_credential(cookie_header(jar), csrf == jar.end() ? "" : percent_decode(csrf->second)));
  }

  Result<detail::FetchedToken> log_in() {
    if (mode_.load() == PrimeroLoginMode::kSession) return session_login();
    REFBRIDGE_TRY(const HttpResponse resp, post_login({}));
    if (resp.status == 429) return throttled(resp);
    const bool auto_mode = mode_.load() == PrimeroLoginMode::kAuto;
    if (resp.status == 200) {
      if (auto token = token_of(resp)) {
        mode_ = PrimeroLoginMode::kJwt;
        return jwt(std::move(*token));
      }
      if (!auto_mode) {
        return make_error(ErrorCode::kUnauthorized,
                          "Primero login answered without a token: this is Primero 2.11 or later (session login); "
                          "set primero.version to it, leave primero.version out to detect it, or use primero.auth: basic",
                          resp.status);
      }
      CookieJar jar;
      collect_cookies(resp, jar);
      if (auto s = session(jar)) {  // CSRF not enforced on the login: its session is ready
        mode_ = PrimeroLoginMode::kSession;
        return std::move(*s);
      }
    } else if (!auto_mode || (resp.status != 403 && resp.status != 422)) {
      return make_error(ErrorCode::kUnauthorized, "Primero login refused", resp.status);
    }
    // 2.11+ (no token; or the plain login was refused for its missing CSRF token): §2.4 recipe.
    mode_ = PrimeroLoginMode::kSession;
    return session_login();
  }

  /// primero-api-v2.md §2.4 steps 1-2.
  Result<detail::FetchedToken> session_login() {
    CookieJar jar;
    HttpRequest boot;
    REFBRIDGE_TRY(boot.url, url("api/v2/primero"));
    boot.headers = {{"Accept", "application/json"}};
    REFBRIDGE_TRY(const HttpResponse bootstrap, transport_->send(boot));
    collect_cookies(bootstrap, jar);  // its status does not matter: the login says whether it worked
    REFBRIDGE_TRY(const HttpResponse resp, post_login(jar));
    if (resp.status == 429) return throttled(resp);
    if (resp.status != 200) {
      return make_error(ErrorCode::kUnauthorized,
                        resp.status == 403 || resp.status == 422
                            ? "Primero session login refused (CSRF token not accepted, primero-api-v2.md §2.4)"
                            : "Primero login refused",
                        resp.status);
    }
    if (auto token = token_of(resp)) return jwt(std::move(*token));
    collect_cookies(resp, jar);
    if (auto s = session(jar)) return std::move(*s);
    return make_error(ErrorCode::kUnauthorized,
                      "Primero login answered neither a token nor a session cookie (an identity-provider instance?); "
                      "use primero.auth: basic",
                      resp.status);
  }

  std::string base_;
  std::string user_;
  std::string password_;
  HttpTransport* transport_;
  detail::TokenCache cache_;
  std::atomic<PrimeroLoginMode> mode_;  // written only inside log_in(), under the cache's lock
};

}  // namespace

std::unique_ptr<Authenticator> make_primero_token_login(std::string base_url, std::string user, std::string password,
                                                        HttpTransport& transport, const Clock* clock,
                                                        PrimeroLoginMode mode) {
  return std::make_unique<PrimeroLogin>(std::move(base_url), std::move(user), std::move(password), transport,
                                        clock != nullptr ? *clock : system_clock(), mode);
}

}  // namespace refbridge
