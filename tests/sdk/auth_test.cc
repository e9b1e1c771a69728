// Authenticators against a scripted transport: OAuth2 client credentials (request shape, refresh
// ahead of expiry, one refresh for a burst of 401s from concurrent workers, refusals) and the
// Primero token login's 429 handling.
#include "refbridge/api_connection.h"
#include "refbridge/auth.h"
#include "refbridge/oauth2.h"
#include "scripted_transport.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

using namespace refbridge;
using namespace refbridge::test;

namespace {

/// A token endpoint issuing "tok-1", "tok-2", ... and an API accepting only the latest token.
struct TokenServer {
  std::atomic<int> issued{0};
  std::atomic<int> expires_in{3600};
  std::atomic<bool> revoked{false};
  HttpResponse operator()(const HttpRequest& r) {
    if (r.url.find("/oauth2/token") != std::string::npos) {
      revoked = false;
      const int n = ++issued;
      return answer(200, R"({"access_token":"tok-)" + std::to_string(n) + R"(","token_type":"bearer","expires_in":)" +
                             std::to_string(expires_in.load()) + "}");
    }
    const bool valid = !revoked && header_of(r, "Authorization") == "Bearer tok-" + std::to_string(issued.load());
    return answer(valid ? 200 : 401, valid ? "{}" : R"({"title":"Unauthorized"})");
  }
};

OAuth2ClientCredentials settings() {
  OAuth2ClientCredentials s;
  s.token_url = "https://ping.test/oauth2/token";
  s.client_id = "refbridge:client&1";
  s.client_secret = "s3cr&t:with spaces+plus";
  s.scope = "ping.read ping.write";
  s.refresh_margin = std::chrono::seconds(10);
  return s;
}

}  // namespace

TEST_CASE("OAuth2 client credentials with HTTP Basic client authentication send the RFC 6749 token request") {
  TokenServer server;
  ScriptedTransport t([&](const HttpRequest& r) { return server(r); });
  ManualClock clock;
  auto s = settings();
  s.subscription_key = "apim-key-1234";
  auto auth = make_oauth2_client_credentials(s, t, clock);
  HttpRequest call;
  REQUIRE(auth->apply(call));
  CHECK(header_of(call, "Authorization") == "Bearer tok-1");
  CHECK(header_of(call, "Ocp-Apim-Subscription-Key") == "apim-key-1234");
  REQUIRE(t.requests.size() == 1);
  const auto& token_request = t.requests[0];
  CHECK(token_request.method == HttpMethod::kPost);
  CHECK(token_request.url == "https://ping.test/oauth2/token");
  CHECK(header_of(token_request, "Content-Type") == "application/x-www-form-urlencoded");
  CHECK(token_request.body.value() == "grant_type=client_credentials&scope=ping.read%20ping.write");
  // RFC 6749 §2.3.1: id and secret form-encoded, then joined by ':' and base64-encoded.
  CHECK(header_of(token_request, "Authorization") ==
        "Basic " + base64_encode("refbridge%3Aclient%261:s3cr%26t%3Awith%20spaces%2Bplus"));
}

TEST_CASE("OAuth2 client credentials in the body put the client id and secret in the form, not in a header") {
  TokenServer server;
  ScriptedTransport t([&](const HttpRequest& r) { return server(r); });
  ManualClock clock;
  auto s = settings();
  s.client_auth = OAuth2ClientAuth::kBody;
  s.scope.clear();
  auto auth = make_oauth2_client_credentials(s, t, clock);
  HttpRequest call;
  REQUIRE(auth->apply(call));
  REQUIRE(t.requests.size() == 1);
  CHECK(header_of(t.requests[0], "Authorization").empty());
  CHECK(t.requests[0].body.value() ==
        "grant_type=client_credentials&client_id=refbridge%3Aclient%261&client_secret=s3cr%26t%3Awith%20spaces%2Bplus");
}

TEST_CASE("the OAuth2 token is reused until expires_in minus the margin, then fetched again before it expires") {
  TokenServer server;
  server.expires_in = 100;
  ScriptedTransport t([&](const HttpRequest& r) { return server(r); });
  ManualClock clock;
  auto auth = make_oauth2_client_credentials(settings(), t, clock);
  HttpRequest call;
  REQUIRE(auth->apply(call));
  clock.advance(std::chrono::seconds(89));  // 100 s lifetime - 10 s margin = refresh from 90 s on
  REQUIRE(auth->apply(call));
  CHECK(server.issued == 1);
  CHECK(header_of(call, "Authorization") == "Bearer tok-1");
  clock.advance(std::chrono::seconds(2));
  REQUIRE(auth->apply(call));
  CHECK(server.issued == 2);
  CHECK(header_of(call, "Authorization") == "Bearer tok-2");
}

TEST_CASE("a short-lived OAuth2 token is refreshed at half its lifetime when the margin is longer") {
  TokenServer server;
  server.expires_in = 4;  // margin 10 s > lifetime: refresh after 2 s
  ScriptedTransport t([&](const HttpRequest& r) { return server(r); });
  ManualClock clock;
  auto auth = make_oauth2_client_credentials(settings(), t, clock);
  HttpRequest call;
  REQUIRE(auth->apply(call));
  clock.advance(std::chrono::milliseconds(1999));
  REQUIRE(auth->apply(call));
  CHECK(server.issued == 1);
  clock.advance(std::chrono::milliseconds(2));
  REQUIRE(auth->apply(call));
  CHECK(server.issued == 2);
}

TEST_CASE("concurrent workers share one OAuth2 token and a burst of 401s causes exactly one refresh") {
  TokenServer server;
  ScriptedTransport t([&](const HttpRequest& r) { return server(r); });
  ManualClock clock;
  auto auth = make_oauth2_client_credentials(settings(), t, clock);
  auto conn = ApiConnection::create("https://ping.test", t, *auth).value();
  auto burst = [&](std::atomic<int>& failures) {
    std::vector<std::thread> workers;
    for (int w = 0; w < 8; ++w) {
      workers.emplace_back([&] {
        for (int i = 0; i < 10; ++i) {
          if (!conn.execute(HttpMethod::kGet, "https://ping.test/v1/x")) ++failures;
        }
      });
    }
    for (auto& w : workers) w.join();
  };
  std::atomic<int> failures{0};
  burst(failures);
  CHECK(failures == 0);
  CHECK(server.issued == 1);
  server.revoked = true;  // every worker's next call gets a 401
  burst(failures);
  CHECK(failures == 0);
  CHECK(server.issued == 2);
}

TEST_CASE("a refused OAuth2 client gives kUnauthorized with the OAuth error code and never the secret") {
  ScriptedTransport t([](const HttpRequest&) {
    return answer(401, R"({"error":"invalid_client","error_description":"unknown client"})");
  });
  ManualClock clock;
  auto auth = make_oauth2_client_credentials(settings(), t, clock);
  HttpRequest call;
  auto r = auth->apply(call);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kUnauthorized);
  CHECK_THAT(r.error().message, Catch::Contains("invalid_client"));
  CHECK(r.error().message.find(settings().client_secret) == std::string::npos);
}

TEST_CASE("an OAuth2 answer without a Bearer access_token is refused") {
  ScriptedTransport t([](const HttpRequest&) { return answer(200, R"({"access_token":"abcd1234","token_type":"mac"})"); });
  ManualClock clock;
  auto auth = make_oauth2_client_credentials(settings(), t, clock);
  HttpRequest call;
  auto r = auth->apply(call);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kUnauthorized);
}

TEST_CASE("a throttled Primero token login gives kRateLimited with Retry-After and no new login until the wait is over") {
  std::atomic<bool> throttled{true};
  ScriptedTransport t([&](const HttpRequest& r) {
    if (r.url.find("/api/v2/tokens") == std::string::npos) return answer(200, "{}");
    if (throttled) return answer(429, "Retry later", {{"Retry-After", "30"}});
    return answer(200, R"({"id":1,"user_name":"u","token":"jwt-token-1"})");
  });
  ManualClock clock;
  auto auth = make_primero_token_login("http://primero.test", "primero_api", "pw-12345", t, &clock);
  RetrySettings once;  // the in-call retry policy is tested elsewhere: here each call is one attempt
  once.policy = RetryPolicy::no_retry();
  auto conn = ApiConnection::create("http://primero.test", t, *auth, once).value();

  auto first = conn.execute(HttpMethod::kGet, "http://primero.test/api/v2/cases");
  REQUIRE_FALSE(first);
  CHECK(first.error().code == ErrorCode::kRateLimited);
  CHECK(classify(first.error()) == ErrorClass::kTransient);
  CHECK(first.error().retry_after_seconds == 30);

  // Workers asking again during the wait do not reach the login endpoint (no tight loop).
  clock.advance(std::chrono::seconds(20));
  for (int i = 0; i < 5; ++i) {
    auto again = conn.execute(HttpMethod::kGet, "http://primero.test/api/v2/cases");
    REQUIRE_FALSE(again);
    CHECK(again.error().code == ErrorCode::kRateLimited);
    CHECK(again.error().retry_after_seconds == 10);
  }
  CHECK(t.count("/api/v2/tokens") == 1);

  throttled = false;
  clock.advance(std::chrono::seconds(11));
  REQUIRE(conn.execute(HttpMethod::kGet, "http://primero.test/api/v2/cases"));
  CHECK(t.count("/api/v2/tokens") == 2);
}

TEST_CASE("a throttled Primero login without Retry-After waits a minute") {
  ScriptedTransport t([](const HttpRequest&) { return answer(429, "Retry later"); });
  ManualClock clock;
  auto auth = make_primero_token_login("http://primero.test", "primero_api", "pw-12345", t, &clock);
  HttpRequest call;
  auto r = auth->apply(call);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kRateLimited);
  CHECK(r.error().retry_after_seconds == 60);
}
