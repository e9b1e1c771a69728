// The Primero native login by version against a scripted Primero (primero-api-v2.md §2.1-2.4):
// 2.10 JWT in the body sent as Bearer; 2.15 session cookie + X-CSRF-Token on POST/PATCH/DELETE
// (configured, and detected from the login answer); re-login after a 401; 429 on the session login
// with Retry-After; clear refusals; the version -> mode rule.
#include "refbridge/api_connection.h"
#include "refbridge/auth.h"
#include "refbridge/redaction.h"
#include "scripted_transport.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <string>

using namespace refbridge;
using namespace refbridge::test;

namespace {

constexpr const char* kBase = "http://primero.test";

bool has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

/// A Primero of one version. 2.10: POST /api/v2/tokens answers {"token": "jwt-N"}; calls need
/// "Bearer jwt-<latest>". 2.15 (§2.4): GET /api/v2/primero sets a bootstrap session cookie and a
/// URL-encoded CSRF-TOKEN cookie; the login needs both and the decoded X-CSRF-Token (else 403 CSRF,
/// unless csrf_on_login is false), answers no token and sets session "sess-N" and CSRF "csrf-N";
/// calls need the Cookie with sess-<latest>, and writes also X-CSRF-Token csrf-<latest> (else 403).
struct PrimeroServer {
  bool session_mode = true;
  bool csrf_on_login = true;
  std::atomic<int> logins{0};      // successful logins
  std::atomic<bool> expired{false};  // the next call gets 401 (session or JWT expired)
  std::atomic<bool> throttled{false};

  HttpResponse operator()(const HttpRequest& r) {
    if (has(r.url, "/api/v2/primero")) {
      return answer(200, R"({"sandbox_ui":false})",
                    {{"Set-Cookie", "_app_session=boot-0; path=/; HttpOnly; SameSite=Lax"},
                     {"Set-Cookie", "CSRF-TOKEN=boot%2Bcsrf%3D%3D; path=/"}});
    }
    if (has(r.url, "/api/v2/tokens")) {
      if (throttled) return answer(429, "Retry later", {{"Retry-After", "42"}});
      if (!has(r.body.value_or(""), R"("user_name":"primero_api")")) return answer(401, R"({"error":"Invalid"})");
      if (!session_mode) {
        const int n = ++logins;
        return answer(200, R"({"id":1,"user_name":"primero_api","token":"jwt-)" + std::to_string(n) + R"("})");
      }
      if (csrf_on_login && (!has(header_of(r, "Cookie"), "_app_session=boot-0") ||
                            header_of(r, "X-CSRF-Token") != "boot+csrf==")) {
        return answer(403, R"({"errors":[{"status":403,"message":"Can't verify CSRF token authenticity."}]})");
      }
      const std::string n = std::to_string(++logins);
      return answer(200, R"({"id":1,"user_name":"primero_api","group_permission":"agency"})",
                    {{"Set-Cookie", "_app_session=sess-" + n + "; path=/; HttpOnly"}, {"Set-Cookie", "CSRF-TOKEN=csrf-" + n}});
    }
    if (expired.exchange(false)) return answer(401, R"({"error":"Your session expired. Please sign in again to continue."})");
    const std::string n = std::to_string(logins.load());
    if (!session_mode) {
      return header_of(r, "Authorization") == "Bearer jwt-" + n ? answer(200, "{}") : answer(401, R"({"error":"x"})");
    }
    if (!has(header_of(r, "Cookie"), "_app_session=sess-" + n) || !header_of(r, "Authorization").empty()) {
      return answer(401, R"({"error":"You need to sign in or sign up before continuing."})");
    }
    if (r.method != HttpMethod::kGet && header_of(r, "X-CSRF-Token") != "csrf-" + n) {
      return answer(403, R"({"errors":[{"status":403,"message":"Can't verify CSRF token authenticity."}]})");
    }
    return answer(200, R"({"data":{}})");
  }
};

ApiConnection connection(HttpTransport& t, Authenticator& auth) {
  RetrySettings once;
  once.policy = RetryPolicy::no_retry();
  return ApiConnection::create(kBase, t, auth, once).value();
}

const HttpRequest* last_call(ScriptedTransport& t, std::string_view path) {
  const HttpRequest* found = nullptr;
  for (const auto& r : t.requests) {
    if (has(r.url, path)) found = &r;
  }
  return found;
}

}  // namespace

TEST_CASE("the Primero version decides the login mode: <= 2.10 JWT, 2.11+ session, other versions refused") {
  CHECK(primero_login_mode_for_version("2.10").value() == PrimeroLoginMode::kJwt);
  CHECK(primero_login_mode_for_version("2.10.3").value() == PrimeroLoginMode::kJwt);
  CHECK(primero_login_mode_for_version("2.9").value() == PrimeroLoginMode::kJwt);
  CHECK(primero_login_mode_for_version("2.11").value() == PrimeroLoginMode::kSession);
  CHECK(primero_login_mode_for_version("v2.15.2.1").value() == PrimeroLoginMode::kSession);
  for (const char* bad : {"", "2", "2.", "3.0", "1.7", "2.x", "2.10-rc1", "latest"}) {
    INFO(bad);
    auto r = primero_login_mode_for_version(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kConfig);
  }
}

TEST_CASE("Primero 2.10: the JWT of the login body is sent as Bearer, configured or detected, with no bootstrap call") {
  for (const auto mode : {PrimeroLoginMode::kJwt, PrimeroLoginMode::kAuto}) {
    INFO(to_string(mode));
    PrimeroServer server;
    server.session_mode = false;
    ScriptedTransport t([&](const HttpRequest& r) { return server(r); });
    auto auth = make_primero_token_login(kBase, "primero_api", "pw-12345", t, nullptr, mode);
    auto conn = connection(t, *auth);
    REQUIRE(conn.execute(HttpMethod::kGet, std::string(kBase) + "/api/v2/cases"));
    REQUIRE(conn.execute(HttpMethod::kPost, std::string(kBase) + "/api/v2/cases", std::string("{}")));
    CHECK(header_of(*last_call(t, "/api/v2/cases"), "Authorization") == "Bearer jwt-1");
    CHECK(header_of(*last_call(t, "/api/v2/cases"), "Cookie").empty());
    CHECK(t.count("/api/v2/tokens") == 1);
    CHECK(t.count("/api/v2/primero") == 0);
    CHECK(redact("jwt-1 seen") == std::string(kRedacted) + " seen");
  }
}

TEST_CASE("Primero 2.15: session cookie on every call, X-CSRF-Token on POST/PATCH/DELETE only, no Authorization") {
  for (const auto mode : {PrimeroLoginMode::kSession, PrimeroLoginMode::kAuto}) {
    INFO(to_string(mode));
    PrimeroServer server;
    ScriptedTransport t([&](const HttpRequest& r) { return server(r); });
    auto auth = make_primero_token_login(kBase, "primero_api", "pw-12345", t, nullptr, mode);
    auto conn = connection(t, *auth);
    const std::string cases = std::string(kBase) + "/api/v2/cases";
    REQUIRE(conn.execute(HttpMethod::kGet, cases));
    const HttpRequest get = *last_call(t, "/api/v2/cases");
    CHECK(header_of(get, "Cookie") == "CSRF-TOKEN=csrf-1; _app_session=sess-1");
    CHECK(header_of(get, "X-CSRF-Token").empty());
    CHECK(header_of(get, "Authorization").empty());
    for (const auto method : {HttpMethod::kPost, HttpMethod::kPatch, HttpMethod::kDelete}) {
      INFO(to_string(method));
      REQUIRE(conn.execute(method, cases + "/c1", std::string("{}")));
      CHECK(header_of(*last_call(t, "/api/v2/cases/c1"), "X-CSRF-Token") == "csrf-1");
    }
    // The login followed §2.4: bootstrap cookies, then the decoded CSRF token; one login only.
    CHECK(server.logins == 1);
    CHECK(t.count("/api/v2/primero") == 1);
    CHECK(t.count("/api/v2/tokens") == (mode == PrimeroLoginMode::kAuto ? 2u : 1u));  // auto: the plain try got 403
    CHECK(header_of(*last_call(t, "/api/v2/tokens"), "X-CSRF-Token") == "boot+csrf==");
    CHECK(redact("sess-1 and csrf-1") == std::string(kRedacted) + " and " + std::string(kRedacted));
  }
}

TEST_CASE("auto-detection uses the session of a plain login when the instance does not check CSRF on it") {
  PrimeroServer server;
  server.csrf_on_login = false;
  ScriptedTransport t([&](const HttpRequest& r) { return server(r); });
  auto auth = make_primero_token_login(kBase, "primero_api", "pw-12345", t);
  auto conn = connection(t, *auth);
  REQUIRE(conn.execute(HttpMethod::kPatch, std::string(kBase) + "/api/v2/cases/c1", std::string("{}")));
  CHECK(t.count("/api/v2/tokens") == 1);
  CHECK(t.count("/api/v2/primero") == 0);
  CHECK(header_of(*last_call(t, "/api/v2/cases/c1"), "X-CSRF-Token") == "csrf-1");
}

TEST_CASE("a 401 (expired session or JWT) logs in again once and the call is repeated with the new credential") {
  for (const bool session_mode : {true, false}) {
    INFO(session_mode);
    PrimeroServer server;
    server.session_mode = session_mode;
    ScriptedTransport t([&](const HttpRequest& r) { return server(r); });
    auto auth = make_primero_token_login(kBase, "primero_api", "pw-12345", t);
    auto conn = connection(t, *auth);
    const std::string url = std::string(kBase) + "/api/v2/cases/c1";
    REQUIRE(conn.execute(HttpMethod::kPatch, url, std::string("{}")));
    server.expired = true;
    REQUIRE(conn.execute(HttpMethod::kPatch, url, std::string("{}")));
    CHECK(server.logins == 2);
    const HttpRequest& last = *last_call(t, "/api/v2/cases/c1");
    if (session_mode) {
      CHECK(has(header_of(last, "Cookie"), "_app_session=sess-2"));
      CHECK(header_of(last, "X-CSRF-Token") == "csrf-2");
      CHECK(t.count("/api/v2/tokens") == 3);  // detection (403), first session login, re-login (mode kept)
    } else {
      CHECK(header_of(last, "Authorization") == "Bearer jwt-2");
      CHECK(t.count("/api/v2/tokens") == 2);
    }
  }
}

TEST_CASE("a 429 on the session login gives kRateLimited with Retry-After and no login until the wait is over") {
  PrimeroServer server;
  server.throttled = true;
  ScriptedTransport t([&](const HttpRequest& r) { return server(r); });
  ManualClock clock;
  auto auth = make_primero_token_login(kBase, "primero_api", "pw-12345", t, &clock, PrimeroLoginMode::kSession);
  auto conn = connection(t, *auth);
  const std::string url = std::string(kBase) + "/api/v2/cases";
  auto first = conn.execute(HttpMethod::kGet, url);
  REQUIRE_FALSE(first);
  CHECK(first.error().code == ErrorCode::kRateLimited);
  CHECK(first.error().retry_after_seconds == 42);
  clock.advance(std::chrono::seconds(40));
  auto again = conn.execute(HttpMethod::kGet, url);
  REQUIRE_FALSE(again);
  CHECK(again.error().retry_after_seconds == 2);
  CHECK(t.count("/api/v2/tokens") == 1);
  server.throttled = false;
  clock.advance(std::chrono::seconds(3));
  REQUIRE(conn.execute(HttpMethod::kGet, url));
  CHECK(t.count("/api/v2/tokens") == 2);
}

TEST_CASE("the Primero login refuses clearly where it cannot work") {
  SECTION("JWT configured (<= 2.10) but the instance answers a session login (2.11+)") {
    PrimeroServer server;
    server.csrf_on_login = false;
    ScriptedTransport t([&](const HttpRequest& r) { return server(r); });
    auto auth = make_primero_token_login(kBase, "primero_api", "pw-12345", t, nullptr, PrimeroLoginMode::kJwt);
    HttpRequest call;
    auto r = auth->apply(call);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kUnauthorized);
    CHECK(has(r.error().message, "2.11"));
  }
  SECTION("an answer with neither a token nor a session cookie (identity-provider instance)") {
    ScriptedTransport t([](const HttpRequest&) { return answer(200, R"({"id":1,"user_name":"primero_api"})"); });
    auto auth = make_primero_token_login(kBase, "primero_api", "pw-12345", t);
    HttpRequest call;
    auto r = auth->apply(call);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kUnauthorized);
    CHECK(has(r.error().message, "primero.auth: basic"));
  }
  SECTION("wrong credentials: 401, whatever the mode") {
    for (const auto mode : {PrimeroLoginMode::kAuto, PrimeroLoginMode::kJwt, PrimeroLoginMode::kSession}) {
      PrimeroServer server;
      ScriptedTransport t([&](const HttpRequest& r) { return server(r); });
      auto auth = make_primero_token_login(kBase, "someone_else", "pw-12345", t, nullptr, mode);
      HttpRequest call;
      auto r = auth->apply(call);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == ErrorCode::kUnauthorized);
      CHECK(r.error().http_status == 401);
    }
  }
}
