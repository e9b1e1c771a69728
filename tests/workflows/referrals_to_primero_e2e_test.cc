// Workflow 1.1 end to end: the real pilot referrals travel from the PING sandbox into the Primero
// sandbox through the generated clients and the generated transform.
#include "referrals_to_primero.h"
#include "refbridge/ledger.h"

#include "refbridge/ping/serde.h"
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
#include <set>
#include <sstream>

using namespace refbridge;
using workflows::RecordState;

namespace {

constexpr const char* kToken = "test-ping-token-1234";
constexpr const char* kPassword = "test-primero-password-1234";

const std::string kBia = "811-23-PRTITV-1000095";
const std::string kAltCare = "989-22-PRTITV-0000051";

// 2025-01-01T00:00:00Z, the date of worked example 1 (age 10).
FixedClock worked_example_clock() {
  return FixedClock(std::chrono::sys_days{std::chrono::year{2025} / 1 / 1});
}

struct Harness {
  std::unique_ptr<sandbox::Sandbox> box;
  Profile profile;
  std::ostringstream log_text;
  Logger log{log_text};
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
    auto seeded = box->seed_ping_from_fixtures(REFBRIDGE_FIXTURES_DIR);
    REQUIRE(seeded);
    profile = load_profile(REFBRIDGE_PROFILE_PATH).value();
  }

  // One run with fresh connections; `primero_url` may point elsewhere to simulate an outage.
  // `token_login`: Primero's native login (on the sandbox's default 2.15: session cookie + CSRF).
  workflows::RunReport run(const Clock& clock, std::string primero_url = {}, std::string ping_token = kToken,
                           bool token_login = false) {
    auto ping_transport = make_curl_transport({});
    auto primero_transport = make_curl_transport({});
    auto ping_auth = make_static_bearer(ping_token);
    auto primero_auth = token_login ? make_primero_token_login(box->primero_base_url(), "primero_api", kPassword, *primero_transport)
                                    : make_basic_auth("primero_api", kPassword);
    auto ping_conn = ApiConnection::create(box->ping_base_url(), *ping_transport, *ping_auth).value();
    auto primero_conn = ApiConnection::create(primero_url.empty() ? box->primero_base_url() : primero_url,
                                              *primero_transport, *primero_auth)
                            .value();
    ping::PingClient ping(ping_conn);
    primero::PrimeroClient primero(primero_conn);
    const workflows::EngineDeps engine{*ledger, sync, clock, log, sleep};
    const workflows::ReferralsToPrimeroDeps deps{ping, primero, profile, engine, 3};
    return workflows::run_referrals_to_primero(deps);
  }

  rapidjson::Document cases() const {
    rapidjson::Document doc;
    doc.Parse(box->primero_cases_json().c_str());
    return doc;
  }

  // Cases whose unhcr_individual_no is `individual_no`.
  std::vector<const rapidjson::Value*> cases_of(const rapidjson::Document& doc, const std::string& individual_no) const {
    std::vector<const rapidjson::Value*> out;
    for (const auto& c : doc["data"].GetArray()) {
      if (c.HasMember("unhcr_individual_no") && individual_no == c["unhcr_individual_no"].GetString()) out.push_back(&c);
    }
    return out;
  }

  std::string intervention_id_of(const std::string& number) const {
    rapidjson::Document doc;
    doc.Parse(box->ping_interventions_json().c_str());
    for (const auto& i : doc["data"].GetArray()) {
      if (number == i["progres_interventionnumber"].GetString()) return i["progres_lpinterventionid"].GetString();
    }
    FAIL("no intervention " << number);
    return {};
  }
};

std::map<std::string, workflows::RecordOutcome> by_key(const workflows::RunReport& report) {
  std::map<std::string, workflows::RecordOutcome> out;
  for (const auto& r : report.records()) out[r.key] = r;
  return out;
}

std::string str(const rapidjson::Value& obj, const char* key) {
  REQUIRE(obj.HasMember(key));
  REQUIRE(obj[key].IsString());
  return obj[key].GetString();
}

}  // namespace

// Serializes, parses and serializes again: both texts must match and the values be equal.
template <class T>
void check_round_trip(const T& value) {
  const std::string once = json::serialize(value);
  auto again = json::parse<T>(once);
  INFO(once);
  REQUIRE(again);
  CHECK(again.value() == value);
  CHECK(json::serialize(again.value()) == once);
}

TEST_CASE("every PING model read from the seeded fixtures round-trips through its generated serializer") {
  Harness h;
  auto transport = make_curl_transport({});
  auto auth = make_static_bearer(kToken);
  auto conn = ApiConnection::create(h.box->ping_base_url(), *transport, *auth).value();
  ping::PingClient ping(conn);
  auto page = ping.list_outgoing_referrals({.transferStatus = ping::TransferStatusValue::kPending, .pageSize = 1000});
  REQUIRE(page);
  check_round_trip(page.value());
  REQUIRE(page.value().items.size() == h.box->intervention_ids().size());
  for (const auto& summary : page.value().items) {
    INFO(summary.progres_interventionnumber);
    auto intervention = ping.get_intervention({.interventionId = summary.progres_lpinterventionid});
    REQUIRE(intervention);
    check_round_trip(intervention.value());
    auto individual = ping.get_individual({.individualId = summary.progres_individualid});
    REQUIRE(individual);
    check_round_trip(individual.value());
    auto languages = ping.list_individual_languages({.individualId = summary.progres_individualid});
    REQUIRE(languages);
    check_round_trip(languages.value());
    auto needs = ping.list_individual_specific_needs({.individualId = summary.progres_individualid});
    REQUIRE(needs);
    check_round_trip(needs.value());
  }
}

TEST_CASE("the two accepted-type referrals are delivered and every other one is rejected with its rule") {
  Harness h;
  const auto clock = worked_example_clock();
  const auto report = h.run(clock);
  REQUIRE_FALSE(report.aborted());
  CHECK(report.count(RecordState::kDelivered) == 2);
  CHECK(report.count(RecordState::kFailed) == 0);
  CHECK(report.count(RecordState::kSkipped) == 0);
  CHECK(report.count(RecordState::kRejected) == report.records().size() - 2);
  CHECK(report.records().size() == h.box->intervention_ids().size());

  const auto outcomes = by_key(report);
  CHECK(outcomes.at(kBia).state == RecordState::kDelivered);
  CHECK(outcomes.at(kAltCare).state == RecordState::kDelivered);
  CHECK(outcomes.at("DAD-21-PRTITV-0000141").rule == "accepted-type-gate");
  CHECK_THAT(outcomes.at("DAD-21-PRTITV-0000141").reason, Catch::Contains("'Accessibility'"));
  CHECK(outcomes.at("DAD-21-PRTITV-0000201").rule == "accepted-type-gate");
  CHECK_THAT(outcomes.at("DAD-21-PRTITV-0000201").reason, Catch::Contains("'BID / BIA conducted'"));
  CHECK(outcomes.at("NUR-21-PRTITV-0000079").rule == "required-fields");

  // PING learns the outcome: transferred with the case ids, or failed with the reason.
  const auto delivered_history = h.box->transfer_history(h.intervention_id_of(kAltCare));
  REQUIRE(delivered_history.size() == 1);
  CHECK(delivered_history[0].transfer_status == "transferred");
  CHECK(delivered_history[0].primero_case_id == outcomes.at(kAltCare).ids.at("case_id"));
  const auto rejected_history = h.box->transfer_history(h.intervention_id_of("DAD-21-PRTITV-0000141"));
  REQUIRE(rejected_history.size() == 1);
  CHECK(rejected_history[0].transfer_status == "failed");
  CHECK_THAT(rejected_history[0].reason.value_or(""), Catch::StartsWith("accepted-type-gate: "));
}

TEST_CASE("the case of 989-00000226 carries the values of worked example 1") {
  Harness h;
  const auto clock = worked_example_clock();
  REQUIRE(h.run(clock).count(RecordState::kDelivered) == 2);
  const auto doc = h.cases();
  const auto found = h.cases_of(doc, "989-00000226");
  REQUIRE(found.size() == 1);
  const auto& c = *found[0];
  CHECK(str(c, "unhcr_id_no") == "989-22-00200");
  CHECK(str(c, "name_first") == "Alfred");
  CHECK(str(c, "name_last") == "S-C");
  CHECK(str(c, "name_nickname") == "Alfie");
  CHECK(str(c, "date_of_birth") == "2014-06-06");
  CHECK(c["age"].GetInt() == 10);
  CHECK(str(c, "sex") == "male");
  CHECK(str(c, "telephone_current") == "+4612312345");
  CHECK(str(c, "address_current") == "Gambela Agnuak Abobo");  // improvement: no trailing blanks
  REQUIRE(c["language"].Size() == 1);
  CHECK(std::string(c["language"][0].GetString()) == "language6");
  CHECK(str(c, "status") == "open");
  CHECK(str(c, "owned_by") == "progresv4_primero_intake@cpims-gambella.primero.org");
  CHECK(str(c, "module_id") == "primeromodule-cp");
  REQUIRE(c["services_section"].Size() == 1);
  const auto& s = c["services_section"][0];
  // Primero stores date-times as UTC milliseconds (the workflow sends "2022-08-22T00:00:00Z").
  CHECK(str(s, "service_response_day_time") == "2022-08-22T00:00:00.000Z");
  CHECK(s["service_request_external"].GetBool());
  CHECK(str(s, "service_request_title") == "Associate Child Protection and SGBV Officer");
  CHECK(str(s, "service_request_agency") == "UNHCR");
  CHECK(str(s, "service_request_email") == "scl-test@unhcr.org");
  CHECK(str(s, "service_referral_notes") == " This is a check for the address ");
  CHECK(str(s, "service_type") == "alternative_care");
  CHECK(str(s, "service_implementing_agency") == "UNICEF");
  CHECK(str(s, "service_response_type") == "service_provision");
  CHECK(str(s, "service_referral") == "external_referral");
  CHECK(str(s, "unhcr_referral_status") == "pending");
  CHECK(str(s, "progres_interventionnumber") == kAltCare);
  CHECK(str(s, "unique_id").size() == 36);
}

TEST_CASE("a second run and a re-queued intervention create no second case and no second service row") {
  Harness h;
  const auto clock = worked_example_clock();
  REQUIRE(h.run(clock).count(RecordState::kDelivered) == 2);
  const auto first = h.cases();
  const auto first_service = str(h.cases_of(first, "989-00000226")[0]->operator[]("services_section")[0], "unique_id");

  // Nothing is pending any more: the second run has nothing to do.
  const auto again = h.run(clock);
  CHECK(again.records().empty());
  CHECK(h.box->primero_case_count() == 2);

  // proGres re-sends the same referral: it updates the same case and the same service row.
  REQUIRE(h.box->requeue_intervention(h.intervention_id_of(kAltCare)));
  const auto requeued = h.run(clock);
  REQUIRE(requeued.records().size() == 1);
  CHECK(requeued.records()[0].state == RecordState::kDelivered);
  CHECK(requeued.records()[0].ids.at("action") == "updated");
  CHECK(h.box->primero_case_count() == 2);
  const auto after = h.cases();
  const auto found = h.cases_of(after, "989-00000226");
  REQUIRE(found.size() == 1);
  REQUIRE((*found[0])["services_section"].Size() == 1);
  CHECK(str((*found[0])["services_section"][0], "unique_id") == first_service);
}

TEST_CASE("an update keeps the existing case's owner and status and appends one service row") {
  Harness h;
  REQUIRE(h.box->add_primero_case(R"({"unhcr_individual_no":"803-100000519","owned_by":"primero_api",
      "status":"closed","services_section":[{"service_type":"alternative_care"}]})"));
  const auto clock = worked_example_clock();
  const auto report = h.run(clock);
  CHECK(by_key(report).at(kBia).ids.at("action") == "updated");
  const auto doc = h.cases();
  const auto found = h.cases_of(doc, "803-100000519");
  REQUIRE(found.size() == 1);
  CHECK(str(*found[0], "status") == "closed");
  CHECK(str(*found[0], "owned_by") == "primero_api");
  CHECK((*found[0])["services_section"].Size() == 2);
}

TEST_CASE("two Primero cases for one individual are an ambiguous match, not a guess") {
  Harness h;
  REQUIRE(h.box->add_primero_case(R"({"unhcr_individual_no":"989-00000226"})"));
  REQUIRE(h.box->add_primero_case(R"({"unhcr_individual_no":"989-00000226"})"));
  const auto clock = worked_example_clock();
  const auto outcome = by_key(h.run(clock)).at(kAltCare);
  CHECK(outcome.state == RecordState::kRejected);
  CHECK(outcome.rule == "ambiguous-match");
  CHECK(h.box->primero_case_count() == 3);  // two given + the BIA case
}

TEST_CASE("when Primero is unreachable the accepted referrals fail, stay pending, and the next run delivers them") {
  Harness h;
  const auto clock = worked_example_clock();
  const auto outage = h.run(clock, "http://127.0.0.1:9");  // discard port: connection refused
  CHECK(outage.count(RecordState::kFailed) == 2);
  CHECK(outage.count(RecordState::kDelivered) == 0);
  CHECK(by_key(outage).at(kAltCare).rule == "transport");
  CHECK(h.box->transfer_status(h.intervention_id_of(kAltCare)) == std::optional<std::string>("pending"));
  CHECK(h.box->primero_case_count() == 0);

  const auto recovered = h.run(clock);
  CHECK(recovered.count(RecordState::kDelivered) == 2);
  CHECK(recovered.records().size() == 2);  // the rejected ones were reported back and are not pending
  CHECK(h.box->primero_case_count() == 2);
}

TEST_CASE("a wrong PING token aborts the run without touching any record") {
  Harness h;
  const auto clock = worked_example_clock();
  const auto report = h.run(clock, {}, "wrong-token-xxxx");
  CHECK(report.aborted());
  CHECK(report.records().empty());
  CHECK_THAT(report.abort_reason(), Catch::StartsWith("unauthorized"));
}

TEST_CASE("logs and the report carry ids and counts but no names, dates of birth or phone numbers") {
  Harness h;
  const auto clock = worked_example_clock();
  const auto report = h.run(clock);
  const auto text = h.log_text.str() + report.to_json();
  CHECK(text.find("989-22-PRTITV-0000051") != std::string::npos);
  for (const char* personal : {"Alfred", "Alfie", "S-C\"", "2014-06-06", "+4612312345", "Nguyen", "Thong", "Hermione",
                               "Granger", "+84963567890", "2002-12-16", kToken, kPassword}) {
    CHECK(text.find(personal) == std::string::npos);
  }
}

// The "No duplicate, ever" issue, item 1: several interventions per child (as real proGres data
// has), processed concurrently: one Primero case per child, one service row per intervention,
// and no ambiguity the program made itself.
TEST_CASE("four referrals per child at concurrency 8 and 32: one case per child, one service row per intervention") {
  for (const int concurrency : {8, 32}) {
    Harness h;
    h.sync.concurrency = concurrency;
    constexpr int kChildren = 50;
    REQUIRE(h.box->seed_synthetic_interventions(4 * kChildren, 7, 4));
    const FixedClock clock = worked_example_clock();
    const auto report = h.run(clock);
    INFO("concurrency " << concurrency);
    CHECK_FALSE(report.aborted());
    CHECK(report.count(RecordState::kDelivered) == 4 * kChildren + 2);  // + the 2 deliverable pilot fixtures
    CHECK(report.count(RecordState::kFailed) == 0);
    for (const auto& r : report.records()) CHECK(r.rule != "ambiguous-match");
    const auto doc = h.cases();
    int synthetic_cases = 0;
    for (const auto& c : doc["data"].GetArray()) {
      const std::string individual = c["unhcr_individual_no"].GetString();
      if (individual.rfind("SYN-IND-", 0) != 0) continue;
      ++synthetic_cases;
      CHECK(h.cases_of(doc, individual).size() == 1);
      REQUIRE(c.HasMember("services_section"));
      std::set<std::string> numbers;
      for (const auto& s : c["services_section"].GetArray()) numbers.insert(s["progres_interventionnumber"].GetString());
      CHECK(c["services_section"].Size() == 4);  // one row per intervention, none twice
      CHECK(numbers.size() == 4);
    }
    CHECK(synthetic_cases == kChildren);
  }
}

TEST_CASE("the native login of Primero 2.11+ (session cookie, CSRF token on writes) delivers as Basic does") {
  Harness h;
  const FixedClock clock = worked_example_clock();
  const auto report = h.run(clock, {}, kToken, /*token_login=*/true);
  INFO(report.to_json());
  CHECK_FALSE(report.aborted());
  CHECK(report.count(RecordState::kDelivered) == 2);
  CHECK(h.cases_of(h.cases(), "989-00000226").size() == 1);
}
