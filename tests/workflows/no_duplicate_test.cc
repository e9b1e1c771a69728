// "No duplicate, ever" for workflow 1.1 (the issue's items 1, 3, 4 and 6), against the generated
// fakes: several interventions per child at concurrency 8 with a Primero whose search lags behind
// its writes; attempts that count failures only; run-level failures that stop the run and charge
// no record; permanent HTTP statuses rejected with the status named; the breaker.
#include "referrals_to_primero_fixture.h"
#include "exit_status.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using namespace refbridge;
using namespace refbridge::referrals_test;
using workflows::RecordState;

namespace {

/// A summary of intervention `n` of individual `individual` (ids made up, shapes as PING's).
std::string summary(int n, const std::string& individual) {
  char guid[64];
  std::snprintf(guid, sizeof guid, "%08d-0000-4000-8000-000000000000", n);
  return R"({"progres_lpinterventionid":")" + std::string(guid) + R"(","progres_interventionnumber":"989-22-PRTITV-)" +
         std::to_string(1000000 + n) + R"(","progres_individualid":")" + individual + R"("})";
}

/// One page of `children` x `per_child` summaries, the interventions of a child interleaved with
/// the others' as PING lists them (by intervention number).
std::string page_of(int children, int per_child) {
  std::string items;
  int n = 0;
  for (int k = 0; k < per_child; ++k) {
    for (int c = 1; c <= children; ++c) {
      if (!items.empty()) items += ",";
      items += summary(++n, "989-" + std::to_string(10000000 + c));
    }
  }
  return R"({"items":[)" + items + "]}";
}

/// The fixture with one individual per progres_individualid asked for (progres_id = that id).
void individuals_by_id(Fixture& f) {
  f.ping.get_individual_handler = [&f](const ping::GetIndividualRequest& req) -> Result<ping::Individual> {
    ping::Individual i = f.in.individual;
    i.progres_id = req.individualId;
    return i;
  };
}

}  // namespace

TEST_CASE("four interventions per child at concurrency 8: one case per child although Primero's search never shows a new case") {
  Fixture f;
  f.sync.concurrency = 8;
  individuals_by_id(f);
  const std::string page = page_of(6, 4);
  f.ping.list_outgoing_referrals_handler = [&](const ping::ListOutgoingReferralsRequest&) {
    return json::parse<ping::ReferralSummaryPage>(page);
  };
  std::mutex mutex;
  std::map<std::string, int> in_flight_per_child;
  int in_flight = 0, peak_in_flight = 0, peak_per_child = 0;
  f.primero.list_cases_handler = [&](const primero::ListCasesRequest& req) {
    const std::string child = req.unhcr_individual_no.value_or("");
    {
      std::lock_guard lock(mutex);
      peak_per_child = std::max(peak_per_child, ++in_flight_per_child[child]);
      peak_in_flight = std::max(peak_in_flight, ++in_flight);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // a slow search: lets records overlap
    {
      std::lock_guard lock(mutex);
      --in_flight_per_child[child];
      --in_flight;
    }
    return json::parse<primero::CaseList>(R"({"data":[],"metadata":{"total":0,"per":50,"page":1}})");
  };
  std::atomic<int> created{0};
  std::map<std::string, std::string> case_of_child;  // unhcr_individual_no -> case_id
  f.primero.create_case_handler = [&](const primero::CreateCaseRequest& req) -> Result<std::optional<primero::CaseEnvelope>> {
    const std::string n = std::to_string(++created);
    {
      std::lock_guard lock(mutex);
      case_of_child[req.body.data.unhcr_individual_no.value_or("")] = "case-" + n;
    }
    REFBRIDGE_TRY(auto envelope, json::parse<primero::CaseEnvelope>(R"({"data":{"id":"0000000)" + n +
                                                                  R"(-0000-4000-8000-000000000000","case_id":"case-)" + n +
                                                                  R"("}})"));
    return std::optional<primero::CaseEnvelope>(std::move(envelope));
  };

  const auto report = f.run();
  INFO(report.to_json());
  CHECK_FALSE(report.aborted());
  CHECK(report.count(RecordState::kDelivered) == 24);
  CHECK(created == 6);                                     // one case per child
  CHECK(case_of_child.size() == 6);
  CHECK(f.primero.update_case_calls.size() == 18);         // the other 3 interventions of each child
  CHECK(peak_per_child == 1);                              // never two records of one child at once
  // (that different children run concurrently is the executor test's: the generated fake serialises its handlers)
  (void)peak_in_flight;
  std::set<std::string> updated_ids;
  for (const auto& u : f.primero.update_case_calls) updated_ids.insert(u.id);
  CHECK(updated_ids.size() == 6);
  // The ledger remembers which case it created for which child (case_targets.h).
  auto anchor = f.ledger->find("1.1/targets", "989-10000001").value();
  REQUIRE(anchor);
  CHECK(anchor->target_key == case_of_child["989-10000001"]);
  for (const auto& u : f.ping.update_transfer_status_calls) CHECK(u.body.transferStatus == ping::TransferStatusValue::kTransferred);
}

TEST_CASE("deliveries are not failed attempts: an intervention re-sent four times fails once, and is not exhausted") {
  Fixture f;
  f.sync.max_attempts = 2;
  const std::string page = R"({"items":[)" + summary(1, "989-00000226") + "]}";
  f.ping.list_outgoing_referrals_handler = [&](const ping::ListOutgoingReferralsRequest&) {
    return json::parse<ping::ReferralSummaryPage>(page);
  };
  for (int i = 0; i < 4; ++i) {
    REQUIRE(f.run().count(RecordState::kDelivered) == 1);
    CHECK(f.ledger->find("1.1", "989-22-PRTITV-1000001").value()->attempts == 0);
  }
  f.primero.update_case_handler = [](const primero::UpdateCaseRequest&) -> Result<primero::CaseEnvelope> {
    return make_error(ErrorCode::kServerError, "HTTP 500", 500);
  };
  f.ping.clear_calls();
  const auto report = f.run();
  REQUIRE(report.records().size() == 1);
  CHECK(report.records()[0].state == RecordState::kFailed);
  const auto row = f.ledger->find("1.1", "989-22-PRTITV-1000001").value().value();
  CHECK(row.state == LedgerState::kFailed);
  CHECK(row.attempts == 1);
  CHECK(f.ping.update_transfer_status_calls.empty());  // PING keeps it pending: retried next run
}

TEST_CASE("a wrong Primero password stops the run with exit 77 and charges no record, however often it runs") {
  Fixture f;
  const std::string page = R"({"items":[)" + summary(1, "989-00000226") + "," + summary(2, "989-00000227") + "]}";
  f.ping.list_outgoing_referrals_handler = [&](const ping::ListOutgoingReferralsRequest&) {
    return json::parse<ping::ReferralSummaryPage>(page);
  };
  f.primero.list_cases_handler = [](const primero::ListCasesRequest&) -> Result<primero::CaseList> {
    Error e = make_error(ErrorCode::kUnauthorized, "Invalid email or password", 401);
    e.system = "Primero";
    return e;
  };
  for (int run = 0; run < 6; ++run) {  // more runs than sync.max_attempts
    const auto report = f.run();
    INFO(report.to_json());
    CHECK(report.aborted());
    CHECK(report.exit_status() == workflows::kExitNoPermission);
    CHECK_THAT(report.abort_reason(), Catch::Contains("Primero") && Catch::Contains("401"));
    CHECK(report.records().empty());
  }
  CHECK(f.ping.update_transfer_status_calls.empty());  // PING was never told "failed"
  CHECK(f.primero.list_cases_calls.size() == 6);       // one record per run reached Primero, then the run stopped
  CHECK_FALSE(f.ledger->find("1.1", "989-22-PRTITV-1000001").value());
  // The password is fixed: everything is delivered.
  f.primero.list_cases_handler = [](const primero::ListCasesRequest&) {
    return json::parse<primero::CaseList>(R"({"data":[],"metadata":{"total":0,"per":50,"page":1}})");
  };
  const auto fixed = f.run();
  CHECK_FALSE(fixed.aborted());
  CHECK(fixed.count(RecordState::kDelivered) == 2);
}

TEST_CASE("a Primero 413 rejects the record with the status named and tells PING; it is not retried as transient") {
  Fixture f;
  const std::string page = R"({"items":[)" + summary(1, "989-00000226") + "]}";
  f.ping.list_outgoing_referrals_handler = [&](const ping::ListOutgoingReferralsRequest&) {
    return json::parse<ping::ReferralSummaryPage>(page);
  };
  f.primero.create_case_handler = [](const primero::CreateCaseRequest&) -> Result<std::optional<primero::CaseEnvelope>> {
    return make_error(ErrorCode::kHttp, "Payload Too Large", 413);
  };
  const auto report = f.run();
  REQUIRE(report.records().size() == 1);
  const auto& r = report.records()[0];
  CHECK(r.state == RecordState::kRejected);
  CHECK(r.rule == "http");
  CHECK_THAT(r.reason, Catch::Contains("HTTP 413"));
  REQUIRE(f.ping.update_transfer_status_calls.size() == 1);
  CHECK(f.ping.update_transfer_status_calls[0].body.transferStatus == ping::TransferStatusValue::kFailed);
  CHECK_THAT(f.ping.update_transfer_status_calls[0].body.reason.value_or(""), Catch::StartsWith("http: "));
  CHECK(f.ledger->find("1.1", "989-22-PRTITV-1000001").value()->state == LedgerState::kRejected);
}

TEST_CASE("an unreachable Primero trips the breaker: exit 69, no attempt counted, nothing told to PING") {
  Fixture f;
  f.sync.breaker_threshold = 5;
  individuals_by_id(f);
  const std::string page = page_of(30, 1);
  f.ping.list_outgoing_referrals_handler = [&](const ping::ListOutgoingReferralsRequest&) {
    return json::parse<ping::ReferralSummaryPage>(page);
  };
  f.primero.list_cases_handler = [](const primero::ListCasesRequest&) -> Result<primero::CaseList> {
    Error e = make_error(ErrorCode::kTransport, "Couldn't connect to server");
    e.system = "Primero";
    return e;
  };
  const auto report = f.run();
  INFO(report.to_json());
  CHECK(report.aborted());
  CHECK(report.exit_status() == workflows::kExitUnavailable);
  CHECK_THAT(report.abort_reason(), Catch::Contains("Primero unavailable: 5 consecutive records"));
  CHECK(report.count(RecordState::kFailed) == 5);  // concurrency 1: the five that tripped it
  CHECK(f.primero.list_cases_calls.size() == 5);  // the other 25 were not started
  CHECK(f.ping.update_transfer_status_calls.empty());
  const auto failed_rows = f.ledger->list("1.1", LedgerState::kFailed, 100).value();
  CHECK(failed_rows.size() == 5);
  for (const auto& row : failed_rows) {
    CHECK(row.attempts == 0);
    CHECK_FALSE(row.next_attempt_at);  // due at once next run: the outage was not the record's fault
  }
}

TEST_CASE("invalid UTF-8 in Primero's answer to a write fails the record for retry; PING is not told it failed") {
  Fixture f;
  const std::string page = R"({"items":[)" + summary(1, "989-00000226") + "]}";
  f.ping.list_outgoing_referrals_handler = [&](const ping::ListOutgoingReferralsRequest&) {
    return json::parse<ping::ReferralSummaryPage>(page);
  };
  f.primero.create_case_handler = [](const primero::CreateCaseRequest&) -> Result<std::optional<primero::CaseEnvelope>> {
    return make_rejection("invalid-utf8", "$.data.name_first: invalid UTF-8 (invalid byte 0xFF at byte 0 of the string)");
  };
  const auto report = f.run();
  REQUIRE(report.records().size() == 1);
  CHECK(report.records()[0].state == RecordState::kFailed);  // Primero may hold the case: redone, keyed
  CHECK(report.records()[0].rule == "invalid_response");
  CHECK(f.ping.update_transfer_status_calls.empty());
}
