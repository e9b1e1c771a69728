// Workflow 1.2 as a unit, against the generated in-memory fakes (ping::FakePing,
// primero::FakePrimero): no sandbox, no network. FakePrimero serves an in-memory list of cases with
// the last_updated_at range, ascending order and paging that read_updated_cases relies on; FakePing
// answers ingestions with scripted transaction outcomes.
#include "decisions_to_progres.h"
#include "refbridge/ledger.h"

#include "refbridge/ping/fake.h"
#include "refbridge/primero/fake.h"
#include "refbridge/primero/serde.h"
#include "refbridge/json.h"
#include "refbridge/log.h"
#include "refbridge/profile.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace refbridge;
using workflows::RecordState;

namespace {

using Instant = std::chrono::sys_time<std::chrono::milliseconds>;

const Instant kNow = std::chrono::sys_days{std::chrono::year{2025} / 3 / 1};

std::string at(int minutes_before_now) {
  return DateTime::from_utc(kNow - std::chrono::minutes(minutes_before_now)).text;
}

/// A services_section row; `agency` "" leaves service_request_agency out.
std::string row(const std::string& number, const std::string& status, const std::string& agency = "UNHCR",
                const std::string& referral = "external_referral", const std::string& reason = "") {
  std::string r = R"({"service_referral":")" + referral + R"(","unhcr_referral_status":")" + status + "\"";
  if (!number.empty()) r += ",\"progres_interventionnumber\":\"" + number + "\"";
  if (!agency.empty()) r += ",\"service_request_agency\":\"" + agency + "\"";
  if (!reason.empty()) r += ",\"unhcr_referral_rejection_reason\":\"" + reason + "\"";
  return r + "}";
}

primero::Case make_case(int n, const std::string& updated_at, const std::vector<std::string>& rows,
                        bool with_case_id = true) {
  const std::string id = "00000000-0000-4000-8000-" + std::string(11, '0') + std::to_string(n % 10);
  std::string text = R"({"id":")" + id + R"(","owned_by":"cw_)" + std::to_string(n) + R"(","last_updated_at":")" +
                     updated_at + R"(","name_first":"Child)" + std::to_string(n) + R"(","services_section":[)";
  for (std::size_t i = 0; i < rows.size(); ++i) text += (i ? "," : "") + rows[i];
  text += "]";
  if (with_case_id) text += R"(,"case_id":"case-)" + std::to_string(n) + R"(")";
  text += "}";
  auto c = json::parse<primero::Case>(text);
  INFO(text);
  REQUIRE(c);
  return c.value();
}

/// What FakePing does with the next ingestion's transaction.
enum class TxMode { kComplete, kFail, kPending };

struct Fixture {
  ping::FakePing ping;
  primero::FakePrimero primero;
  Profile profile;
  FixedClock clock{kNow};
  std::ostringstream log_text;
  Logger log{log_text};
  std::unique_ptr<Ledger> ledger = open_sqlite_ledger(":memory:").value();
  workflows::SyncSettings sync = [] {
    workflows::SyncSettings s;
    s.concurrency = 1;  // the fakes are not thread-safe
    s.retry_initial = std::chrono::seconds(0);
    s.ingestion_poll_interval = std::chrono::milliseconds(1);
    s.ingestion_timeout = std::chrono::seconds(0);  // one status read, then "pending"
    s.initial_cursor = "2025-01-01T00:00:00.000Z";
    s.primero_page_size = 2;
    return s;
  }();
  workflows::Sleeper sleep = [](std::chrono::milliseconds) {};

  std::vector<primero::Case> cases;                // Primero's cases
  TxMode mode = TxMode::kComplete;                 // applies to the next ingestions
  std::map<std::string, std::string> reject;       // intervention number -> PING error code
  std::map<std::string, TxMode> tx_mode;           // transaction id -> how it ends
  std::map<std::string, ping::DecisionIngestion> tx_body;
  std::vector<ping::OutgoingReferralDecision> stored;  // decisions PING accepted, in order

  Fixture() {
    profile = load_profile(REFBRIDGE_PROFILE_PATH).value();
    primero.list_cases_handler = [this](const primero::ListCasesRequest& req) -> Result<primero::CaseList> {
      REQUIRE(req.last_updated_at);
      REQUIRE(req.order_by == std::optional<std::string>("last_updated_at"));
      const auto from = DateTime::parse(req.last_updated_at->substr(0, req.last_updated_at->size() - 2)).value().utc;
      std::vector<primero::Case> hits;
      for (const auto& c : cases) {
        if (c.last_updated_at->utc >= from) hits.push_back(c);
      }
      std::stable_sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
        return a.last_updated_at->utc < b.last_updated_at->utc || (a.last_updated_at->utc == b.last_updated_at->utc && *a.id < *b.id);
      });
      const int per = req.per.value_or(20);
      const int page = req.page.value_or(1);
      primero::CaseList list;
      for (int i = (page - 1) * per; i < std::min<int>(page * per, static_cast<int>(hits.size())); ++i) list.data.push_back(hits[i]);
      list.metadata = primero::Metadata{static_cast<std::int64_t>(hits.size()), per, page, {}};
      return list;
    };
    primero.get_case_handler = [this](const primero::GetCaseRequest& req) -> Result<primero::CaseEnvelope> {
      for (const auto& c : cases) {
        if (*c.id == req.id) return primero::CaseEnvelope{c, {}};
      }
      return make_error(ErrorCode::kNotFound, "HTTP 404", 404);
    };
    ping.ingest_referral_decisions_handler = [this](const ping::IngestReferralDecisionsRequest& req) -> Result<ping::IngestionAccepted> {
      const std::string tx = "tx-" + std::to_string(tx_body.size() + 1);
      tx_body[tx] = req.body;
      tx_mode[tx] = mode;
      ping::IngestionAccepted a;
      a.transactionId = tx;
      return a;
    };
    ping.get_ingestion_transaction_handler = [this](const ping::GetIngestionTransactionRequest& req) -> Result<ping::IngestionTransaction> {
      ping::IngestionTransaction t;
      t.transactionId = req.transactionId;
      switch (tx_mode.at(req.transactionId)) {
        case TxMode::kPending: t.status = ping::IngestionStatusValue::kProcessing; return t;
        case TxMode::kFail:
          t.status = ping::IngestionStatusValue::kFailed;
          t.error = ping::IngestionError{"processing-error", {}, {}, {}};
          return t;
        case TxMode::kComplete: break;
      }
      t.status = ping::IngestionStatusValue::kCompleted;
      std::vector<ping::IngestionRecordResult> results;
      const auto& records = tx_body.at(req.transactionId).records;
      for (std::size_t i = 0; i < records.size(); ++i) {
        ping::IngestionRecordResult r;
        r.index = static_cast<std::int32_t>(i);
        r.recordKey = records[i].case_id + "/" + records[i].progres_interventionnumber;
        auto code = reject.find(records[i].progres_interventionnumber);
        if (code != reject.end()) {
          r.status = ping::IngestionRecordStatusValue::kRejected;
          r.errors = std::vector<ping::IngestionError>{{code->second, std::string("unknown"), std::string("progres_interventionnumber"), {}}};
        } else {
          r.status = ping::IngestionRecordStatusValue::kAccepted;
          stored.push_back(records[i]);
        }
        results.push_back(std::move(r));
      }
      t.results = std::move(results);
      return t;
    };
  }

  workflows::RunReport run() {
    const workflows::EngineDeps engine{*ledger, sync, clock, log, sleep};
    const workflows::DecisionsToProgresDeps deps{ping, primero, profile, engine};
    auto report = workflows::run_decisions_to_progres(deps);
    INFO(report.to_json());
    CHECK_FALSE(report.aborted());
    return report;
  }

  LedgerRecord ledger_row(const std::string& key) {
    auto r = ledger->find("1.2", key);
    REQUIRE(r);
    REQUIRE(r.value());
    return *r.value();
  }
};

std::map<std::string, workflows::RecordOutcome> by_key(const workflows::RunReport& report) {
  std::map<std::string, workflows::RecordOutcome> out;
  for (const auto& r : report.records()) out[r.key] = r;
  return out;
}

}  // namespace

TEST_CASE("selection: UNHCR and partner referrals with a decision are sent, nothing else") {
  Fixture f;
  f.cases.push_back(make_case(1, at(30), {row("N-1", "accepted"),
                                           row("N-2", "rejected", "IRC", "external_referral", "not eligible"),
                                           row("", "accepted"),                                    // no intervention number (§12.7)
                                           row("N-3", "accepted", "UNHCR", "internal_referral"),  // not external
                                           row("N-4", "pending")}));
  f.cases.push_back(make_case(2, at(20), {row("N-5", "rejected", "")}));  // no agency at all: still proGres'
  const auto report = f.run();
  CHECK(report.count(RecordState::kDelivered) == 3);
  CHECK(report.records().size() == 3);
  REQUIRE(f.stored.size() == 3);
  CHECK(f.stored[0].progres_interventionnumber == "N-1");
  CHECK(f.stored[0].status == ping::OutgoingReferralDecisionStatus::kAcknowledged);
  CHECK(f.stored[0].closure_reason.is_absent());  // no "No reason specified." on acceptances (§12.7)
  CHECK(f.stored[0].primero_user == std::string("cw_1"));
  CHECK(f.stored[1].status == ping::OutgoingReferralDecisionStatus::kRejected);
  CHECK(f.stored[1].closure_reason == std::string("not eligible"));
  CHECK(f.stored[2].progres_interventionnumber == "N-5");
  CHECK(f.stored[2].closure_reason == std::string("No reason specified."));

  const auto rows = by_key(report);
  REQUIRE(rows.count("case-1/N-2") == 1);
  CHECK(rows.at("case-1/N-2").target_key == "case-1/N-2");
  const auto ledger = f.ledger_row("case-1/N-1");
  CHECK(ledger.state == LedgerState::kDelivered);
  CHECK(ledger.source_id == *f.cases[0].id);
  CHECK(ledger.transaction_id == "tx-1");
  // The cursor moved to the newest case read.
  CHECK(f.ledger->cursor("1.2").value() == std::optional<std::string>(at(20)));
  // The first read starts at initial_cursor - overlap.
  REQUIRE_FALSE(f.primero.list_cases_calls.empty());
  CHECK(f.primero.list_cases_calls[0].last_updated_at == std::optional<std::string>("2024-12-31T23:58:00.000Z.."));
  // Logs carry ids, never the names or the caseworker's reason.
  CHECK(f.log_text.str().find("Child1") == std::string::npos);
  CHECK(f.log_text.str().find("not eligible") == std::string::npos);
}

TEST_CASE("send once per change: a rerun or an unrelated edit sends nothing, a changed decision is sent again") {
  Fixture f;
  f.cases.push_back(make_case(1, at(30), {row("N-1", "accepted")}));
  CHECK(f.run().count(RecordState::kDelivered) == 1);
  REQUIRE(f.ping.ingest_referral_decisions_calls.size() == 1);

  auto rerun = f.run();
  REQUIRE(rerun.records().size() == 1);  // re-read through the overlap
  CHECK(rerun.records()[0].state == RecordState::kSkipped);
  CHECK(rerun.records()[0].rule == "already-sent");
  CHECK(f.ping.ingest_referral_decisions_calls.size() == 1);

  // An unrelated edit (name, a later last_updated_at): nothing is sent.
  f.cases[0] = make_case(1, at(10), {row("N-1", "accepted")});
  f.cases[0].name_first = std::string("Edited");
  auto edited = f.run();
  REQUIRE(edited.records().size() == 1);
  CHECK(edited.records()[0].rule == "already-sent");
  CHECK(f.ping.ingest_referral_decisions_calls.size() == 1);

  // accepted -> rejected: sent again; then a new reason: sent again.
  f.cases[0] = make_case(1, at(5), {row("N-1", "rejected", "UNHCR", "external_referral", "reason A")});
  CHECK(f.run().count(RecordState::kDelivered) == 1);
  f.cases[0] = make_case(1, at(4), {row("N-1", "rejected", "UNHCR", "external_referral", "reason B")});
  CHECK(f.run().count(RecordState::kDelivered) == 1);
  REQUIRE(f.stored.size() == 3);
  CHECK(f.stored[1].status == ping::OutgoingReferralDecisionStatus::kRejected);
  CHECK(f.stored[2].closure_reason == std::string("reason B"));
  CHECK(f.ledger_row("case-1/N-1").attempts == 0);  // attempts count failures only; a delivery resets them
}

TEST_CASE("mapping refusals and contradictory rows are rejected with their rule, the others go on") {
  Fixture f;
  f.cases.push_back(make_case(1, at(30), {row("N-1", "accepted")}, /*with_case_id=*/false));
  f.cases.push_back(make_case(2, at(29), {row("N-2", "accepted"), row("N-2", "rejected")}));
  f.cases.push_back(make_case(3, at(28), {row("N-3", "accepted"), row("N-3", "accepted")}));  // duplicates agree: one record
  const auto report = f.run();
  const auto rows = by_key(report);
  REQUIRE(rows.size() == 3);
  const auto& no_case_id = rows.at("record:" + *f.cases[0].id + "/N-1");
  CHECK(no_case_id.state == RecordState::kRejected);
  CHECK(no_case_id.rule == "required-fields");
  CHECK_THAT(no_case_id.reason, Catch::Contains("case_id"));
  CHECK(rows.at("case-2/N-2").state == RecordState::kRejected);
  CHECK(rows.at("case-2/N-2").rule == "ambiguous-decision");
  CHECK(rows.at("case-3/N-3").state == RecordState::kDelivered);
  REQUIRE(f.ping.ingest_referral_decisions_calls.size() == 1);
  CHECK(f.ping.ingest_referral_decisions_calls[0].body.records.size() == 1);
  CHECK(f.ledger_row("case-2/N-2").state == LedgerState::kRejected);
}

TEST_CASE("PING rejecting one record of a batch rejects that record only, with PING's code, it is not resent unchanged") {
  Fixture f;
  f.sync.primero_page_size = 10;
  f.cases.push_back(make_case(1, at(30), {row("N-1", "accepted"), row("N-BAD", "rejected")}));
  f.reject["N-BAD"] = "unknown-intervention";
  const auto report = f.run();
  const auto rows = by_key(report);
  REQUIRE(f.ping.ingest_referral_decisions_calls.size() == 1);  // one batch
  CHECK(rows.at("case-1/N-1").state == RecordState::kDelivered);
  CHECK(rows.at("case-1/N-BAD").state == RecordState::kRejected);
  CHECK(rows.at("case-1/N-BAD").rule == "ingestion-rejected");
  CHECK_THAT(rows.at("case-1/N-BAD").reason, Catch::Contains("unknown-intervention"));
  CHECK(f.ledger_row("case-1/N-BAD").state == LedgerState::kRejected);

  const auto again = by_key(f.run());
  CHECK(again.at("case-1/N-BAD").rule == "already-rejected");
  CHECK(f.ping.ingest_referral_decisions_calls.size() == 1);
}

TEST_CASE("batches hold at most ingestion_batch_size records") {
  Fixture f;
  f.sync.ingestion_batch_size = 2;
  f.sync.primero_page_size = 10;
  f.cases.push_back(make_case(1, at(30), {row("N-1", "accepted"), row("N-2", "accepted"), row("N-3", "accepted")}));
  CHECK(f.run().count(RecordState::kDelivered) == 3);
  REQUIRE(f.ping.ingest_referral_decisions_calls.size() == 2);
  CHECK(f.ping.ingest_referral_decisions_calls[0].body.records.size() == 2);
  CHECK(f.ping.ingest_referral_decisions_calls[1].body.records.size() == 1);
}

TEST_CASE("a failed transaction fails its records, the next run re-reads the case and delivers them") {
  Fixture f;
  f.cases.push_back(make_case(1, at(300), {row("N-1", "accepted")}));
  f.mode = TxMode::kFail;
  auto first = f.run();
  REQUIRE(first.records().size() == 1);
  CHECK(first.records()[0].state == RecordState::kFailed);
  CHECK(first.records()[0].rule == "ingestion-failed");
  CHECK(f.ledger_row("case-1/N-1").state == LedgerState::kFailed);

  // Retried from the ledger first (re-read with getCase); the re-read through the cursor overlap
  // does not send or report it a second time.
  f.mode = TxMode::kComplete;
  auto second = f.run();
  REQUIRE(second.records().size() == 1);
  CHECK(second.records()[0].state == RecordState::kDelivered);
  REQUIRE(f.primero.get_case_calls.size() == 1);
  CHECK(f.primero.get_case_calls[0].id == *f.cases[0].id);
  CHECK(f.ledger_row("case-1/N-1").attempts == 0);  // delivered: the failed attempt is forgotten
  CHECK(f.stored.size() == 1);
}

TEST_CASE("a retried record whose decision was withdrawn is skipped no-longer-selected") {
  Fixture f;
  f.cases.push_back(make_case(1, at(300), {row("N-1", "accepted")}));
  f.mode = TxMode::kFail;
  f.run();
  f.cases[0] = make_case(1, at(300), {row("N-1", "pending")});
  auto second = f.run();
  REQUIRE(second.records().size() == 1);
  CHECK(second.records()[0].state == RecordState::kSkipped);
  CHECK(second.records()[0].rule == "no-longer-selected");
  CHECK(f.ledger_row("case-1/N-1").state == LedgerState::kSkipped);
  CHECK(f.ping.ingest_referral_decisions_calls.size() == 1);
}

TEST_CASE("a transaction still pending at the timeout stays submitted and is followed, not resent, next run") {
  Fixture f;
  f.cases.push_back(make_case(1, at(30), {row("N-1", "accepted")}));
  f.mode = TxMode::kPending;
  auto first = f.run();
  REQUIRE(first.records().size() == 1);
  CHECK(first.records()[0].state == RecordState::kFailed);
  CHECK(first.records()[0].rule == "ingestion-pending");
  auto row = f.ledger_row("case-1/N-1");
  CHECK(row.state == LedgerState::kSubmitted);
  CHECK(row.transaction_id == "tx-1");

  f.tx_mode["tx-1"] = TxMode::kComplete;  // PING finished meanwhile
  auto second = f.run();
  INFO(second.to_json());
  REQUIRE(second.records().size() == 1);  // the overlap re-read does not report it twice
  CHECK(second.records()[0].state == RecordState::kDelivered);
  CHECK(second.records()[0].transaction_id == "tx-1");
  CHECK(f.ping.ingest_referral_decisions_calls.size() == 1);
  CHECK(f.ledger_row("case-1/N-1").state == LedgerState::kDelivered);

  auto third = f.run();
  REQUIRE(third.records().size() == 1);
  CHECK(third.records()[0].rule == "already-sent");
}

TEST_CASE("every page is read and the cursor ends at the newest case") {
  Fixture f;
  for (int i = 1; i <= 5; ++i) f.cases.push_back(make_case(i, at(60 - i), {row("N-" + std::to_string(i), "accepted")}));
  const auto report = f.run();
  CHECK(report.count(RecordState::kDelivered) == 5);
  CHECK(f.primero.list_cases_calls.size() >= 3);
  CHECK(f.ledger->cursor("1.2").value() == std::optional<std::string>(at(55)));
}

TEST_CASE("a Primero listing error aborts the run and keeps the cursor") {
  Fixture f;
  f.primero.list_cases_handler = [](const primero::ListCasesRequest&) -> Result<primero::CaseList> {
    return make_error(ErrorCode::kUnauthorized, "HTTP 401", 401);
  };
  const workflows::EngineDeps engine{*f.ledger, f.sync, f.clock, f.log, f.sleep};
  const workflows::DecisionsToProgresDeps deps{f.ping, f.primero, f.profile, engine};
  const auto report = workflows::run_decisions_to_progres(deps);
  CHECK(report.aborted());
  CHECK_FALSE(f.ledger->cursor("1.2").value());
}

TEST_CASE("a retry whose case cannot be re-read stays failed and is reported once") {
  Fixture f;
  f.cases.push_back(make_case(1, at(30), {row("N-1", "accepted")}));
  f.mode = TxMode::kFail;
  f.run();
  f.mode = TxMode::kComplete;
  f.primero.get_case_handler = [](const primero::GetCaseRequest&) -> Result<primero::CaseEnvelope> {
    return make_error(ErrorCode::kServerError, "HTTP 503", 503);
  };
  const auto second = f.run();
  REQUIRE(second.records().size() == 1);  // the overlap re-read of the same decision adds nothing
  CHECK(second.records()[0].state == RecordState::kFailed);
  CHECK(second.records()[0].rule == "server_error");
  CHECK(f.ledger_row("case-1/N-1").state == LedgerState::kFailed);
  CHECK(f.ledger_row("case-1/N-1").attempts == 1);  // a 503 is Primero unavailable: no attempt charged
  CHECK(f.ping.ingest_referral_decisions_calls.size() == 1);
}
