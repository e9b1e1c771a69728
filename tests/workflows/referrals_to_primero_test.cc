// Workflow 1.1 as a unit, against the generated in-memory fakes (ping::FakePing,
// primero::FakePrimero): no sandbox, no network. The record data is worked example 1
// (referralFromProgres_sample2408022.json) split into PING models by the mapping tests' helper.
#include "referrals_to_primero_fixture.h"

using namespace refbridge;
using namespace refbridge::referrals_test;
using workflows::RecordState;

TEST_CASE("two pages of summaries are both processed, lazily and with the page token") {
  Fixture f;
  const std::string a = summary_json("989-22-PRTITV-0000001", f.in);
  const std::string b = summary_json("989-22-PRTITV-0000002", f.in);
  const std::string c = summary_json("989-22-PRTITV-0000003", f.in);
  f.ping.list_outgoing_referrals_handler = [&](const ping::ListOutgoingReferralsRequest& req) {
    return json::parse<ping::ReferralSummaryPage>(req.pageToken ? R"({"items":[)" + c + "]}"
                                                                : R"({"items":[)" + a + "," + b + R"(],"nextPageToken":"p2"})");
  };
  const auto report = f.run();
  INFO(report.to_json());
  CHECK_FALSE(report.aborted());
  REQUIRE(report.records().size() == 3);
  CHECK(report.count(RecordState::kDelivered) == 3);
  CHECK(report.records()[2].key == "989-22-PRTITV-0000003");

  const auto& lists = f.ping.list_outgoing_referrals_calls;
  REQUIRE(lists.size() == 2);
  CHECK(lists[0].transferStatus == ping::TransferStatusValue::kPending);
  CHECK(lists[0].pageSize == 2);
  CHECK_FALSE(lists[0].pageToken);
  CHECK(lists[1].pageToken == std::optional<std::string>("p2"));
  CHECK(lists[1].transferStatus == ping::TransferStatusValue::kPending);
  // Page 2 is fetched only after page 1's records are done (lazy range).
  CHECK(f.ping.calls.front() == "listOutgoingReferrals");
  std::size_t second_list = 0;
  for (std::size_t i = 1; i < f.ping.calls.size(); ++i) {
    if (f.ping.calls[i] == "listOutgoingReferrals") second_list = i;
  }
  CHECK(second_list == 11);  // after page 1's two records: 2 x (4 reads + 1 status update)

  // Three interventions of one child: one case, created once, then updated (the ledger knows the
  // case although this Primero's search never shows it).
  REQUIRE(f.primero.create_case_calls.size() == 1);
  CHECK(f.primero.create_case_calls[0].body.data.unhcr_individual_no == std::string("989-00000226"));
  CHECK(f.primero.update_case_calls.size() == 2);
  REQUIRE(f.primero.list_cases_calls.size() == 3);
  CHECK(f.primero.list_cases_calls[0].unhcr_individual_no == std::optional<std::string>("989-00000226"));
  REQUIRE(f.ping.update_transfer_status_calls.size() == 3);
  for (const auto& u : f.ping.update_transfer_status_calls) {
    CHECK(u.interventionId == f.in.intervention.progres_lpinterventionid);
    CHECK(u.body.transferStatus == ping::TransferStatusValue::kTransferred);
  }
  CHECK(f.ping.update_transfer_status_calls[2].body.primeroCaseId == std::string("case-1"));
}

TEST_CASE("a 503 on createCase fails the record and leaves PING's transfer status alone") {
  Fixture f;
  const std::string page = R"({"items":[)" + summary_json("989-22-PRTITV-0000001", f.in) + "]}";
  f.ping.list_outgoing_referrals_handler = [&](const ping::ListOutgoingReferralsRequest&) {
    return json::parse<ping::ReferralSummaryPage>(page);
  };
  f.primero.create_case_handler = [](const primero::CreateCaseRequest&) -> Result<std::optional<primero::CaseEnvelope>> {
    return make_error(ErrorCode::kServerError, "HTTP 503", 503);
  };
  const auto report = f.run();
  CHECK_FALSE(report.aborted());
  REQUIRE(report.records().size() == 1);
  const auto& r = report.records().front();
  CHECK(r.state == RecordState::kFailed);
  CHECK(r.rule == "server_error");
  CHECK_THAT(r.reason, Catch::Contains("503"));
  CHECK(f.primero.create_case_calls.size() == 1);
  CHECK(f.ping.update_transfer_status_calls.empty());
}

TEST_CASE("a rejected record is reported back to PING as failed") {
  Fixture f;
  const std::string page = R"({"items":[)" + summary_json("989-22-PRTITV-0000001", f.in) + "]}";
  f.ping.list_outgoing_referrals_handler = [&](const ping::ListOutgoingReferralsRequest&) {
    return json::parse<ping::ReferralSummaryPage>(page);
  };
  f.primero.list_cases_handler = [](const primero::ListCasesRequest&) {
    return json::parse<primero::CaseList>(
        R"({"data":[{"id":"00000001-0000-4000-8000-000000000000","unhcr_individual_no":"989-00000226"},)"
        R"({"id":"00000002-0000-4000-8000-000000000000","unhcr_individual_no":"989-00000226"}],)"
        R"("metadata":{"total":2,"per":50,"page":1}})");
  };
  const auto report = f.run();
  REQUIRE(report.records().size() == 1);
  CHECK(report.records().front().state == RecordState::kRejected);
  CHECK(report.records().front().rule == "ambiguous-match");
  CHECK(f.primero.create_case_calls.empty());
  REQUIRE(f.ping.update_transfer_status_calls.size() == 1);
  CHECK(f.ping.update_transfer_status_calls[0].body.transferStatus == ping::TransferStatusValue::kFailed);
}

TEST_CASE("a page token PING repeats aborts the run after its page instead of looping") {
  Fixture f;
  const std::string page = R"({"items":[)" + summary_json("989-22-PRTITV-0000001", f.in) + R"(],"nextPageToken":"same"})";
  f.ping.list_outgoing_referrals_handler = [&](const ping::ListOutgoingReferralsRequest&) {
    return json::parse<ping::ReferralSummaryPage>(page);
  };
  const auto report = f.run();
  CHECK(report.aborted());
  CHECK_THAT(report.abort_reason(), Catch::Contains("page token a second time"));
  CHECK(f.ping.list_outgoing_referrals_calls.size() == 2);
  CHECK(report.records().size() == 2);  // both pages' records were processed
}

TEST_CASE("a listing error aborts the run before any record") {
  Fixture f;
  f.ping.list_outgoing_referrals_handler = [](const ping::ListOutgoingReferralsRequest&) -> Result<ping::ReferralSummaryPage> {
    return make_error(ErrorCode::kUnauthorized, "invalid token", 401);
  };
  const auto report = f.run();
  CHECK(report.aborted());
  CHECK_THAT(report.abort_reason(), Catch::StartsWith("unauthorized"));
  CHECK(report.records().empty());
  CHECK(f.ping.calls == std::vector<std::string>{"listOutgoingReferrals"});
  CHECK(f.primero.calls.empty());
}

TEST_CASE("an operation without a handler answers kInternal naming the fake and the operation") {
  ping::FakePing ping;
  auto r = ping.get_intervention({.interventionId = "x"});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInternal);
  CHECK(r.error().message == "FakePing::get_intervention has no handler");
  CHECK(ping.get_intervention_calls.size() == 1);
  ping.clear_calls();
  CHECK(ping.get_intervention_calls.empty());
  CHECK(ping.calls.empty());
}

TEST_CASE("a record that breaks its schema's rules is rejected with the path and rule, never the value") {
  Fixture f;
  // Not a UUID (schemas/ping/openapi.yaml: progres_lpinterventionid has format uuid).
  f.in.intervention.progres_lpinterventionid = "not-a-guid";
  const std::string a = summary_json("989-22-PRTITV-0000051", f.in);
  f.ping.list_outgoing_referrals_handler = [&](const ping::ListOutgoingReferralsRequest&) {
    return json::parse<ping::ReferralSummaryPage>(R"({"items":[)" + a + "]}");
  };
  const auto report = f.run();
  REQUIRE(report.records().size() == 1);
  const auto& r = report.records()[0];
  CHECK(r.state == RecordState::kRejected);
  CHECK(r.rule == "schema");
  CHECK_THAT(r.reason, Catch::Contains("$.progres_lpinterventionid"));
  CHECK(r.reason.find("not-a-guid") == std::string::npos);
  CHECK(f.primero.calls.empty());  // nothing reached Primero
  REQUIRE(f.ping.update_transfer_status_calls.size() == 1);
  CHECK(f.ping.update_transfer_status_calls[0].body.transferStatus == ping::TransferStatusValue::kFailed);
}
