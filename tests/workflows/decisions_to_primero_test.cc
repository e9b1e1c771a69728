// Workflow 2.2 as a unit, against the generated in-memory fakes (ping::FakePing,
// primero::FakePrimero): no sandbox, no network. Primero is a small in-memory model of one case
// and its referrals whose PATCH follows primero-api-v2.md §6.5 (in_progress -> accepted |
// rejected; anything else a 200 no-op); PING holds decisions by id and records sync updates.
#include "decisions_to_primero.h"
#include "refbridge/ledger.h"

#include "refbridge/ping/fake.h"
#include "refbridge/ping/serde.h"
#include "refbridge/primero/fake.h"
#include "refbridge/primero/serde.h"
#include "refbridge/json.h"
#include "refbridge/log.h"
#include "refbridge/profile.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <sstream>
#include <string>

using namespace refbridge;
using workflows::RecordState;

namespace {

// The fixture pair of progresDecision__flow2-3.json and getPrimeroCases.json / getPrimeroReferral.json.
const std::string kCaseId = "f59e880e-d58f-4b68-ba6e-e0616a49aefd";
const std::string kRecordId = "406b539a-e662-425e-810b-47e4fa7da496";
const std::string kReferralId = "1e5be7bd-7357-4790-a880-ccaca3f47b5a";
const std::string kOtherReferralId = "4c58d02f-3182-4006-b2fe-96aa797f5ee7";
const std::string kServiceId = "5c2d4f6c-7a78-43b5-ac40-eb097be51d89";
const std::string kOrgId = kCaseId + "#eb097be51d89";
const std::string kDecisionId = "d19321ea-778e-405e-841d-b24f247662e3";
const std::string kAccepted = "125080000";
const std::string kRejected = "125080001";

template <class T>
T parse(const std::string& text) {
  auto r = json::parse<T>(text);
  INFO(text);
  REQUIRE(r);
  return std::move(r).value();
}

ping::InteroperabilityReferral decision(const std::string& id, const std::string& org_id, const std::string& code) {
  ping::InteroperabilityReferral d;
  d.progres_interoperabilityreferralid = id;
  d.progres_orgreferralid = org_id;
  d.progres_reviewdecision = code;
  d.syncStatus = ping::SyncStatusValue::kPending;
  return d;
}

primero::Referral referral(const std::string& id, const std::string& service_record_id, const std::string& status) {
  return parse<primero::Referral>(R"({"id":")" + id + R"(","type":"Referral","status":")" + status +
                                  R"(","record_id":")" + kRecordId + R"(","record_type":"case","service_record_id":")" +
                                  service_record_id + R"("})");
}

struct Fixture {
  ping::FakePing ping;
  primero::FakePrimero primero;
  Profile profile;
  FixedClock clock{std::chrono::sys_days{std::chrono::year{2025} / 1 / 1}};
  std::ostringstream log_text;
  Logger log{log_text};
  std::unique_ptr<Ledger> ledger = open_sqlite_ledger(":memory:").value();
  workflows::SyncSettings sync = [] {
    workflows::SyncSettings s;
    s.concurrency = 1;  // call orders are asserted below
    s.retry_initial = std::chrono::seconds(0);
    return s;
  }();
  workflows::Sleeper sleep = [](std::chrono::milliseconds) {};

  // PING: decisions by id (listed in this order while pending), sync updates applied to them.
  std::vector<ping::InteroperabilityReferral> decisions;
  // Primero: the cases listCases finds for the case_id filter, and the referrals of kRecordId.
  std::vector<primero::Case> cases;
  std::vector<primero::Referral> referrals;
  bool primero_ignores_patches = false;

  Fixture() {
    profile = load_profile(REFBRIDGE_PROFILE_PATH).value();
    cases.push_back(parse<primero::Case>(R"({"id":")" + kRecordId + R"(","case_id":")" + kCaseId + R"("})"));
    referrals.push_back(referral(kReferralId, kServiceId, "in_progress"));
    referrals.push_back(referral(kOtherReferralId, "", "in_progress"));

    ping.list_referral_decisions_handler = [this](const ping::ListReferralDecisionsRequest& req) {
      ping::ReferralDecisionSummaryPage page;
      for (const auto& d : decisions) {
        if (d.syncStatus != ping::SyncStatusValue::kPending) continue;
        ping::ReferralDecisionSummary s;
        s.progres_interoperabilityreferralid = d.progres_interoperabilityreferralid;
        page.items.push_back(s);
      }
      (void)req;
      return Result<ping::ReferralDecisionSummaryPage>(page);
    };
    ping.get_referral_decision_handler = [this](const ping::GetReferralDecisionRequest& req)
        -> Result<ping::InteroperabilityReferral> {
      for (const auto& d : decisions) {
        if (d.progres_interoperabilityreferralid == req.referralId) return d;
      }
      return make_error(ErrorCode::kNotFound, "HTTP 404", 404);
    };
    ping.update_sync_status_handler = [this](const ping::UpdateSyncStatusRequest& req) -> Result<ping::SyncStatus> {
      for (auto& d : decisions) {
        if (d.progres_interoperabilityreferralid != req.referralId) continue;
        d.syncStatus = req.body.syncStatus;
        ping::SyncStatus s;
        s.progres_interoperabilityreferralid = req.referralId;
        s.syncStatus = req.body.syncStatus;
        return s;
      }
      return make_error(ErrorCode::kNotFound, "HTTP 404", 404);
    };
    primero.list_cases_handler = [this](const primero::ListCasesRequest&) {
      primero::CaseList list;
      list.data = cases;
      list.metadata = parse<primero::Metadata>(R"({"total":)" + std::to_string(cases.size()) + R"(,"per":50,"page":1})");
      return Result<primero::CaseList>(list);
    };
    primero.list_case_referrals_handler = [this](const primero::ListCaseReferralsRequest& req) -> Result<primero::ReferralList> {
      if (req.id != kRecordId) return make_error(ErrorCode::kNotFound, "HTTP 404", 404);
      primero::ReferralList list;
      list.data = referrals;
      return list;
    };
    // §6.5: in_progress -> accepted | rejected; anything else is a no-op answered 200.
    primero.update_case_referral_handler = [this](const primero::UpdateCaseReferralRequest& req)
        -> Result<primero::ReferralEnvelope> {
      for (auto& r : referrals) {
        if (r.id != req.referral_id) continue;
        const auto wanted = req.body.data.status.value();
        const bool allowed = r.status == primero::ReferralStatus::kInProgress &&
                             (wanted == primero::ReferralStatus::kAccepted || wanted == primero::ReferralStatus::kRejected);
        if (allowed && !primero_ignores_patches) {
          r.status = req.body.data.status;
          if (req.body.data.rejected_reason) r.rejected_reason = *req.body.data.rejected_reason;
        }
        primero::ReferralEnvelope e;
        e.data = r;
        return e;
      }
      return make_error(ErrorCode::kNotFound, "HTTP 404", 404);
    };
  }

  workflows::RunReport run(int page_size = 100) {
    const workflows::EngineDeps engine{*ledger, sync, clock, log, sleep};
    const workflows::DecisionsToPrimeroDeps deps{ping, primero, profile, engine, page_size};
    return workflows::run_decisions_to_primero(deps);
  }

  const workflows::RecordOutcome& only(const workflows::RunReport& report) {
    INFO(report.to_json());
    REQUIRE(report.records().size() == 1);
    return report.records().front();
  }

  primero::Referral& referral_by_id(const std::string& id) {
    for (auto& r : referrals) {
      if (r.id == id) return r;
    }
    FAIL("no referral " << id);
    return referrals.front();
  }
};

// The outcome is rejected with `rule`, and PING was told "failed" with "<rule>: ...".
void check_rejected(Fixture& f, const workflows::RecordOutcome& r, const std::string& rule) {
  INFO(r.reason);
  CHECK(r.state == RecordState::kRejected);
  CHECK(r.rule == rule);
  REQUIRE(f.ping.update_sync_status_calls.size() == 1);
  const auto& update = f.ping.update_sync_status_calls.front();
  CHECK(update.referralId == r.key);
  CHECK(update.body.syncStatus == ping::SyncStatusValue::kFailed);
  CHECK_THAT(update.body.reason.value_or(""), Catch::StartsWith(rule + ": "));
  CHECK(f.primero.update_case_referral_calls.empty());
}

}  // namespace

TEST_CASE("an accepted decision updates the referral, is read back and marked synchronised") {
  Fixture f;
  f.decisions.push_back(decision(kDecisionId, kOrgId, kAccepted));
  const auto report = f.run();
  const auto& r = f.only(report);
  CHECK(r.state == RecordState::kDelivered);
  CHECK(r.key == kDecisionId);
  CHECK(r.source_id == kDecisionId);
  CHECK(r.target_key == kReferralId);
  CHECK(r.ids.at("action") == "updated");
  CHECK(r.ids.at("case_record_id") == kRecordId);

  CHECK(f.ping.list_referral_decisions_calls.front().syncStatus == ping::SyncStatusValue::kPending);
  REQUIRE(f.primero.list_cases_calls.size() == 1);
  CHECK(f.primero.list_cases_calls[0].case_id == std::optional<std::string>(kCaseId));
  REQUIRE(f.primero.update_case_referral_calls.size() == 1);
  const auto& patch = f.primero.update_case_referral_calls[0];
  CHECK(patch.id == kRecordId);
  CHECK(patch.referral_id == kReferralId);
  CHECK(patch.body.data.status == primero::ReferralStatus::kAccepted);
  CHECK_FALSE(patch.body.data.rejected_reason);
  // Find, PATCH, read back.
  CHECK(f.primero.calls ==
        std::vector<std::string>{"listCases", "listCaseReferrals", "updateCaseReferral", "listCaseReferrals"});
  REQUIRE(f.ping.update_sync_status_calls.size() == 1);
  CHECK(f.ping.update_sync_status_calls[0].body.syncStatus == ping::SyncStatusValue::kSynchronised);
  CHECK(f.ping.update_sync_status_calls[0].body.primeroReferralId == std::optional<std::string>(kReferralId));
  CHECK(f.referral_by_id(kReferralId).status == primero::ReferralStatus::kAccepted);

  const auto row = f.ledger->find("2.2", kDecisionId).value();
  REQUIRE(row);
  CHECK(row->state == LedgerState::kDelivered);
  CHECK(row->target_key == kReferralId);
  CHECK(row->attempts == 0);  // attempts count failures only
}

TEST_CASE("a rejection carries the §8.8 reason text and the comment to Primero, never to the report") {
  Fixture f;
  auto d = decision(kDecisionId, kOrgId, kRejected);
  d.progres_interoperabiltyreferralrejectionreason = "125080000";
  d.progres_interoperabilityreferralrejectionomment = "Seen at Kule camp desk";
  f.decisions.push_back(d);
  const auto report = f.run();
  CHECK(f.only(report).state == RecordState::kDelivered);
  REQUIRE(f.primero.update_case_referral_calls.size() == 1);
  const auto& body = f.primero.update_case_referral_calls[0].body.data;
  CHECK(body.status == primero::ReferralStatus::kRejected);
  CHECK(body.rejected_reason == std::optional<std::string>("Individual Not Found: Seen at Kule camp desk"));
  CHECK(f.referral_by_id(kReferralId).status == primero::ReferralStatus::kRejected);
  const std::string text = report.to_json() + f.log_text.str();
  CHECK(text.find("Kule") == std::string::npos);
}

TEST_CASE("a decision code Primero cannot take (125080003) is rejected naming the rule and the code") {
  Fixture f;
  f.decisions.push_back(decision(kDecisionId, kOrgId, "125080003"));
  const auto report = f.run();
  const auto& r = f.only(report);
  check_rejected(f, r, "lookup-referral_status");
  CHECK_THAT(r.reason, Catch::Contains("125080003"));
  CHECK(f.primero.calls.empty());
}

TEST_CASE("a progres_orgreferralid that is not <case_id>#<12 characters> is rejected before any Primero call") {
  Fixture f;
  f.decisions.push_back(decision("00000000-0000-4000-8000-000000000001", "string", kAccepted));
  f.decisions.push_back(decision("00000000-0000-4000-8000-000000000002", kCaseId + "#eb097be51d8", kAccepted));
  f.decisions.push_back(decision("00000000-0000-4000-8000-000000000003", "#eb097be51d89", kAccepted));
  auto absent = decision("00000000-0000-4000-8000-000000000004", "", kAccepted);
  absent.progres_orgreferralid.reset();
  f.decisions.push_back(absent);
  const auto report = f.run();
  REQUIRE(report.records().size() == 4);
  for (const auto& r : report.records()) {
    INFO(r.key << " " << r.reason);
    CHECK(r.state == RecordState::kRejected);
    CHECK(r.rule == "malformed-referral-id");
  }
  CHECK(f.primero.calls.empty());
  CHECK(f.ping.update_sync_status_calls.size() == 4);
}

TEST_CASE("no case with the case_id, or two, is a rejection, a Primero ignoring the filter is a config failure") {
  Fixture f;
  f.decisions.push_back(decision(kDecisionId, kOrgId, kAccepted));
  SECTION("none") {
    f.cases.clear();
    check_rejected(f, f.only(f.run()), "case-not-found");
  }
  SECTION("two") {
    f.cases.push_back(f.cases.front());
    f.cases.back().id = std::string("00000000-0000-4000-8000-00000000000c");
    check_rejected(f, f.only(f.run()), "ambiguous-match");
  }
  SECTION("filter ignored") {
    f.cases.push_back(parse<primero::Case>(R"({"id":"00000000-0000-4000-8000-00000000000d","case_id":"other"})"));
    // A role that cannot read case_id is a run-level failure: the run stops (exit 78) and no
    // decision is charged; it stays pending in PING.
    const auto report = f.run();
    CHECK(report.records().empty());
    CHECK(report.aborted());
    CHECK(report.exit_status() == 78);
    CHECK_THAT(report.abort_reason(), Catch::Contains("ignored the case_id filter"));
    CHECK(f.ping.update_sync_status_calls.empty());  // stays pending, retried
    CHECK(f.primero.update_case_referral_calls.empty());
  }
}

TEST_CASE("no referral with the service suffix, or two, is a rejection (not silently skipped)") {
  Fixture f;
  f.decisions.push_back(decision(kDecisionId, kOrgId, kAccepted));
  SECTION("none: the other referral's empty service_record_id never matches") {
    f.referrals.erase(f.referrals.begin());
    const auto report = f.run();
    check_rejected(f, f.only(report), "referral-not-found");
    CHECK_THAT(f.only(report).reason, Catch::Contains("eb097be51d89"));
  }
  SECTION("two") {
    f.referrals.push_back(referral("00000000-0000-4000-8000-0000000000aa", "x-" + kServiceId, "in_progress"));
    const auto report = f.run();
    check_rejected(f, f.only(report), "ambiguous-referral");
    CHECK_THAT(f.only(report).reason, Catch::Contains(kReferralId));
  }
}

TEST_CASE("a referral no longer in_progress cannot take another decision: transition-impossible, no PATCH") {
  Fixture f;
  f.referral_by_id(kReferralId).status = primero::ReferralStatus::kAccepted;
  f.decisions.push_back(decision(kDecisionId, kOrgId, kRejected));
  const auto report = f.run();
  const auto& r = f.only(report);
  check_rejected(f, r, "transition-impossible");
  CHECK_THAT(r.reason, Catch::Contains("is accepted") && Catch::Contains("become rejected"));
  CHECK(f.referral_by_id(kReferralId).status == primero::ReferralStatus::kAccepted);
}

TEST_CASE("a referral already in the decided status is not patched again, only acknowledged") {
  Fixture f;
  f.referral_by_id(kReferralId).status = primero::ReferralStatus::kAccepted;
  f.decisions.push_back(decision(kDecisionId, kOrgId, kAccepted));
  const auto report = f.run();
  const auto& r = f.only(report);
  CHECK(r.state == RecordState::kDelivered);
  CHECK(r.ids.at("action") == "already-applied");
  CHECK(f.primero.update_case_referral_calls.empty());
  REQUIRE(f.ping.update_sync_status_calls.size() == 1);
  CHECK(f.ping.update_sync_status_calls[0].body.syncStatus == ping::SyncStatusValue::kSynchronised);
}

TEST_CASE("a PATCH answered 200 but ignored by Primero is caught by the read-back") {
  Fixture f;
  f.primero_ignores_patches = true;
  f.decisions.push_back(decision(kDecisionId, kOrgId, kAccepted));
  const auto report = f.run();
  const auto& r = f.only(report);
  CHECK(r.state == RecordState::kRejected);
  CHECK(r.rule == "not-applied");
  CHECK_THAT(r.reason, Catch::Contains("is in_progress, not accepted"));
  CHECK(f.primero.update_case_referral_calls.size() == 1);
  REQUIRE(f.ping.update_sync_status_calls.size() == 1);
  CHECK(f.ping.update_sync_status_calls[0].body.syncStatus == ping::SyncStatusValue::kFailed);
}

TEST_CASE("a failed PING acknowledgement fails the record, the next run completes it without a second PATCH") {
  Fixture f;
  f.decisions.push_back(decision(kDecisionId, kOrgId, kAccepted));
  auto real_update = f.ping.update_sync_status_handler;
  f.ping.update_sync_status_handler = [](const ping::UpdateSyncStatusRequest&) -> Result<ping::SyncStatus> {
    return make_error(ErrorCode::kServerError, "HTTP 503", 503);
  };
  const auto first = f.run();
  CHECK(f.only(first).state == RecordState::kFailed);
  CHECK(f.only(first).rule == "server_error");
  CHECK(f.referral_by_id(kReferralId).status == primero::ReferralStatus::kAccepted);
  CHECK(f.primero.update_case_referral_calls.size() == 1);

  f.ping.update_sync_status_handler = real_update;
  const auto second = f.run();
  const auto& r = f.only(second);
  CHECK(r.state == RecordState::kDelivered);
  CHECK(r.ids.at("action") == "already-applied");
  CHECK(f.primero.update_case_referral_calls.size() == 1);  // no second PATCH
  CHECK(f.decisions[0].syncStatus == ping::SyncStatusValue::kSynchronised);

  CHECK(f.run().records().empty());  // nothing pending any more
}

TEST_CASE("a transient Primero error fails the decision and leaves it pending until max_attempts, then PING is told") {
  Fixture f;
  f.sync.max_attempts = 2;
  f.decisions.push_back(decision(kDecisionId, kOrgId, kAccepted));
  f.primero.list_cases_handler = [](const primero::ListCasesRequest&) -> Result<primero::CaseList> {
    return make_error(ErrorCode::kServerError, "HTTP 500", 500);  // answered: an attempt (a 503 would not count)
  };
  const auto first = f.run();
  CHECK(f.only(first).state == RecordState::kFailed);
  CHECK(f.only(first).rule == "server_error");
  CHECK(f.ping.update_sync_status_calls.empty());
  CHECK(f.decisions[0].syncStatus == ping::SyncStatusValue::kPending);

  const auto second = f.run();
  const auto& r = f.only(second);
  CHECK(r.state == RecordState::kRejected);
  CHECK(r.rule == "retries-exhausted");
  REQUIRE(f.ping.update_sync_status_calls.size() == 1);
  CHECK(f.ping.update_sync_status_calls[0].body.syncStatus == ping::SyncStatusValue::kFailed);
  CHECK_THAT(f.ping.update_sync_status_calls[0].body.reason.value_or(""), Catch::StartsWith("retries-exhausted: "));
  CHECK(f.run().records().empty());
}

TEST_CASE("a failed decision inside its backoff is skipped and not fetched") {
  Fixture f;
  f.sync.retry_initial = std::chrono::seconds(300);
  f.decisions.push_back(decision(kDecisionId, kOrgId, kAccepted));
  f.primero.list_cases_handler = [](const primero::ListCasesRequest&) -> Result<primero::CaseList> {
    return make_error(ErrorCode::kServerError, "HTTP 500", 500);  // answered: backs off (unanswered would not)
  };
  CHECK(f.only(f.run()).state == RecordState::kFailed);
  f.ping.clear_calls();
  const auto second = f.run();
  CHECK(f.only(second).state == RecordState::kSkipped);
  CHECK(f.only(second).rule == "retry-backoff");
  CHECK(f.ping.get_referral_decision_calls.empty());
}

TEST_CASE("a rejection that PING does not take leaves the record failed, and the next run reports it") {
  Fixture f;
  f.decisions.push_back(decision(kDecisionId, kOrgId, "125080003"));
  auto real_update = f.ping.update_sync_status_handler;
  f.ping.update_sync_status_handler = [](const ping::UpdateSyncStatusRequest&) -> Result<ping::SyncStatus> {
    return make_error(ErrorCode::kTransport, "connection reset");
  };
  const auto first = f.run();
  CHECK(f.only(first).state == RecordState::kFailed);
  CHECK(f.only(first).rule == "lookup-referral_status");  // known by its rule until PING takes it
  CHECK_THAT(f.only(first).reason, Catch::Contains("PING acknowledgement failed"));
  f.ping.update_sync_status_handler = real_update;
  const auto second = f.run();
  CHECK(f.only(second).state == RecordState::kRejected);
  CHECK(f.decisions[0].syncStatus == ping::SyncStatusValue::kFailed);
}

TEST_CASE("every page is read, with the page token, one page after the other") {
  Fixture f;
  f.ping.list_referral_decisions_handler = [](const ping::ListReferralDecisionsRequest& req) {
    return json::parse<ping::ReferralDecisionSummaryPage>(
        req.pageToken ? R"({"items":[{"progres_interoperabilityreferralid":"c"}]})"
                      : R"({"items":[{"progres_interoperabilityreferralid":"a"},{"progres_interoperabilityreferralid":"b"}],"nextPageToken":"p2"})");
  };
  for (const char* id : {"a", "b", "c"}) f.decisions.push_back(decision(id, "string", kAccepted));
  const auto report = f.run(2);
  CHECK_FALSE(report.aborted());
  REQUIRE(report.records().size() == 3);
  CHECK(report.records()[2].key == "c");
  const auto& lists = f.ping.list_referral_decisions_calls;
  REQUIRE(lists.size() == 2);
  CHECK(lists[0].pageSize == 2);
  CHECK(lists[1].pageToken == std::optional<std::string>("p2"));
  CHECK(lists[1].syncStatus == ping::SyncStatusValue::kPending);
  // Page 2 is read after page 1's two decisions settled (fetch + sync update each).
  CHECK(f.ping.calls[5] == "listReferralDecisions");
}

TEST_CASE("a listing error aborts the run before any decision") {
  Fixture f;
  f.ping.list_referral_decisions_handler = [](const ping::ListReferralDecisionsRequest&)
      -> Result<ping::ReferralDecisionSummaryPage> { return make_error(ErrorCode::kUnauthorized, "invalid token", 401); };
  const auto report = f.run();
  CHECK(report.aborted());
  CHECK(report.records().empty());
  CHECK(f.primero.calls.empty());
}

TEST_CASE("a decision PING no longer holds as pending is skipped") {
  Fixture f;
  auto d = decision(kDecisionId, kOrgId, kAccepted);
  f.decisions.push_back(d);
  f.ping.get_referral_decision_handler = [d](const ping::GetReferralDecisionRequest&) -> Result<ping::InteroperabilityReferral> {
    auto copy = d;
    copy.syncStatus = ping::SyncStatusValue::kSynchronised;
    return copy;
  };
  const auto report = f.run();
  const auto& r = f.only(report);
  CHECK(r.state == RecordState::kSkipped);
  CHECK(r.rule == "not-pending");
  CHECK(f.primero.calls.empty());
}

TEST_CASE("many decisions processed concurrently each reach exactly one state") {
  Fixture f;
  f.sync.concurrency = 8;
  for (int i = 0; i < 40; ++i) {
    f.decisions.push_back(decision("id-" + std::to_string(i), i % 2 == 0 ? kOrgId : "string", kAccepted));
  }
  const auto report = f.run(7);
  CHECK(report.records().size() == 40);
  // All twenty designate one referral: whichever PATCHes first applies it, the others find it
  // accepted (before their PATCH, or on the read-back after a no-op PATCH); the rest are malformed.
  CHECK(report.count(RecordState::kDelivered) == 20);
  CHECK(report.count(RecordState::kRejected) == 20);
  CHECK(f.primero.update_case_referral_calls.size() >= 1);
  CHECK(f.referral_by_id(kReferralId).status == primero::ReferralStatus::kAccepted);
}

TEST_CASE("parse_org_referral_id and service_record_matches") {
  auto ok = workflows::parse_org_referral_id(kOrgId);
  REQUIRE(ok);
  CHECK(ok.value().case_id == kCaseId);
  CHECK(ok.value().service_suffix == "eb097be51d89");
  for (const char* bad : {"", "string", "a#b#eb097be51d89", "#eb097be51d89", "abc#short", "abc#eb097be51d89x"}) {
    INFO(bad);
    auto r = workflows::parse_org_referral_id(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().rule == "malformed-referral-id");
  }
  CHECK(workflows::service_record_matches(kServiceId, "eb097be51d89"));
  CHECK(workflows::service_record_matches(std::string("eb097be51d89"), "eb097be51d89"));
  CHECK_FALSE(workflows::service_record_matches(std::string(""), "eb097be51d89"));
  CHECK_FALSE(workflows::service_record_matches(std::nullopt, "eb097be51d89"));
  CHECK_FALSE(workflows::service_record_matches(std::string("5c2d4f6c-7a78-43b5-ac40-eb097be51d80"), "eb097be51d89"));
}
