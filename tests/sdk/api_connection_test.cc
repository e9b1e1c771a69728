// ApiConnection: credentials, status -> Error mapping, envelope summaries, one re-login after 401.
#include "refbridge/api_connection.h"

#include <catch2/catch.hpp>

#include <deque>

using namespace refbridge;

namespace {

// Scripted transport: answers queued responses in order and records requests.
class ScriptedTransport : public HttpTransport {
 public:
  std::deque<HttpResponse> answers;
  std::vector<HttpRequest> requests;
  Result<HttpResponse> send(const HttpRequest& request) override {
    requests.push_back(request);
    if (answers.empty()) return make_error(ErrorCode::kTransport, "no scripted answer");
    auto r = answers.front();
    answers.pop_front();
    return r;
  }
};

std::string header_of(const HttpRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

}  // namespace

TEST_CASE("Basic auth header and JSON headers are sent") {
  ScriptedTransport t;
  t.answers.push_back({200, {}, "{}"});
  auto auth = make_basic_auth("primero_api", "pw");
  auto conn = ApiConnection::create("http://primero.test", t, *auth).value();
  auto r = conn.execute(HttpMethod::kPost, conn.url().path("api/v2/cases").str(), std::string("{}"));
  REQUIRE(r);
  REQUIRE(t.requests.size() == 1);
  CHECK(header_of(t.requests[0], "Authorization") == "Basic " + base64_encode("primero_api:pw"));
  CHECK(header_of(t.requests[0], "Content-Type") == "application/json");
  CHECK(t.requests[0].url == "http://primero.test/api/v2/cases");
}

TEST_CASE("Primero error envelopes become actionable errors") {
  ScriptedTransport t;
  t.answers.push_back({422, {}, R"({"errors":[{"status":422,"resource":"/api/v2/cases","detail":["/age"],"message":"Invalid Record JSON"}]})"});
  auto auth = make_basic_auth("u", "p");
  auto conn = ApiConnection::create("http://primero.test", t, *auth).value();
  auto r = conn.execute(HttpMethod::kPost, conn.url().path("api/v2/cases").str(), std::string("{}"));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kUnprocessable);
  CHECK(r.error().http_status == 422);
  CHECK(r.error().message == "POST answered 422: Invalid Record JSON [/age]");
  CHECK_FALSE(r.error().retryable());
}

TEST_CASE("503 with Retry-After is retryable and carries the delay") {
  ScriptedTransport t;
  t.answers.push_back({503, {{"retry-after", "60"}}, R"({"errors":[{"status":503,"message":"Service Unavailable"}]})"});
  auto auth = make_static_bearer("tok");
  auto conn = ApiConnection::create("http://ping.test", t, *auth).value();
  auto r = conn.execute(HttpMethod::kGet, conn.url().path("v1/referrals/outgoing").str());
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kServerError);
  CHECK(r.error().retryable());
  CHECK(r.error().retry_after_seconds == 60);
}

TEST_CASE("PING problem documents are summarised") {
  HttpResponse resp{404, {}, R"({"type":"about:blank","title":"Not Found","status":404,"detail":"no intervention with that id"})"};
  CHECK(summarize_error_body(resp) == "Not Found: no intervention with that id");
  CHECK(summarize_error_body({500, {}, "<html>oops</html>"}) == "HTTP 500");
}

TEST_CASE("token login logs in once, then again after a 401") {
  ScriptedTransport t;
  t.answers.push_back({200, {}, R"({"id":1,"user_name":"u","token":"T1"})"});  // login
  t.answers.push_back({200, {}, "{}"});                                         // call 1
  t.answers.push_back({401, {}, R"({"error":"Signature has expired"})"});       // call 2
  t.answers.push_back({200, {}, R"({"token":"T2"})"});                         // re-login
  t.answers.push_back({200, {}, "{}"});                                         // call 2 again
  auto auth = make_primero_token_login("http://primero.test", "u", "p", t);
  auto conn = ApiConnection::create("http://primero.test", t, *auth).value();
  REQUIRE(conn.execute(HttpMethod::kGet, conn.url().path("api/v2/cases").str()));
  REQUIRE(conn.execute(HttpMethod::kGet, conn.url().path("api/v2/cases").str()));
  REQUIRE(t.requests.size() == 5);
  CHECK(t.requests[0].url == "http://primero.test/api/v2/tokens");
  CHECK(header_of(t.requests[1], "Authorization") == "Bearer T1");
  CHECK(header_of(t.requests[4], "Authorization") == "Bearer T2");
}

TEST_CASE("a static credential is not retried after 401") {
  ScriptedTransport t;
  t.answers.push_back({401, {}, R"({"error":"You need to sign in or sign up before continuing."})"});
  auto auth = make_basic_auth("u", "wrong");
  auto conn = ApiConnection::create("http://primero.test", t, *auth).value();
  auto r = conn.execute(HttpMethod::kGet, conn.url().path("api/v2/cases").str());
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kUnauthorized);
  CHECK(t.requests.size() == 1);
}

TEST_CASE("base64 follows RFC 4648") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
}
