// ApiConnection: credentials, status -> Error mapping, envelope summaries, one re-login after 401,
// in-call retries (policy, idempotency, Retry-After, logging) over a scripted transport and libcurl.
#include "refbridge/api_connection.h"

#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <deque>
#include <sstream>

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
  CHECK(r.error().message == "POST on primero.test: POST answered 422: Invalid Record JSON [/age]");
  CHECK(classify(r.error()) != ErrorClass::kTransient);
}

TEST_CASE("A connection error names the system, the operation and the host") {
  ScriptedTransport t;  // no answer queued: the transport fails as an unreachable server does
  auto auth = make_basic_auth("u", "p");
  auto conn = ApiConnection::create("https://user:secret@primero.example.org:8443/primero", t, *auth,
                                    RetrySettings{.policy = RetryPolicy::no_retry()}).value();
  conn.set_system("Primero");
  auto r = conn.execute(HttpMethod::kGet, conn.url().path("api/v2/cases").str(), std::nullopt, {},
                        CallInfo{.operation = "listCases"});
  REQUIRE_FALSE(r);
  CHECK(r.error().system == "Primero");
  CHECK(r.error().message == "Primero listCases on primero.example.org:8443: no scripted answer");
  CHECK(r.error().message.find("secret") == std::string::npos);
}

TEST_CASE("503 with Retry-After is retryable and carries the delay") {
  ScriptedTransport t;
  t.answers.push_back({503, {{"retry-after", "60"}}, R"({"errors":[{"status":503,"message":"Service Unavailable"}]})"});
  auto auth = make_static_bearer("tok");
  auto conn = ApiConnection::create("http://ping.test", t, *auth, {.policy = RetryPolicy::no_retry()}).value();
  auto r = conn.execute(HttpMethod::kGet, conn.url().path("v1/referrals/outgoing").str());
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kServerError);
  CHECK(classify(r.error()) == ErrorClass::kTransient);
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

namespace {

// A clock moved only by the sleeper, which records every wait.
struct FakeTime final : Clock {
  std::chrono::sys_time<std::chrono::milliseconds> t{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};
  std::vector<std::chrono::milliseconds> waits;
  [[nodiscard]] std::chrono::sys_time<std::chrono::milliseconds> now() const override { return t; }
};

struct RetryingConnection {
  ScriptedTransport transport;
  FakeTime time;
  std::ostringstream log_text;
  Logger log{log_text};
  std::unique_ptr<Authenticator> auth = make_static_bearer("tok-123456");
  ApiConnection conn = make();

  ApiConnection make() {
    RetrySettings s;
    s.policy.jitter_seed = 5;
    s.clock = &time;
    s.sleep = [this](std::chrono::milliseconds d) {
      time.waits.push_back(d);
      time.t += d;
      return true;
    };
    s.log = &log;
    return ApiConnection::create("http://ping.test", transport, *auth, std::move(s)).value();
  }
};

}  // namespace

TEST_CASE("an idempotent call is retried after 503 and 502, and each retry is logged without the URL") {
  RetryingConnection h;
  h.transport.answers = {{503, {}, "{}"}, {502, {}, "{}"}, {200, {}, R"({"ok":true})"}};
  auto r = h.conn.execute(HttpMethod::kGet, h.conn.url().path("v1/individuals").query("q", "secret-ish").str(),
                          std::nullopt, {}, {"getIndividual", Idempotency::kIdempotent});
  REQUIRE(r);
  CHECK(r.value().body == R"({"ok":true})");
  CHECK(h.transport.requests.size() == 3);
  CHECK(h.time.waits.size() == 2);
  const std::string log = h.log_text.str();
  CHECK(log.find(R"("event":"http.retry","operation":"getIndividual","attempt":"1")") != std::string::npos);
  CHECK(log.find(R"("attempt":"2")") != std::string::npos);
  CHECK(log.find(R"("http_status":"503")") != std::string::npos);
  CHECK(log.find("secret-ish") == std::string::npos);
  CHECK(log.find("ping.test") == std::string::npos);
}

TEST_CASE("a non-idempotent POST is not repeated after a 500, but is after a 429") {
  RetryingConnection h;
  h.transport.answers = {{500, {}, "{}"}, {200, {}, "{}"}};
  auto r = h.conn.execute(HttpMethod::kPost, h.conn.url().path("api/v2/cases").str(), std::string("{}"), {},
                          {"createCase", Idempotency::kNonIdempotent});
  REQUIRE_FALSE(r);
  CHECK(r.error().http_status == 500);
  CHECK(h.transport.requests.size() == 1);

  RetryingConnection h2;
  h2.transport.answers = {{429, {{"Retry-After", "2"}}, "Retry later"}, {200, {}, "{}"}};
  REQUIRE(h2.conn.execute(HttpMethod::kPost, h2.conn.url().path("api/v2/cases").str(), std::string("{}"), {},
                          {"createCase", Idempotency::kNonIdempotent}));
  CHECK(h2.transport.requests.size() == 2);
  CHECK(h2.time.waits == std::vector<std::chrono::milliseconds>{std::chrono::seconds(2)});
  CHECK(h2.transport.requests[1].body == std::optional<std::string>("{}"));  // the same body again
}

TEST_CASE("without CallInfo, a POST follows the method default and is not retried after a reset") {
  RetryingConnection h;
  h.transport.answers = {};  // the scripted transport fails with kTransport (not marked not_sent)
  auto r = h.conn.execute(HttpMethod::kPost, h.conn.url().path("v1/ingestion/referrals").str(), std::string("{}"));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kTransport);
  CHECK(h.transport.requests.size() == 1);
  // A GET after the same failure is retried up to max_attempts (4).
  auto g = h.conn.execute(HttpMethod::kGet, h.conn.url().path("v1/referrals/outgoing").str());
  REQUIRE_FALSE(g);
  CHECK(h.transport.requests.size() == 5);
  CHECK(g.error().message.find("(after 4 attempts)") != std::string::npos);
}

TEST_CASE("an HTTP-date Retry-After becomes seconds from the connection's clock") {
  RetryingConnection h;
  h.time.t = std::chrono::sys_days{std::chrono::year{2026} / 1 / 1};
  h.transport.answers = {{503, {{"Retry-After", "Thu, 01 Jan 2026 00:00:45 GMT"}}, "{}"}, {200, {}, "{}"}};
  REQUIRE(h.conn.execute(HttpMethod::kGet, h.conn.url().path("v1/x").str()));
  CHECK(h.time.waits == std::vector<std::chrono::milliseconds>{std::chrono::seconds(45)});
}

TEST_CASE("the 401 re-login stays one separate resend and is not counted as a retry") {
  ScriptedTransport t;
  t.answers.push_back({200, {}, R"({"id":1,"user_name":"u","token":"T1"})"});  // login
  t.answers.push_back({401, {}, R"({"error":"Signature has expired"})"});       // call
  t.answers.push_back({200, {}, R"({"token":"T2"})"});                         // re-login
  t.answers.push_back({503, {}, "{}"});                                         // call again: transient
  t.answers.push_back({200, {}, "{}"});                                         // retry
  auto auth = make_primero_token_login("http://primero.test", "u", "p", t);
  FakeTime time;
  RetrySettings s;
  s.clock = &time;
  s.sleep = [&time](std::chrono::milliseconds d) {
    time.waits.push_back(d);
    return true;
  };
  auto conn = ApiConnection::create("http://primero.test", t, *auth, std::move(s)).value();
  REQUIRE(conn.execute(HttpMethod::kGet, conn.url().path("api/v2/cases").str()));
  CHECK(t.requests.size() == 5);
  CHECK(time.waits.size() == 1);
  CHECK(header_of(t.requests[4], "Authorization") == "Bearer T2");
}

namespace {

// A 127.0.0.1 port with nothing listening: bound to an ephemeral port, then closed.
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

TEST_CASE("libcurl marks connection refused as not sent, so even a POST is tried again") {
  auto transport = make_curl_transport({});
  auto auth = make_static_bearer("tok-123456");
  std::vector<std::chrono::milliseconds> waits;
  RetrySettings s;
  s.policy.max_attempts = 3;
  s.sleep = [&waits](std::chrono::milliseconds d) {
    waits.push_back(d);
    return true;
  };
  const std::string base = "http://127.0.0.1:" + std::to_string(closed_port());
  auto conn = ApiConnection::create(base, *transport, *auth, std::move(s)).value();
  auto r = conn.execute(HttpMethod::kPost, conn.url().path("api/v2/cases").str(), std::string("{}"), {},
                        {"createCase", Idempotency::kNonIdempotent});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kTransport);
  CHECK(r.error().not_sent);
  CHECK(waits.size() == 2);  // 3 attempts
  CHECK(r.error().message.find("(after 3 attempts)") != std::string::npos);
}
