// Workflow 2.1 end to end: Primero referrals to UNHCR held by the Primero sandbox (the pilot's
// fixtures getPrimeroCases.json / getPrimeroReferral.json, plus synthetic referrals-to-UNHCR cases
// written through the sandbox's API paths) travel to the PING sandbox's ingestion API through the
// generated clients and the generated transform; PING keeps each ingested referral as an incoming
// referral (its payload under "ingestedReferral").
#include "referrals_to_progres.h"
#include "refbridge/ledger.h"

#include "refbridge/ping/serde.h"
#include "refbridge/primero/serde.h"
#include "refbridge/api_connection.h"
#include "refbridge/auth.h"
#include "refbridge/http.h"
#include "refbridge/json.h"
#include "refbridge/log.h"
#include "refbridge/profile.h"
#include "sandbox.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <catch2/catch.hpp>

#include <map>
#include <sstream>

using namespace refbridge;
using workflows::RecordState;

namespace {

constexpr const char* kToken = "test-ping-token-1234";
constexpr const char* kPassword = "test-primero-password-1234";
constexpr int kSynthetic = 5;
constexpr std::uint64_t kSeed = 21;

// The worked example of openfn-primero-progres.md §6.2.
const std::string kFixtureKey = "f59e880e-d58f-4b68-ba6e-e0616a49aefd#eb097be51d89";
const std::string kFixtureRecordId = "406b539a-e662-425e-810b-47e4fa7da496";
// The fixture case's second referral: to unhcr_cw, with service_record_id "" (no service row).
const std::string kNoRowKey = "f59e880e-d58f-4b68-ba6e-e0616a49aefd#referral-4c58d02f-3182-4006-b2fe-96aa797f5ee7";

std::unique_ptr<sandbox::Sandbox> start_sandbox() {
  sandbox::SandboxOptions options;
  options.primero_password = kPassword;
  options.ping_token = kToken;
  auto box = sandbox::Sandbox::start(options);
  REQUIRE(box);
  return std::move(box).value();
}

struct Harness {
  std::unique_ptr<sandbox::Sandbox> box = start_sandbox();
  Profile profile;
  SystemClock clock;
  std::ostringstream log_text;
  Logger log{log_text};
  std::unique_ptr<Ledger> ledger = open_sqlite_ledger(":memory:").value();
  workflows::SyncSettings sync = [] {
    workflows::SyncSettings s;
    s.retry_initial = std::chrono::seconds(0);  // a failed record is retried by the very next run
    s.ingestion_poll_interval = std::chrono::milliseconds(1);
    s.primero_page_size = 2;                    // several pages of cases
    s.initial_cursor = "2021-01-01T00:00:00.000Z";  // before the pilot's fixture cases
    return s;
  }();
  workflows::UnhcrIdentity unhcr = [] {
    workflows::UnhcrIdentity u;
    u.user_names = {"unhcr_cw@cpims-gambella.primero.org", "unhcr_cw"};
    u.agencies = {"UNHCR"};
    u.fallback_contact_user = "cpims_admin";
    return u;
  }();
  workflows::Sleeper sleep = [](std::chrono::milliseconds) {};
  std::vector<sandbox::SyntheticCase> cases;

  std::unique_ptr<HttpTransport> primero_transport = make_curl_transport({});
  std::unique_ptr<Authenticator> primero_auth = make_basic_auth("primero_api", kPassword);
  ApiConnection primero_conn = ApiConnection::create(box->primero_base_url(), *primero_transport, *primero_auth).value();

  Harness() {
    auto seeded = box->seed_primero_from_fixtures(REFBRIDGE_FIXTURES_DIR);
    REQUIRE(seeded);
    REQUIRE(seeded.value().referrals == 2);
    auto synthetic = box->seed_synthetic_primero_cases(kSynthetic, sandbox::SyntheticCaseKind::kReferralsToUnhcr, kSeed);
    REQUIRE(synthetic);
    cases = synthetic.value();
    REQUIRE(cases.size() == static_cast<std::size_t>(kSynthetic));
    profile = load_profile(REFBRIDGE_PROFILE_PATH).value();
  }

  workflows::RunReport run() {
    auto ping_transport = make_curl_transport({});
    auto ping_auth = make_static_bearer(kToken);
    auto ping_conn = ApiConnection::create(box->ping_base_url(), *ping_transport, *ping_auth).value();
    ping::PingClient ping(ping_conn);
    primero::PrimeroClient primero(primero_conn);
    const workflows::EngineDeps engine{*ledger, sync, clock, log, sleep};
    const workflows::ReferralsToProgresDeps deps{ping, primero, profile, unhcr, engine};
    auto report = workflows::run_referrals_to_progres(deps);
    INFO(report.to_json());
    CHECK_FALSE(report.aborted());
    return report;
  }

  /// PING's ingested referrals by their id (progres_orgreferralid), as JSON text each; fails the
  /// test when one id was ingested into two incoming referrals.
  std::map<std::string, std::string> ingested() const {
    rapidjson::Document doc;
    doc.Parse(box->ping_incoming_referrals_json().c_str());
    REQUIRE_FALSE(doc.HasParseError());
    std::map<std::string, std::string> out;
    for (const auto& r : doc["data"].GetArray()) {
      if (!r.HasMember("ingestedReferral")) continue;
      const auto& body = r["ingestedReferral"];
      const std::string id = body["id"].GetString();
      REQUIRE(out.count(id) == 0);
      out[id] = json_text(body);
    }
    return out;
  }

  static std::string json_text(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return buf.GetString();
  }
};

std::map<std::string, workflows::RecordOutcome> by_key(const workflows::RunReport& report) {
  std::map<std::string, workflows::RecordOutcome> out;
  for (const auto& r : report.records()) out[r.key] = r;
  return out;
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("the pilot's referral reaches PING with the worked example's values, then a rerun sends nothing") {
  Harness h;
  const auto report = h.run();
  auto out = by_key(report);
  REQUIRE(out.count(kFixtureKey) == 1);
  CHECK(out.at(kFixtureKey).state == RecordState::kDelivered);
  CHECK(out.at(kFixtureKey).ids.at("referral_id") == "1e5be7bd-7357-4790-a880-ccaca3f47b5a");
  REQUIRE(out.count(kNoRowKey) == 1);
  CHECK(out.at(kNoRowKey).state == RecordState::kRejected);
  CHECK(out.at(kNoRowKey).rule == "no-service-row");
  for (const auto& c : h.cases) {
    REQUIRE(out.count(c.org_referral_id()) == 1);
    CHECK(out.at(c.org_referral_id()).state == RecordState::kDelivered);
  }
  CHECK(report.count(RecordState::kDelivered) == kSynthetic + 1);
  CHECK(report.count(RecordState::kRejected) == 1);
  CHECK(report.count(RecordState::kFailed) == 0);
  CHECK(occurrences(h.log_text.str(), "page.read") >= 4);  // 7 cases, 2 per page

  const auto ingested = h.ingested();
  CHECK(ingested.size() == static_cast<std::size_t>(kSynthetic + 1));
  REQUIRE(ingested.count(kFixtureKey) == 1);
  auto body = json::parse<ping::IncomingReferral>(ingested.at(kFixtureKey));
  REQUIRE(body);
  const auto& b = body.value();
  CHECK(b.id == kFixtureKey);
  CHECK(b.primero_user == "openfn_testing");
  CHECK(b.service_type == "Family Reunification Service");
  CHECK(b.service_referral_notes == std::string("sample reason"));
  CHECK(b.unhcr_individual_no == std::string("911-9739H297"));
  CHECK(b.unhcr_id_no == std::string("911-14H0271"));
  CHECK(b.name_first == "Aicha");
  CHECK(b.name_last == "Diallo");
  CHECK(b.name_middle.is_absent());    // absent optional members are omitted, not null (mapping spec, item 6)
  CHECK(b.name_nickname.is_absent());
  CHECK(b.telephone_current.is_absent());
  CHECK(b.date_of_birth == CalendarDate::parse("2008-01-01").value());
  CHECK(b.sex == std::string("female"));
  CHECK(b.language == std::string("Dinka"));
  CHECK(b.service_implementing_agency == "UNICEF");
  CHECK(b.owned_by_agency_id == std::string("UNICEF"));
  // The referring user (openfn_testing) is known to Primero: its contact, not the fallback.
  CHECK(b.email == std::string("openfn.testing@sandbox.invalid"));
  CHECK(h.log_text.str().find("sandbox.invalid") == std::string::npos);
  CHECK(h.log_text.str().find("Aicha") == std::string::npos);

  const auto transactions = h.box->transaction_count();
  const auto again = h.run();
  CHECK(h.box->transaction_count() == transactions);
  CHECK(again.count(RecordState::kDelivered) == 0);
  CHECK(again.count(RecordState::kFailed) == 0);
  for (const auto& r : again.records()) {
    if (r.state == RecordState::kSkipped) CHECK(r.rule == "already-delivered");
  }
  CHECK(h.ingested() == ingested);
}

TEST_CASE("a failed ingestion fails its records, then the next run delivers them without duplicates in PING") {
  Harness h;
  h.box->fail_next_ingestions(1);  // the first page's ingestion: the pilot's referral
  auto report = h.run();
  auto out = by_key(report);
  REQUIRE(out.count(kFixtureKey) == 1);
  CHECK(out.at(kFixtureKey).state == RecordState::kFailed);
  CHECK(out.at(kFixtureKey).rule == "ingestion-failed");
  CHECK(report.count(RecordState::kDelivered) == kSynthetic);
  CHECK(h.ingested().count(kFixtureKey) == 0);

  report = h.run();
  out = by_key(report);
  CHECK(out.at(kFixtureKey).state == RecordState::kDelivered);
  CHECK(report.count(RecordState::kFailed) == 0);
  const auto ingested = h.ingested();  // fails on a referral ingested twice
  CHECK(ingested.size() == static_cast<std::size_t>(kSynthetic + 1));
  CHECK(ingested.count(kFixtureKey) == 1);
  auto row = h.ledger->find("2.1", kFixtureKey);
  REQUIRE(row);
  REQUIRE(row.value());
  CHECK(row.value()->state == LedgerState::kDelivered);
  CHECK(row.value()->attempts == 0);  // delivered: attempts count failures only
}

TEST_CASE("a second referral created later on an already-read case is picked up by the next run") {
  Harness h;
  h.run();
  const auto& c = h.cases.front();
  const std::string second_row = "7d0c2b4e-1f3a-4c5d-9e8f-a1b2c3d4e5f6";

  // A caseworker adds a UNHCR service row and refers it to the UNHCR focal user.
  primero::PrimeroClient primero(h.primero_conn);
  auto current = primero.get_case({.id = c.record_id});
  REQUIRE(current);
  auto rows = current.value().data.services_section;
  REQUIRE(rows);
  primero::Service added;
  added.unique_id = second_row;
  added.service_type = std::string("alternative_care");
  added.service_implementing_agency = std::string("UNHCR");
  std::vector<primero::Service> all = *rows;
  all.push_back(added);
  primero::Case patch;
  patch.services_section = all;
  auto patched = primero.update_case({.id = c.record_id, .body = primero::CaseEnvelope{.data = patch}});
  INFO((patched ? std::string() : patched.error().describe()));
  REQUIRE(patched);
  primero::ReferralEnvelope referral;
  referral.data.status = primero::ReferralStatus::kInProgress;
  referral.data.record_id = c.record_id;
  referral.data.transitioned_to = std::string("unhcr_cw@cpims-gambella.primero.org");
  referral.data.service_record_id = second_row;
  referral.data.service = std::string("alternative_care");
  auto created = primero.create_case_referral({.id = c.record_id, .body = referral});
  INFO((created ? std::string() : created.error().describe()));
  REQUIRE(created);

  const auto report = h.run();
  const auto out = by_key(report);
  const std::string new_key = c.case_id + "#" + second_row.substr(second_row.size() - 12);
  REQUIRE(out.count(new_key) == 1);
  CHECK(out.at(new_key).state == RecordState::kDelivered);
  CHECK(out.at(c.org_referral_id()).state == RecordState::kSkipped);
  CHECK(out.at(c.org_referral_id()).rule == "already-delivered");
  const auto ingested = h.ingested();
  REQUIRE(ingested.count(new_key) == 1);
  auto body = json::parse<ping::IncomingReferral>(ingested.at(new_key));
  REQUIRE(body);
  CHECK(body.value().service_type == "Alternative Care");
  CHECK(ingested.size() == static_cast<std::size_t>(kSynthetic + 2));
}
