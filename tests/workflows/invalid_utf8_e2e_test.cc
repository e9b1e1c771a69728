// Workflow 1.1 end to end with invalid UTF-8 from PING ("No duplicate, ever" issue): the sandbox
// serves four children whose individual records hold raw invalid bytes (FF FE, overlong C0 AF,
// encoded surrogate ED A0 80, truncated E2 82 at the end of the string) and two clean children.
// The four are rejected with rule invalid-utf8 naming the JSON path of the field, PING says
// failed with the reason, Primero holds no case for them; the two clean ones are delivered.
#include "referrals_to_primero.h"

#include "refbridge/api_connection.h"
#include "refbridge/auth.h"
#include "refbridge/http.h"
#include "refbridge/ledger.h"
#include "refbridge/log.h"
#include "refbridge/profile.h"
#include "sandbox.h"

#include <rapidjson/document.h>

#include <catch2/catch.hpp>

#include <map>
#include <sstream>
#include <string>

using namespace refbridge;
using workflows::RecordState;

namespace {

constexpr const char* kToken = "test-ping-token-1234";
constexpr const char* kPassword = "test-primero-password-1234";

struct Child {
  int n;
  std::string given = "Child";      // individuals.progres_givenname
  std::string family = "Example";   // individuals.progres_familyname
  std::string region = "Gambela";   // individuals.progres_coalocationlevel1 Name
  std::string block = "Block 4";    // individuals.progres_coalocationlevel6
  std::string expected_reason;      // empty: clean, delivered

  [[nodiscard]] std::string number() const { return "UTF8-" + std::to_string(n); }
  [[nodiscard]] std::string person() const { return "UTF8-IND-" + std::to_string(n); }
};

// One flat proGres row as the fixtures have them (the shape of the sandbox's synthetic rows, which
// pass workflow 1.1's mapping); the names are written raw into the JSON text, byte for byte.
std::string row(const Child& c) {
  const std::string i = std::to_string(c.n);
  return R"({"progres_lpinterventionid":"00000000-0000-4000-8000-00000000000)" + i + R"(",
    "progres_interventionnumber":")" + c.number() + R"(",
    "progres_interventionstartdate":"2024-05-12T00:00:00Z",
    "progres_interventiondescription":"<p>referral )" + i + R"(</p>",
    "progres_reasonforreferral":"[{\"CreatedBy\":\"Test\",\"Text\":\"reason\",\"CreatedOn\":\"2024-01-01T00:00:00Z\"}]",
    "progres_interventiontype2":"11111111-1111-4111-8111-111111111111",
    "interventiontype.progres_description":"BIA",
    "progres_businessunit":"22222222-2222-4222-8222-222222222222",
    "childprotection.progres_priority":"125080001",
    "user.title":"Caseworker","user.internalemailaddress":"caseworker@example.org","user.mobilephone":"+15550100000",
    "individuals.progres_id":")" + c.person() + R"(",
    "individuals.progres_registrationgroupid":{"Id":"55555555-5555-4555-8555-55555555555)" + i + R"(","LogicalName":"progres_registrationgroup","Name":"UTF8-GRP-)" + i + R"("},
    "individuals.progres_givenname":")" + c.given + R"(",
    "individuals.progres_familyname":")" + c.family + R"(",
    "individuals.progres_dateofbirth":"2015-03-04T00:00:00Z",
    "individuals.progres_sex":"125080001",
    "individuals.progres_coalocationlevel1":{"Id":"33333333-3333-4333-8333-333333333333","LogicalName":"progres_locationlevel","Name":")" +
         c.region + R"("},
    "individuals.progres_coalocationlevel6":")" + c.block + R"(",
    "languages.progres_languagecodeid":{"Id":"44444444-4444-4444-8444-444444444444","LogicalName":"progres_languagecode","Name":"Nuer"},
    "languages.progres_speaklevel":"125080000"})";
}

std::vector<Child> children() {
  std::vector<Child> out(6);
  for (int i = 0; i < 6; ++i) out[static_cast<std::size_t>(i)].n = i + 1;
  out[0].given = "Ana\xFF\xFE";
  out[0].expected_reason = "$.progres_givenname: invalid UTF-8 (invalid byte 0xFF at byte 3 of the string)";
  out[1].family = "Jos\xC0\xAF";
  out[1].expected_reason = "$.progres_familyname: invalid UTF-8 (overlong sequence at byte 3 of the string)";
  out[2].region = "Gambela \xED\xA0\x80";
  out[2].expected_reason = "$.progres_coalocationlevel1.Name: invalid UTF-8 (encoded surrogate at byte 8 of the string)";
  out[3].block = "Block 10 \xE2\x82";
  out[3].expected_reason = "$.progres_coalocationlevel6: invalid UTF-8 (truncated sequence at byte 9 of the string)";
  out[4].given = "Jos\xC3\xA9 \xF0\x9F\x98\x80";  // clean: 2- and 4-byte sequences
  out[5].family = "\xE4\xB8\xAD\xE6\x96\x87";      // clean: 3-byte sequences
  return out;
}

std::string sandbox_get(const std::string& url) {
  auto transport = make_curl_transport({});
  HttpRequest request;
  request.method = HttpMethod::kGet;
  request.url = url;
  request.headers.emplace_back("Authorization", std::string("Bearer ") + kToken);
  auto r = transport->send(request);
  REQUIRE(r);
  REQUIRE(r.value().status == 200);
  return r.value().body;
}

}  // namespace

TEST_CASE("invalid UTF-8 in a child's fields is rejected with its JSON path, never delivered, and clean children are",
          "[utf8]") {
  sandbox::SandboxOptions options;
  options.primero_password = kPassword;
  options.ping_token = kToken;
  auto box = sandbox::Sandbox::start(options).value();
  const auto kids = children();
  std::string rows = "{\"interventions\":[";
  for (const auto& c : kids) rows += (c.n > 1 ? "," : "") + row(c);
  rows += "]}";
  auto seeded = box->seed_ping_from_json(rows, "utf8-test");
  REQUIRE(seeded);
  REQUIRE(seeded.value().interventions == 6);

  // The sandbox serves the raw bytes as they were seeded (its JSON writer does not validate).
  CHECK(sandbox_get(box->ping_base_url() + "/v1/individuals/UTF8-IND-1").find("Ana\xFF\xFE\"") != std::string::npos);
  CHECK(sandbox_get(box->ping_base_url() + "/v1/individuals/UTF8-IND-4").find("Block 10 \xE2\x82\"") != std::string::npos);

  const Profile profile = load_profile(REFBRIDGE_PROFILE_PATH).value();
  std::ostringstream log_text;
  Logger log{log_text};
  auto ledger = open_sqlite_ledger(":memory:").value();
  workflows::SyncSettings sync;
  const workflows::Sleeper sleep = [](std::chrono::milliseconds) {};
  const FixedClock clock(std::chrono::sys_days{std::chrono::year{2025} / 1 / 1});
  auto ping_transport = make_curl_transport({});
  auto primero_transport = make_curl_transport({});
  auto ping_auth = make_static_bearer(kToken);
  auto primero_auth = make_basic_auth("primero_api", kPassword);
  auto ping_conn = ApiConnection::create(box->ping_base_url(), *ping_transport, *ping_auth).value();
  auto primero_conn = ApiConnection::create(box->primero_base_url(), *primero_transport, *primero_auth).value();
  ping::PingClient ping(ping_conn);
  primero::PrimeroClient primero(primero_conn);
  const workflows::EngineDeps engine{*ledger, sync, clock, log, sleep};
  const auto report = workflows::run_referrals_to_primero({ping, primero, profile, engine, 4});

  REQUIRE_FALSE(report.aborted());
  CHECK(report.records().size() == 6);
  CHECK(report.count(RecordState::kRejected) == 4);
  CHECK(report.count(RecordState::kDelivered) == 2);
  std::map<std::string, workflows::RecordOutcome> by_key;
  for (const auto& r : report.records()) by_key[r.key] = r;

  rapidjson::Document cases;
  cases.Parse(box->primero_cases_json().c_str());
  REQUIRE(cases.IsObject());
  auto cases_of = [&](const std::string& individual_no) {
    int n = 0;
    for (const auto& c : cases["data"].GetArray()) {
      if (c.HasMember("unhcr_individual_no") && individual_no == c["unhcr_individual_no"].GetString()) ++n;
    }
    return n;
  };
  CHECK(box->primero_case_count() == 2);

  for (const auto& c : kids) {
    INFO(c.number() << ": " << (by_key.count(c.number()) ? by_key.at(c.number()).rule + " " + by_key.at(c.number()).reason : ""));
    REQUIRE(by_key.count(c.number()) == 1);
    const auto& out = by_key.at(c.number());
    const auto history = box->transfer_history(out.source_id);
    REQUIRE(history.size() == 1);
    if (c.expected_reason.empty()) {
      CHECK(out.state == RecordState::kDelivered);
      CHECK(history[0].transfer_status == "transferred");
      CHECK(cases_of(c.person()) == 1);
      continue;
    }
    CHECK(out.state == RecordState::kRejected);
    CHECK(out.rule == "invalid-utf8");
    CHECK(out.reason == c.expected_reason);
    CHECK(history[0].transfer_status == "failed");
    CHECK_THAT(history[0].reason.value_or(""), Catch::StartsWith("invalid-utf8: "));
    CHECK(history[0].reason.value_or("") == "invalid-utf8: " + c.expected_reason);
    CHECK(cases_of(c.person()) == 0);
  }
  // Delivered text is byte for byte what PING held; no invalid byte and no refused value is logged.
  CHECK(box->primero_cases_json().find("Jos\xC3\xA9 \xF0\x9F\x98\x80") != std::string::npos);
  CHECK(log_text.str().find("\xFF") == std::string::npos);
  CHECK(box->primero_cases_json().find("\xFF") == std::string::npos);
}
