// Workflow 2.2 end to end: proGres decisions held by the PING sandbox reach the referrals of the
// Primero sandbox (seeded with the OpenFn fixtures) through the generated clients and the
// generated transform.
#include "decisions_to_primero.h"
#include "refbridge/ledger.h"

#include "refbridge/api_connection.h"
#include "refbridge/auth.h"
#include "refbridge/http.h"
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

// progresDecision__flow2-3.json designates this referral of this case (getPrimeroReferral.json).
const std::string kDecisionId = "d19321ea-778e-405e-841d-b24f247662e3";
const std::string kRecordId = "406b539a-e662-425e-810b-47e4fa7da496";
const std::string kReferralId = "1e5be7bd-7357-4790-a880-ccaca3f47b5a";
const std::string kOrgId = "f59e880e-d58f-4b68-ba6e-e0616a49aefd#eb097be51d89";

struct Harness {
  std::unique_ptr<sandbox::Sandbox> box;
  Profile profile;
  std::ostringstream log_text;
  Logger log{log_text};
  FixedClock clock{std::chrono::sys_days{std::chrono::year{2025} / 1 / 1}};
  std::unique_ptr<Ledger> ledger = open_sqlite_ledger(":memory:").value();
  workflows::SyncSettings sync = [] {
    workflows::SyncSettings s;
    s.retry_initial = std::chrono::seconds(0);  // a failed record is retried by the very next run
    return s;
  }();
  workflows::Sleeper sleep = [](std::chrono::milliseconds) {};

  Harness() {
    sandbox::SandboxOptions options;
    options.primero_password = kPassword;
    options.ping_token = kToken;
    box = sandbox::Sandbox::start(options).value();
    REQUIRE(box->seed_primero_from_fixtures(REFBRIDGE_FIXTURES_DIR));
    REQUIRE(box->seed_ping_decisions_from_fixtures(REFBRIDGE_FIXTURES_DIR));
    profile = load_profile(REFBRIDGE_PROFILE_PATH).value();
  }

  // One run with fresh connections; `primero_url` may point elsewhere to simulate an outage.
  workflows::RunReport run(int page_size = 100, std::string primero_url = {}) {
    auto ping_transport = make_curl_transport({});
    auto primero_transport = make_curl_transport({});
    auto ping_auth = make_static_bearer(kToken);
    auto primero_auth = make_basic_auth("primero_api", kPassword);
    auto ping_conn = ApiConnection::create(box->ping_base_url(), *ping_transport, *ping_auth).value();
    auto primero_conn = ApiConnection::create(primero_url.empty() ? box->primero_base_url() : primero_url,
                                              *primero_transport, *primero_auth)
                            .value();
    ping::PingClient ping(ping_conn);
    primero::PrimeroClient primero(primero_conn);
    const workflows::EngineDeps engine{*ledger, sync, clock, log, sleep};
    const workflows::DecisionsToPrimeroDeps deps{ping, primero, profile, engine, page_size};
    return workflows::run_decisions_to_primero(deps);
  }

  // The member `key` of referral `referral_id` of case `record_id` as Primero lists it ("" when absent).
  std::string referral_member(const std::string& record_id, const std::string& referral_id, const char* key) const {
    rapidjson::Document doc;
    doc.Parse(box->primero_referrals_json(record_id).value_or("{}").c_str());
    REQUIRE(doc.IsObject());
    for (const auto& r : doc["data"].GetArray()) {
      if (referral_id == r["id"].GetString()) return r.HasMember(key) && r[key].IsString() ? r[key].GetString() : "";
    }
    FAIL("no referral " << referral_id);
    return {};
  }

  std::string case_last_updated_at(const std::string& record_id) const {
    rapidjson::Document doc;
    doc.Parse(box->primero_case_json(record_id).value_or("{}").c_str());
    REQUIRE(doc.HasMember("last_updated_at"));
    return doc["last_updated_at"].GetString();
  }
};

std::map<std::string, workflows::RecordOutcome> by_key(const workflows::RunReport& report) {
  std::map<std::string, workflows::RecordOutcome> out;
  for (const auto& r : report.records()) out[r.key] = r;
  return out;
}

const workflows::RecordOutcome& the_one(const workflows::RunReport& report, RecordState state) {
  const workflows::RecordOutcome* found = nullptr;
  for (const auto& r : report.records()) {
    if (r.state == state) {
      REQUIRE(found == nullptr);
      found = &r;
    }
  }
  REQUIRE(found != nullptr);
  return *found;
}

}  // namespace

TEST_CASE("the fixture decision accepts its Primero referral, 125080003 with a placeholder id is rejected") {
  Harness h;
  REQUIRE(h.box->primero_referral_status(kRecordId, kReferralId) == std::optional<std::string>("in_progress"));
  const auto report = h.run();
  INFO(report.to_json());
  REQUIRE_FALSE(report.aborted());
  REQUIRE(report.records().size() == 2);

  const auto accepted = by_key(report).at(kDecisionId);
  CHECK(accepted.state == RecordState::kDelivered);
  CHECK(accepted.target_key == kReferralId);
  CHECK(h.box->primero_referral_status(kRecordId, kReferralId) == std::optional<std::string>("accepted"));
  CHECK_FALSE(h.referral_member(kRecordId, kReferralId, "responded_at").empty());
  // The other referral of the case (empty service_record_id) is untouched.
  CHECK(h.box->primero_referral_status(kRecordId, "4c58d02f-3182-4006-b2fe-96aa797f5ee7") ==
        std::optional<std::string>("in_progress"));
  CHECK(h.box->sync_status(kDecisionId) == std::optional<std::string>("synchronised"));
  const auto history = h.box->sync_history(kDecisionId);
  REQUIRE_FALSE(history.empty());
  CHECK(history.back().primero_referral_id == std::optional<std::string>(kReferralId));

  const auto& rejected = the_one(report, RecordState::kRejected);
  CHECK(rejected.rule == "lookup-referral_status");
  CHECK_THAT(rejected.reason, Catch::Contains("125080003"));
  CHECK(h.box->sync_status(rejected.key) == std::optional<std::string>("failed"));
  CHECK_THAT(h.box->sync_history(rejected.key).back().reason.value_or(""), Catch::StartsWith("lookup-referral_status: "));
}

TEST_CASE("a rerun, and a re-sent identical decision, change nothing in Primero") {
  Harness h;
  REQUIRE(h.run().count(RecordState::kDelivered) == 1);
  const auto responded_at = h.referral_member(kRecordId, kReferralId, "responded_at");
  const auto last_updated_at = h.case_last_updated_at(kRecordId);

  CHECK(h.run().records().empty());  // nothing pending any more

  // proGres re-sends the same decision (pending again): acknowledged without a second PATCH.
  REQUIRE(h.box->decide_incoming_referral(kOrgId, "125080000"));
  const auto again = h.run();
  REQUIRE(again.records().size() == 1);
  CHECK(again.records()[0].state == RecordState::kDelivered);
  CHECK(again.records()[0].ids.at("action") == "already-applied");
  CHECK(h.referral_member(kRecordId, kReferralId, "responded_at") == responded_at);
  CHECK(h.case_last_updated_at(kRecordId) == last_updated_at);
  CHECK(h.box->sync_status(kDecisionId) == std::optional<std::string>("synchronised"));

  // proGres changes its mind to a rejection: Primero cannot move accepted -> rejected.
  REQUIRE(h.box->decide_incoming_referral(kOrgId, "125080001", std::string("125080002")));
  const auto changed = h.run();
  REQUIRE(changed.records().size() == 1);
  CHECK(changed.records()[0].rule == "transition-impossible");
  CHECK(h.box->primero_referral_status(kRecordId, kReferralId) == std::optional<std::string>("accepted"));
  CHECK(h.box->sync_status(kDecisionId) == std::optional<std::string>("failed"));
  CHECK(h.case_last_updated_at(kRecordId) == last_updated_at);
}

TEST_CASE("decisions over several pages all reach their referrals") {
  Harness h;
  auto cases = h.box->seed_synthetic_primero_cases(5, sandbox::SyntheticCaseKind::kReferralsToUnhcr, 11);
  REQUIRE(cases);
  std::vector<std::string> org_ids;
  for (const auto& c : cases.value()) org_ids.push_back(c.org_referral_id());
  REQUIRE(h.box->seed_synthetic_decisions(org_ids, 11));

  const auto report = h.run(2);  // 7 decisions: 4 pages
  INFO(report.to_json());
  REQUIRE_FALSE(report.aborted());
  CHECK(report.records().size() == 7);
  CHECK(report.count(RecordState::kDelivered) == 6);
  CHECK(report.count(RecordState::kRejected) == 1);  // the 125080003 fixture
  for (const auto& c : cases.value()) {
    INFO(c.case_id);
    const auto status = h.box->primero_referral_status(c.record_id, c.referral_id);
    CHECK((status == std::optional<std::string>("accepted") || status == std::optional<std::string>("rejected")));
    const auto decision_id = h.box->incoming_referral_id(c.org_referral_id());
    REQUIRE(decision_id);
    CHECK(h.box->sync_status(*decision_id) == std::optional<std::string>("synchronised"));
    CHECK(by_key(report).at(*decision_id).target_key == c.referral_id);
  }
  std::size_t pages = 0;
  for (auto at = h.log_text.str().find("page.read"); at != std::string::npos; at = h.log_text.str().find("page.read", at + 1)) {
    ++pages;
  }
  CHECK(pages == 4);
  CHECK(h.run().records().empty());
}

TEST_CASE("when Primero is unreachable the decision fails, stays pending, and the next run delivers it") {
  Harness h;
  const auto outage = h.run(100, "http://127.0.0.1:9");  // discard port: connection refused
  INFO(outage.to_json());
  CHECK_FALSE(outage.aborted());
  const auto failed = by_key(outage).at(kDecisionId);
  CHECK(failed.state == RecordState::kFailed);
  CHECK(failed.rule == "transport");
  CHECK(outage.count(RecordState::kRejected) == 1);  // the 125080003 one needs no Primero
  CHECK(h.box->sync_status(kDecisionId) == std::optional<std::string>("pending"));
  CHECK(h.box->primero_referral_status(kRecordId, kReferralId) == std::optional<std::string>("in_progress"));

  const auto recovered = h.run();
  REQUIRE(recovered.records().size() == 1);
  CHECK(recovered.records()[0].state == RecordState::kDelivered);
  CHECK(h.box->primero_referral_status(kRecordId, kReferralId) == std::optional<std::string>("accepted"));
  CHECK(h.box->sync_status(kDecisionId) == std::optional<std::string>("synchronised"));
  const auto row = h.ledger->find("2.2", kDecisionId).value();
  REQUIRE(row);
  CHECK(row->attempts == 0);  // the outage charged no attempt, the delivery reset them
}

TEST_CASE("2.2 logs and report carry ids and codes but no names or free text") {
  Harness h;
  REQUIRE(h.box->decide_incoming_referral(kOrgId, "125080001", std::string("125080000"), std::string("Met Aicha at the desk")));
  const auto report = h.run();
  CHECK(h.referral_member(kRecordId, kReferralId, "rejected_reason") == "Individual Not Found: Met Aicha at the desk");
  const auto text = h.log_text.str() + report.to_json();
  CHECK(text.find(kDecisionId) != std::string::npos);
  for (const char* personal : {"Aicha", "Diallo", "desk", kToken, kPassword}) CHECK(text.find(personal) == std::string::npos);
}
