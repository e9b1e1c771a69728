// PING OAuth2 client credentials against the sandbox's token endpoint (POST /oauth2/token): the
// generated client works with issued tokens, refreshes before expiry without meeting a 401, and
// after a revocation refreshes once on the 401 and succeeds.
#include "refbridge/ping/client.h"
#include "refbridge/api_connection.h"
#include "refbridge/oauth2.h"
#include "sandbox.h"

#include <catch2/catch.hpp>

#include <atomic>

using namespace refbridge;

namespace {

struct ManualClock final : Clock {
  std::chrono::sys_time<std::chrono::milliseconds> now() const override { return t.load(); }
  std::atomic<std::chrono::sys_time<std::chrono::milliseconds>> t{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};
};

constexpr const char* kSecret = "sandbox-client-secret-77";

std::unique_ptr<sandbox::Sandbox> start_sandbox(int lifetime_seconds) {
  sandbox::SandboxOptions options;
  options.ping_oauth = sandbox::PingOAuthOptions{"refbridge", kSecret, lifetime_seconds};
  return sandbox::Sandbox::start(options).value();
}

OAuth2ClientCredentials credentials(const sandbox::Sandbox& box, std::string secret = kSecret) {
  OAuth2ClientCredentials s;
  s.token_url = box.ping_base_url() + "/oauth2/token";
  s.client_id = "refbridge";
  s.client_secret = std::move(secret);
  s.refresh_margin = std::chrono::seconds(60);
  return s;
}

}  // namespace

TEST_CASE("PING calls carry sandbox-issued OAuth2 tokens, refreshed before expiry and once after a 401") {
  auto box = start_sandbox(600);
  auto transport = make_curl_transport({});
  ManualClock clock;
  for (auto mode : {OAuth2ClientAuth::kBasic, OAuth2ClientAuth::kBody}) {
    auto s = credentials(*box);
    s.client_auth = mode;
    auto auth = make_oauth2_client_credentials(s, *transport, clock);
    auto conn = ApiConnection::create(box->ping_base_url(), *transport, *auth).value();
    ping::PingClient ping(conn);
    const int issued_before = box->ping_oauth()->issued();
    REQUIRE(ping.list_outgoing_referrals({}));
    REQUIRE(ping.list_outgoing_referrals({}));
    CHECK(box->ping_oauth()->issued() == issued_before + 1);

    // 600 s lifetime - 60 s margin: at 541 s the client fetches a new token on its own.
    clock.t = clock.t.load() + std::chrono::seconds(541);
    const int refused_before = box->ping_oauth()->refused();
    REQUIRE(ping.list_outgoing_referrals({}));
    CHECK(box->ping_oauth()->issued() == issued_before + 2);
    CHECK(box->ping_oauth()->refused() == refused_before);  // no 401 was needed

    box->ping_oauth()->revoke_all();  // e.g. the identity provider rotated its keys
    REQUIRE(ping.list_outgoing_referrals({}));
    CHECK(box->ping_oauth()->issued() == issued_before + 3);
    CHECK(box->ping_oauth()->refused() == refused_before + 1);
  }
}

TEST_CASE("a wrong client secret is refused by the sandbox token endpoint as invalid_client") {
  auto box = start_sandbox(600);
  auto transport = make_curl_transport({});
  ManualClock clock;
  auto auth = make_oauth2_client_credentials(credentials(*box, "wrong-secret-123"), *transport, clock);
  auto conn = ApiConnection::create(box->ping_base_url(), *transport, *auth).value();
  ping::PingClient ping(conn);
  auto r = ping.list_outgoing_referrals({});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kUnauthorized);
  CHECK_THAT(r.error().message, Catch::Contains("invalid_client"));
  CHECK(box->ping_oauth()->issued() == 0);
}

TEST_CASE("without a token the sandbox PING answers 401 when OAuth2 is on") {
  auto box = start_sandbox(600);
  auto transport = make_curl_transport({});
  HttpRequest req;
  req.url = box->ping_base_url() + "/v1/referrals/outgoing";
  auto r = transport->send(req);
  REQUIRE(r);
  CHECK(r.value().status == 401);
}
