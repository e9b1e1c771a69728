// Workflow 1.2 end to end: Primero decisions seeded in the Primero sandbox (synthetic decision
// cases, written through the sandbox's API paths) travel to the PING sandbox's ingestion API
// through the generated clients and the generated transform; PING records them on the
// interventions (seeded as the synthetic interventions "SYN-<i>" the cases refer to).
#include "decisions_to_progres.h"
#include "refbridge/ledger.h"

#include "refbridge/primero/serde.h"
#include "refbridge/api_connection.h"
#include "refbridge/auth.h"
#include "refbridge/http.h"
#include "refbridge/json.h"
#include "refbridge/log.h"
#include "refbridge/profile.h"
#include "sandbox.h"

#include <rapidjson/document.h>

#include <catch2/catch.hpp>

#include <map>
#include <sstream>

using namespace refbridge;
using workflows::RecordState;

namespace {

constexpr const char* kToken = "test-ping-token-1234";
constexpr const char* kPassword = "test-primero-password-1234";
constexpr int kCases = 5;
constexpr std::uint64_t kSeed = 12;

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
    return s;
  }();
  workflows::Sleeper sleep = [](std::chrono::milliseconds) {};
  std::vector<sandbox::SyntheticCase> cases;
  std::map<std::string, std::string> intervention_ids;  // number -> progres_lpinterventionid

  std::unique_ptr<HttpTransport> primero_transport = make_curl_transport({});
  std::unique_ptr<Authenticator> primero_auth = make_basic_auth("primero_api", kPassword);
  ApiConnection primero_conn = ApiConnection::create(box->primero_base_url(), *primero_transport, *primero_auth).value();

  Harness() {
    REQUIRE(box->seed_synthetic_interventions(kCases, kSeed));
    auto seeded = box->seed_synthetic_primero_cases(kCases, sandbox::SyntheticCaseKind::kDecisions, kSeed);
    REQUIRE(seeded);
    cases = seeded.value();
    REQUIRE(cases.size() == static_cast<std::size_t>(kCases));
    profile = load_profile(REFBRIDGE_PROFILE_PATH).value();
    rapidjson::Document doc;
    doc.Parse(box->ping_interventions_json().c_str());
    for (const auto& i : doc["data"].GetArray()) {
      intervention_ids[i["progres_interventionnumber"].GetString()] = i["progres_lpinterventionid"].GetString();
    }
  }

  workflows::RunReport run() {
    auto ping_transport = make_curl_transport({});
    auto ping_auth = make_static_bearer(kToken);
    auto ping_conn = ApiConnection::create(box->ping_base_url(), *ping_transport, *ping_auth).value();
    ping::PingClient ping(ping_conn);
    primero::PrimeroClient primero(primero_conn);
    const workflows::EngineDeps engine{*ledger, sync, clock, log, sleep};
    const workflows::DecisionsToProgresDeps deps{ping, primero, profile, engine};
    auto report = workflows::run_decisions_to_progres(deps);
    INFO(report.to_json());
    CHECK_FALSE(report.aborted());
    return report;
  }

  // PATCH /api/v2/cases/{id} through the generated client, as a Primero user would edit the case.
  void patch_case(const std::string& record_id, const std::string& data_json) {
    auto data = json::parse<primero::Case>(data_json);
    REQUIRE(data);
    primero::PrimeroClient primero(primero_conn);
    auto r = primero.update_case({.id = record_id, .body = primero::CaseEnvelope{.data = data.value()}});
    INFO((r ? std::string() : r.error().describe()));
    REQUIRE(r);
  }

  // The decision row of synthetic case `i` (0-based) as Primero holds it now.
  std::pair<std::string, std::string> decision_of(std::size_t i) const {
    rapidjson::Document doc;
    doc.Parse(box->primero_case_json(cases[i].record_id).value().c_str());
    const auto& row = doc["services_section"][0];
    return {row["unhcr_referral_status"].GetString(),
            row.HasMember("unhcr_referral_rejection_reason") && row["unhcr_referral_rejection_reason"].IsString()
                ? row["unhcr_referral_rejection_reason"].GetString()
                : ""};
  }

  std::vector<sandbox::InterventionDecision> decisions_of(std::size_t i) const {
    return box->intervention_decisions(intervention_ids.at("SYN-" + std::to_string(i + 1)));
  }

  std::string key_of(std::size_t i) const { return cases[i].case_id + "/SYN-" + std::to_string(i + 1); }
};

std::map<std::string, workflows::RecordOutcome> by_key(const workflows::RunReport& report) {
  std::map<std::string, workflows::RecordOutcome> out;
  for (const auto& r : report.records()) out[r.key] = r;
  return out;
}

}  // namespace

TEST_CASE("accepted and rejected decisions reach PING over several pages, a rerun sends nothing") {
  Harness h;
  // A decision on an intervention number PING does not hold, added through POST /api/v2/cases.
  auto unknown = h.box->add_primero_case(
      R"({"module_id":"primeromodule-cp","name_first":"Unknown","services_section":[{"unique_id":)"
      R"("0a0b0c0d-0000-4000-8000-0000000000aa","progres_interventionnumber":"UNKNOWN-404",)"
      R"("service_referral":"external_referral","service_request_agency":"UNHCR","unhcr_referral_status":"accepted"}]})");
  REQUIRE(unknown);
  rapidjson::Document created;
  created.Parse(unknown.value().c_str());
  const std::string unknown_key = std::string(created["case_id"].GetString()) + "/UNKNOWN-404";

  const auto report = h.run();
  const auto rows = by_key(report);
  CHECK(report.count(RecordState::kDelivered) == kCases);
  CHECK(report.count(RecordState::kRejected) == 1);
  REQUIRE(rows.count(unknown_key) == 1);
  CHECK(rows.at(unknown_key).rule == "ingestion-rejected");
  CHECK_THAT(rows.at(unknown_key).reason, Catch::Contains("unknown-intervention"));

  int accepted = 0;
  int rejected = 0;
  for (std::size_t i = 0; i < h.cases.size(); ++i) {
    INFO("case " << i);
    CHECK(rows.at(h.key_of(i)).state == RecordState::kDelivered);
    const auto decisions = h.decisions_of(i);
    REQUIRE(decisions.size() == 1);
    CHECK(decisions[0].case_id == h.cases[i].case_id);
    const auto [status, reason] = h.decision_of(i);
    if (status == "accepted") {
      ++accepted;
      CHECK(decisions[0].status == "acknowledged");
      CHECK_FALSE(decisions[0].closure_reason);
    } else {
      ++rejected;
      CHECK(decisions[0].status == "rejected");
      CHECK(decisions[0].closure_reason == std::optional<std::string>(reason));
    }
  }
  CHECK(accepted > 0);
  CHECK(rejected > 0);
  const auto transactions = h.box->transaction_count();
  CHECK(transactions >= 3);  // 6 decisions, page size 2: each page is ingested before the cursor moves

  const auto rerun = h.run();
  CHECK(rerun.count(RecordState::kDelivered) == 0);
  CHECK(rerun.count(RecordState::kSkipped) == kCases + 1);  // already-sent, already-rejected
  CHECK(h.box->transaction_count() == transactions);
  for (std::size_t i = 0; i < h.cases.size(); ++i) CHECK(h.decisions_of(i).size() == 1);
  CHECK(h.log_text.str().find("Synth1") == std::string::npos);  // no names in the logs
}

TEST_CASE("an unrelated edit sends nothing, a changed decision is sent again") {
  Harness h;
  h.run();
  const auto transactions = h.box->transaction_count();

  h.patch_case(h.cases[0].record_id, R"({"name_first":"Edited"})");
  const auto edited = by_key(h.run());
  CHECK(edited.at(h.key_of(0)).rule == "already-sent");
  CHECK(h.box->transaction_count() == transactions);

  const auto [status, reason] = h.decision_of(0);
  const std::string flipped = status == "accepted" ? "rejected" : "accepted";
  h.patch_case(h.cases[0].record_id, R"({"services_section":[{"unique_id":")" + h.cases[0].service_unique_id +
                                         R"(","unhcr_referral_status":")" + flipped +
                                         R"(","unhcr_referral_rejection_reason":"Changed after review"}]})");
  const auto changed = by_key(h.run());
  CHECK(changed.at(h.key_of(0)).state == RecordState::kDelivered);
  CHECK(changed.at(h.key_of(1)).rule == "already-sent");
  CHECK(h.box->transaction_count() == transactions + 1);
  const auto decisions = h.decisions_of(0);
  REQUIRE(decisions.size() == 2);
  CHECK(decisions[1].status == (flipped == "accepted" ? "acknowledged" : "rejected"));
}

TEST_CASE("a failed ingestion leaves its records failed, the next run delivers them") {
  Harness h;
  h.box->fail_next_ingestions(1);  // the first page's transaction
  const auto first = h.run();
  const auto failed = first.count(RecordState::kFailed);
  CHECK(failed == 2);  // primero_page_size 2
  CHECK(first.count(RecordState::kDelivered) == kCases - failed);
  std::vector<std::string> failed_keys;
  for (const auto& r : first.records()) {
    if (r.state != RecordState::kFailed) continue;
    CHECK(r.rule == "ingestion-failed");
    failed_keys.push_back(r.key);
    CHECK(h.ledger->find("1.2", r.key).value()->state == LedgerState::kFailed);
  }
  std::size_t without_decision = 0;
  for (std::size_t i = 0; i < h.cases.size(); ++i) without_decision += h.decisions_of(i).empty() ? 1 : 0;
  CHECK(without_decision == failed);

  const auto second = by_key(h.run());
  CHECK(second.size() == static_cast<std::size_t>(kCases));  // not reported twice through the overlap
  for (const auto& key : failed_keys) {
    CHECK(second.at(key).state == RecordState::kDelivered);
    CHECK(h.ledger->find("1.2", key).value()->attempts == 0);  // delivered: attempts count failures only
  }
  for (std::size_t i = 0; i < h.cases.size(); ++i) CHECK(h.decisions_of(i).size() == 1);
}
