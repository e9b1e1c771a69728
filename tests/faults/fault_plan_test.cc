// Fault plans (tools/sandbox/faults.h): parsing, path globs, deterministic selection, and what a
// client sees from the sandbox for each kind (driven with httplib::Client on 127.0.0.1).
#include "faults.h"
#include "sandbox.h"

#include <httplib.h>

#include <catch2/catch.hpp>

using namespace refbridge;
using namespace refbridge::sandbox;

namespace {

std::unique_ptr<Sandbox> start(FaultPlan plan = {}) {
  SandboxOptions options;
  options.ping_token = "plan-test-token-1234";
  options.faults = std::move(plan);
  auto box = Sandbox::start(options);
  REQUIRE(box);
  REQUIRE(box.value()->seed_ping_from_fixtures(REFBRIDGE_FIXTURES_DIR));
  return std::move(box).value();
}

httplib::Headers auth() { return {{"Authorization", "Bearer plan-test-token-1234"}}; }

FaultPlan plan(std::string_view yaml) {
  auto p = parse_fault_plan(yaml);
  INFO((p ? std::string() : p.error().describe()));
  REQUIRE(p);
  return p.value();
}

}  // namespace

TEST_CASE("a fault plan reads from YAML and from JSON with every parameter") {
  const auto p = plan(R"(
rules:
  - {method: POST, path: /api/v2/cases, kind: status, status: 503, retry_after: 2, every: 3}
  - {path: "/v1/**", kind: hang, phase: after, hang_ms: 1500, skip: 1, first: 2}
  - {kind: latency, latency_ms: 10, probability: 0.5, seed: 9}
)");
  REQUIRE(p.rules.size() == 3);
  CHECK(p.rules[0].method == "POST");
  CHECK(p.rules[0].status == 503);
  CHECK(p.rules[0].retry_after == std::optional<int>(2));
  CHECK(p.rules[0].every == 3);
  CHECK(p.rules[1].method == "*");
  CHECK(p.rules[1].phase == FaultPhase::kAfter);
  CHECK(p.rules[1].skip == 1);
  CHECK(p.rules[2].path == "**");
  CHECK(p.rules[2].seed == 9u);
  const auto json = plan(R"([{"kind":"truncated_json","path":"/v1/interventions/*","first":1}])");
  REQUIRE(json.rules.size() == 1);
  CHECK(json.rules[0].kind == FaultKind::kTruncatedJson);
}

TEST_CASE("a mistaken fault plan is refused with the rule and key named") {
  auto typo = parse_fault_plan("- {kind: status, stauts: 500}");
  REQUIRE_FALSE(typo);
  CHECK_THAT(typo.error().message, Catch::Contains("rule 0") && Catch::Contains("stauts"));
  auto kind = parse_fault_plan("- {kind: explode}");
  REQUIRE_FALSE(kind);
  CHECK_THAT(kind.error().message, Catch::Contains("unknown kind 'explode'"));
  auto range = parse_fault_plan("- {kind: status, status: 200}");
  REQUIRE_FALSE(range);
  CHECK_THAT(range.error().message, Catch::Contains("400..599"));
  auto two = parse_fault_plan("- {kind: reset, first: 1, every: 2}");
  REQUIRE_FALSE(two);
  CHECK_THAT(two.error().message, Catch::Contains("at most one"));
  auto syntax = parse_fault_plan("rules: [ {kind: status");
  REQUIRE_FALSE(syntax);
  CHECK_THAT(syntax.error().message, Catch::Contains("line"));
}

TEST_CASE("path globs: a star stays within a segment, a double star spans segments") {
  CHECK(path_matches("/api/v2/cases/*/referrals", "/api/v2/cases/abc/referrals"));
  CHECK_FALSE(path_matches("/api/v2/cases/*/referrals", "/api/v2/cases/a/b/referrals"));
  CHECK_FALSE(path_matches("/api/v2/cases/*", "/api/v2/cases"));
  CHECK(path_matches("/v1/**", "/v1/individuals/x/languages"));
  CHECK(path_matches("**", "/anything"));
  CHECK_FALSE(path_matches("/api/v2/cases", "/api/v2/cases/x"));
}

TEST_CASE("selection by skip and first, every Nth, and seeded probability is deterministic") {
  auto hits_of = [](const std::string& yaml, int requests) {
    FaultSelector s(plan(yaml));
    std::string out;
    for (int i = 0; i < requests; ++i) out += s.hits("GET", "/v1/x", false).empty() ? '.' : 'X';
    return out;
  };
  CHECK(hits_of("- {kind: reset, skip: 2, first: 2}", 6) == "..XX..");
  CHECK(hits_of("- {kind: reset, every: 3}", 7) == "..X..X.");
  const auto a = hits_of("- {kind: reset, probability: 0.5, seed: 3}", 40);
  CHECK(a == hits_of("- {kind: reset, probability: 0.5, seed: 3}", 40));
  CHECK(a.find('X') != std::string::npos);
  CHECK(a.find('.') != std::string::npos);
  FaultSelector admin(plan("- {kind: reset}"));
  CHECK(admin.hits("GET", "/_sandbox/ping/interventions", false).empty());  // admin routes never faulted
  FaultSelector bearer(plan("- {kind: token_expiry}"));
  CHECK(bearer.hits("GET", "/v1/x", false).empty());  // only requests carrying a Bearer token count
  CHECK(bearer.hits("GET", "/v1/x", true).size() == 1);
}

TEST_CASE("the sandbox answers status faults with Retry-After and the PING problem envelope") {
  auto box = start(plan("- {path: /v1/referrals/outgoing, kind: status, status: 503, retry_after: 7, first: 1}"));
  httplib::Client c("127.0.0.1", box->ping_port());
  auto r = c.Get("/v1/referrals/outgoing?transferStatus=pending", auth());
  REQUIRE(r);
  CHECK(r->status == 503);
  CHECK(r->get_header_value("Retry-After") == "7");
  CHECK(r->get_header_value("Content-Type") == "application/problem+json");
  auto again = c.Get("/v1/referrals/outgoing?transferStatus=pending", auth());
  REQUIRE(again);
  CHECK(again->status == 200);
  const auto stats = box->fault_stats();
  REQUIRE(stats.size() == 1);
  CHECK(stats[0].matched == 2);
  CHECK(stats[0].hits == 1);
}

TEST_CASE("reset and hang faults leave the client without an answer, body faults corrupt a 200") {
  auto box = start();
  httplib::Client c("127.0.0.1", box->ping_port());
  c.set_read_timeout(0, 300000);  // 300 ms
  const std::string path = "/v1/referrals/outgoing?transferStatus=pending";
  box->set_faults(plan("- {kind: reset, phase: after}"));
  CHECK_FALSE(c.Get(path.c_str(), auth()));
  box->set_faults(plan("- {kind: reset}"));
  CHECK_FALSE(c.Get(path.c_str(), auth()));
  box->set_faults(plan("- {kind: hang, hang_ms: 1500}"));
  CHECK_FALSE(c.Get(path.c_str(), auth()));
  box->set_faults(plan("- {kind: truncated_json}"));
  auto t = c.Get(path.c_str(), auth());
  REQUIRE(t);
  CHECK(t->status == 200);
  box->clear_faults();
  auto whole = c.Get(path.c_str(), auth());
  REQUIRE(whole);
  CHECK(t->body == whole->body.substr(0, whole->body.size() / 2));
  box->set_faults(plan("- {kind: schema_violation}"));
  auto wrong = c.Get(path.c_str(), auth());
  REQUIRE(wrong);
  CHECK(wrong->body == R"({"items":0})");
}

TEST_CASE("token expiry invalidates every token seen before it, a new token passes") {
  SandboxOptions options;
  options.primero_password = "plan-test-password";
  options.primero_version = "2.10.3";  // token_expiry acts on JWTs from POST /api/v2/tokens (<= 2.10)
  auto started = Sandbox::start(options);
  REQUIRE(started);
  auto& box = *started.value();
  httplib::Client c("127.0.0.1", box.primero_port());
  auto login = [&] {
    auto r = c.Post("/api/v2/tokens", R"({"user":{"user_name":"primero_api","password":"plan-test-password"}})",
                    "application/json");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return r->get_header_value("Authorization");
  };
  const auto first = login();
  const httplib::Headers old_token = {{"Authorization", first}};
  REQUIRE(c.Get("/api/v2/cases", old_token)->status == 200);
  box.set_faults(plan("- {path: /api/v2/cases, kind: token_expiry, first: 1}"));
  auto expired = c.Get("/api/v2/cases", old_token);
  REQUIRE(expired);
  CHECK(expired->status == 401);
  CHECK_THAT(expired->body, Catch::Contains("Signature has expired"));
  CHECK(c.Get("/api/v2/cases", old_token)->status == 401);  // stays expired
  const httplib::Headers new_token = {{"Authorization", login()}};
  CHECK(c.Get("/api/v2/cases", new_token)->status == 200);
  box.clear_faults();
  CHECK(c.Get("/api/v2/cases", old_token)->status == 200);
}

TEST_CASE("faults are set, read and cleared through the admin route") {
  auto box = start();
  httplib::Client c("127.0.0.1", box->ping_port());
  auto bad = c.Post("/_sandbox/faults", "- {kind: nope}", "application/yaml");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK_THAT(bad->body, Catch::Contains("unknown kind"));
  auto set = c.Post("/_sandbox/faults", R"([{"kind":"status","status":500,"path":"/v1/**"}])", "application/json");
  REQUIRE(set);
  CHECK(set->status == 200);
  CHECK(c.Get("/v1/referrals/outgoing", auth())->status == 500);
  auto read = c.Get("/_sandbox/faults");
  REQUIRE(read);
  CHECK_THAT(read->body, Catch::Contains(R"("hits":1)"));
  CHECK(c.Delete("/_sandbox/faults")->status == 200);
  CHECK(c.Get("/v1/referrals/outgoing", auth())->status == 200);
  CHECK(box->fault_stats().empty());
}
