// Workflow 2.1 as a unit, against the generated in-memory fakes (ping::FakePing,
// primero::FakePrimero): no sandbox, no network. FakePrimero serves in-memory cases (with the
// last_updated_at range, ascending order and paging that read_updated_cases relies on), their
// referrals and users; FakePing answers ingestions with scripted transaction outcomes.
#include "referrals_to_progres.h"
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
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace refbridge;
using workflows::RecordState;

namespace {

using Instant = std::chrono::sys_time<std::chrono::milliseconds>;

const Instant kNow = std::chrono::sys_days{std::chrono::year{2025} / 3 / 1};

std::string at(int minutes_before_now) { return DateTime::from_utc(kNow - std::chrono::minutes(minutes_before_now)).text; }

std::string record_id(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", n);
  return buf;
}

/// A services_section unique_id whose last 12 characters are lower-case hex ("0000000n0k0k").
std::string row_id(int n, int k) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "5c2d4f6c-7a78-43b5-ac40-%06x%06x", n, k);
  return buf;
}

std::string suffix(const std::string& id) { return id.substr(id.size() - 12); }

struct Row {
  std::string unique_id;
  std::string agency;  ///< service_implementing_agency
  std::string type = "food";
};

primero::Case make_case(int n, const std::string& updated_at, const std::vector<Row>& rows) {
  std::string text = R"({"id":")" + record_id(n) + R"(","case_id":"case-)" + std::to_string(n) +
                     R"(","owned_by":"owner_)" + std::to_string(n) + R"(","last_updated_at":")" + updated_at +
                     R"(","name_first":"Child)" + std::to_string(n) +
                     R"(","name_last":"Test","sex":"female","language":["language3"],"services_section":[)";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    text += (i ? "," : "") + (R"({"unique_id":")" + rows[i].unique_id + R"(","service_type":")" + rows[i].type +
                               R"(","service_implementing_agency":")" + rows[i].agency + R"("})");
  }
  text += "]}";
  auto c = json::parse<primero::Case>(text);
  INFO(text);
  REQUIRE(c);
  return c.value();
}

struct Ref {
  std::string id;
  std::string to;         ///< transitioned_to
  std::string to_agency;  ///< transitioned_to_agency
  std::string service_record_id;
  std::string status = "in_progress";
  std::string by = "cw_a";  ///< transitioned_by ("" = absent)
};

primero::Referral make_referral(int case_n, const Ref& r) {
  std::string text = R"({"id":")" + r.id + R"(","type":"Referral","status":")" + r.status + R"(","record_id":")" +
                     record_id(case_n) + R"(","transitioned_to":")" + r.to + R"(","transitioned_to_agency":")" +
                     r.to_agency + R"(","service_record_id":")" + r.service_record_id +
                     R"(","created_at":"2025-02-01T00:00:00.000Z")";
  if (!r.by.empty()) text += R"(,"transitioned_by":")" + r.by + "\"";
  text += "}";
  auto ref = json::parse<primero::Referral>(text);
  INFO(text);
  REQUIRE(ref);
  return ref.value();
}

primero::User make_user(const std::string& name, const std::string& email) {
  primero::User u;
  u.user_name = name;
  u.full_name = "Full " + name;
  u.email = email;
  u.phone = "+000 111 " + name;
  u.position = "Caseworker";
  return u;
}

/// What FakePing does with the next ingestion's transaction.
enum class TxMode { kComplete, kFail };

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
    s.initial_cursor = "2025-01-01T00:00:00.000Z";
    s.primero_page_size = 2;
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

  std::vector<primero::Case> cases;                               // Primero's cases
  std::map<std::string, std::vector<primero::Referral>> referrals;  // by case record id
  std::set<std::string> referrals_fail;                           // case record ids whose listing fails
  std::map<std::string, primero::User> users;                     // by user_name
  std::optional<Error> users_error;                               // every listUsers answers it
  TxMode mode = TxMode::kComplete;                                // applies to the next ingestions
  std::map<std::string, std::string> reject;                      // referral id (body id) -> PING error code
  std::map<std::string, TxMode> tx_mode;
  std::map<std::string, ping::ReferralIngestion> tx_body;
  std::vector<ping::IncomingReferral> stored;  // referrals PING accepted, in order

  Fixture() {
    profile = load_profile(REFBRIDGE_PROFILE_PATH).value();
    users["cw_a"] = make_user("cw_a", "a.worker@example.invalid");
    users["cw_b"] = make_user("cw_b", "b.worker@example.invalid");
    users["cpims_admin"] = make_user("cpims_admin", "admin@example.invalid");
    primero.list_cases_handler = [this](const primero::ListCasesRequest& req) -> Result<primero::CaseList> {
      REQUIRE(req.last_updated_at);
      REQUIRE(req.order_by == std::optional<std::string>("last_updated_at"));
      const auto from = DateTime::parse(req.last_updated_at->substr(0, req.last_updated_at->size() - 2)).value().utc;
      std::vector<primero::Case> hits;
      for (const auto& c : cases) {
        if (c.last_updated_at->utc >= from) hits.push_back(c);
      }
      std::stable_sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
        return a.last_updated_at->utc < b.last_updated_at->utc ||
               (a.last_updated_at->utc == b.last_updated_at->utc && *a.id < *b.id);
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
    primero.list_case_referrals_handler = [this](const primero::ListCaseReferralsRequest& req) -> Result<primero::ReferralList> {
      if (referrals_fail.count(req.id) > 0) return make_error(ErrorCode::kServerError, "GET answered 503: HTTP 503", 503);
      primero::ReferralList list;
      if (auto it = referrals.find(req.id); it != referrals.end()) list.data = it->second;
      return list;
    };
    primero.list_users_handler = [this](const primero::ListUsersRequest& req) -> Result<primero::UserList> {
      if (users_error) return *users_error;
      primero::UserList list;
      REQUIRE(req.user_name);
      if (auto it = users.find(*req.user_name); it != users.end()) list.data.push_back(it->second);
      return list;
    };
    ping.ingest_referrals_handler = [this](const ping::IngestReferralsRequest& req) -> Result<ping::IngestionAccepted> {
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
      if (tx_mode.at(req.transactionId) == TxMode::kFail) {
        t.status = ping::IngestionStatusValue::kFailed;
        t.error = ping::IngestionError{"processing-error", {}, {}, {}};
        return t;
      }
      t.status = ping::IngestionStatusValue::kCompleted;
      std::vector<ping::IngestionRecordResult> results;
      const auto& records = tx_body.at(req.transactionId).records;
      for (std::size_t i = 0; i < records.size(); ++i) {
        ping::IngestionRecordResult r;
        r.index = static_cast<std::int32_t>(i);
        r.recordKey = records[i].id;
        auto code = reject.find(records[i].id);
        if (code != reject.end()) {
          r.status = ping::IngestionRecordStatusValue::kRejected;
          r.errors = std::vector<ping::IngestionError>{{code->second, std::string("unknown"), std::string("unhcr_individual_no"), {}}};
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
    const workflows::ReferralsToProgresDeps deps{ping, primero, profile, unhcr, engine};
    auto report = workflows::run_referrals_to_progres(deps);
    INFO(report.to_json());
    CHECK_FALSE(report.aborted());
    return report;
  }

  /// One case `n` with one UNHCR-implemented row referred to the UNHCR focal user by `by`.
  std::string add_simple(int n, const std::string& updated_at, const std::string& by = "cw_a") {
    const std::string rid = row_id(n, 1);
    cases.push_back(make_case(n, updated_at, {{rid, "UNHCR"}}));
    referrals[record_id(n)] = {make_referral(n, {"ref-" + std::to_string(n), "unhcr_cw", "UNICEF", rid, "in_progress", by})};
    return "case-" + std::to_string(n) + "#" + suffix(rid);
  }

  primero::Case& case_of(int n) {
    for (auto& c : cases) {
      if (*c.id == record_id(n)) return c;
    }
    FAIL("no case " << n);
    return cases.front();
  }

  LedgerRecord ledger_row(const std::string& key) {
    auto r = ledger->find("2.1", key);
    REQUIRE(r);
    REQUIRE(r.value());
    return *r.value();
  }

  const ping::IncomingReferral& stored_with(const std::string& id) {
    for (const auto& s : stored) {
      if (s.id == id) return s;
    }
    FAIL("PING holds no referral " << id);
    return stored.front();
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

TEST_CASE("selection: referrals to a UNHCR user, to the UNHCR agency or for a UNHCR-implemented row, in progress") {
  Fixture f;
  std::vector<Row> rows;
  for (int k = 1; k <= 8; ++k) rows.push_back({row_id(1, k), k == 3 ? "UNHCR" : (k == 6 ? "unhcr" : "DRC")});
  f.cases.push_back(make_case(1, at(30), rows));
  f.referrals[record_id(1)] = {
      make_referral(1, {"r1", "unhcr_cw", "UNICEF", row_id(1, 1)}),                 // to a UNHCR user
      make_referral(1, {"r2", "tabide", "UNHCR", row_id(1, 2)}),                    // to the UNHCR agency
      make_referral(1, {"r3", "tabide", "DRC", row_id(1, 3)}),                      // row implemented by UNHCR (§6.1)
      make_referral(1, {"r4", "tabide", "DRC", row_id(1, 4)}),                      // not to UNHCR
      make_referral(1, {"r5", "unhcr_cw", "UNHCR", row_id(1, 5), "accepted"}),      // no longer in progress
      make_referral(1, {"r6", "tabide", "unhcr", row_id(1, 6)}),                    // agency codes are exact
      make_referral(1, {"r7", "unhcr_cw", "UNHCR", ""}),                            // no service row
      make_referral(1, {"r8", "unhcr_cw", "UNHCR", "not-in-the-case-ffffffffffff"}),  // no such row
  };
  const auto report = f.run();
  const auto out = by_key(report);
  CHECK(report.records().size() == 5);
  CHECK(report.count(RecordState::kDelivered) == 3);
  for (int k : {1, 2, 3}) {
    const std::string key = "case-1#" + suffix(row_id(1, k));
    REQUIRE(out.count(key) == 1);
    CHECK(out.at(key).state == RecordState::kDelivered);
    CHECK(out.at(key).ids.at("referral_id") == "r" + std::to_string(k));
    CHECK(out.at(key).ids.at("case_id") == "case-1");
    CHECK(out.at(key).source_id == record_id(1));
    CHECK(f.stored_with(key).service_type == "Family Reunification Service");
  }
  for (const std::string ref : {"r7", "r8"}) {
    const std::string key = "case-1#referral-" + ref;
    REQUIRE(out.count(key) == 1);
    CHECK(out.at(key).state == RecordState::kRejected);
    CHECK(out.at(key).rule == "no-service-row");
    CHECK_THAT(out.at(key).reason, Catch::Contains("service_record_id"));
    CHECK(f.ledger_row(key).state == LedgerState::kRejected);
  }
  CHECK(f.stored.size() == 3);
  CHECK(f.ping.ingest_referrals_calls.size() == 1);  // one batch

  // The case is edited again: delivered ones are not resent, the rejections are not re-recorded.
  f.case_of(1).last_updated_at = DateTime::parse(at(5)).value();
  const auto again = by_key(f.run());
  CHECK(again.size() == 5);
  for (const auto& [key, r] : again) {
    CHECK(r.state == RecordState::kSkipped);
    CHECK(r.rule == (key.find("#referral-") != std::string::npos ? "already-rejected" : "already-delivered"));
  }
  CHECK(f.ping.ingest_referrals_calls.size() == 1);
  // The case filter is the configured UNHCR user names.
  REQUIRE_FALSE(f.primero.list_cases_calls.empty());
  CHECK(f.primero.list_cases_calls[0].associated_user_names ==
        std::optional<std::string>("unhcr_cw@cpims-gambella.primero.org,unhcr_cw"));
  CHECK(f.primero.list_cases_calls[0].last_updated_at == std::optional<std::string>("2024-12-31T23:58:00.000Z.."));
}

TEST_CASE("the key is the correlation id and every page of cases is read, then the cursor moves to the newest") {
  Fixture f;
  std::vector<std::string> keys;
  for (int n = 1; n <= 5; ++n) keys.push_back(f.add_simple(n, at(60 - n)));
  const auto report = f.run();
  CHECK(report.count(RecordState::kDelivered) == 5);
  for (const auto& key : keys) CHECK(f.stored_with(key).id == key);
  CHECK(f.primero.list_cases_calls.size() >= 3);  // page size 2
  CHECK(f.ledger->cursor("2.1").value() == std::optional<std::string>(at(55)));
  CHECK(f.ledger_row(keys[0]).target_key == keys[0]);
}

TEST_CASE("the referring user's contact: one listUsers per user per run, transitioned_by before owned_by") {
  Fixture f;
  f.add_simple(1, at(50), "cw_a");
  f.add_simple(2, at(40), "cw_a");
  f.add_simple(3, at(30), "cw_b");
  const std::string k4 = f.add_simple(4, at(20), "");  // no transitioned_by: the owner (owner_4, unknown)
  f.users["owner_4"] = make_user("owner_4", "owner4@example.invalid");
  const auto report = f.run();
  CHECK(report.count(RecordState::kDelivered) == 4);
  std::vector<std::string> asked;
  for (const auto& c : f.primero.list_users_calls) asked.push_back(*c.user_name);
  std::sort(asked.begin(), asked.end());
  CHECK(asked == std::vector<std::string>{"cw_a", "cw_b", "owner_4"});
  const auto& first = f.stored_with("case-1#" + suffix(row_id(1, 1)));
  CHECK(first.email == std::string("a.worker@example.invalid"));
  CHECK(first.full_name == std::string("Full cw_a"));
  CHECK(first.position == std::string("Caseworker"));
  CHECK(first.primero_user == "owner_1");
  CHECK(f.stored_with("case-3#" + suffix(row_id(3, 1))).email == std::string("b.worker@example.invalid"));
  CHECK(f.stored_with(k4).email == std::string("owner4@example.invalid"));
  // Contact details and user names never reach the log.
  const std::string logged = f.log_text.str();
  CHECK(logged.find("example.invalid") == std::string::npos);
  CHECK(logged.find("+000 111") == std::string::npos);
  CHECK(logged.find("cw_a") == std::string::npos);

  // The cache lives for one run: a new referral by cw_a in the next run asks again, once.
  f.primero.list_users_calls.clear();
  f.add_simple(5, at(10), "cw_a");
  f.add_simple(6, at(9), "cw_a");
  f.run();
  REQUIRE(f.primero.list_users_calls.size() == 1);
  CHECK(*f.primero.list_users_calls[0].user_name == "cw_a");
}

TEST_CASE("fallback contact: the configured user when the referring user is unknown, else the profile constants") {
  Fixture f;
  const std::string k1 = f.add_simple(1, at(50), "gone_user");
  auto report = f.run();
  CHECK(report.count(RecordState::kDelivered) == 1);
  CHECK(f.stored_with(k1).email == std::string("admin@example.invalid"));
  CHECK(f.stored_with(k1).full_name == std::string("Full cpims_admin"));

  f.unhcr.fallback_contact_user = "also_gone";
  const std::string k2 = f.add_simple(2, at(40), "gone_user");
  report = f.run();
  CHECK(report.count(RecordState::kDelivered) == 1);
  const auto& body = f.stored_with(k2);
  CHECK(body.email == std::string("notavailable@primero.org"));
  CHECK(body.phone == std::string("0000000000"));
  CHECK(body.full_name == std::string("CPIMS+"));
  CHECK(body.position == std::string("CPIMS+ Administrator"));
}

TEST_CASE("listUsers answering 403 logs one warning and every referral carries the fallback constants") {
  Fixture f;
  f.users_error = make_error(ErrorCode::kForbidden, "GET answered 403: Forbidden", 403);
  f.add_simple(1, at(50), "cw_a");
  f.add_simple(2, at(40), "cw_b");
  const std::string k3 = f.add_simple(3, at(30), "cw_a");
  const auto report = f.run();
  CHECK(report.count(RecordState::kDelivered) == 3);
  CHECK(f.primero.list_users_calls.size() == 1);  // after the 403 nobody is asked again
  CHECK(occurrences(f.log_text.str(), "contacts.forbidden") == 1);
  CHECK(f.stored_with(k3).email == std::string("notavailable@primero.org"));
}

TEST_CASE("a transient listUsers error fails the record, then the next run delivers it") {
  Fixture f;
  f.users_error = make_error(ErrorCode::kServerError, "GET answered 503: HTTP 503", 503);
  const std::string key = f.add_simple(1, at(50), "cw_a");
  auto report = f.run();
  REQUIRE(report.records().size() == 1);
  CHECK(report.records()[0].state == RecordState::kFailed);
  CHECK(report.records()[0].rule == "server_error");
  CHECK(f.ping.ingest_referrals_calls.empty());
  CHECK(f.ledger_row(key).state == LedgerState::kFailed);

  f.users_error.reset();
  report = f.run();  // the cursor moved past the case: only the ledger retry finds it
  REQUIRE(report.records().size() == 1);
  CHECK(report.records()[0].state == RecordState::kDelivered);
  CHECK(f.primero.get_case_calls.size() == 1);
  CHECK(f.stored_with(key).email == std::string("a.worker@example.invalid"));
}

TEST_CASE("send once ever: a delivered referral is skipped already-delivered and the ledger is left alone") {
  Fixture f;
  const std::string key = f.add_simple(1, at(50));
  f.run();
  const auto before = f.ledger_row(key);
  REQUIRE(before.state == LedgerState::kDelivered);

  // The caseworker edits the case (and the referred row): it is read again, nothing is resent.
  auto& c = f.case_of(1);
  c.last_updated_at = DateTime::parse(at(5)).value();
  (*c.services_section)[0].service_referral_notes = std::string("edited after the referral");
  const auto report = f.run();
  REQUIRE(report.records().size() == 1);
  CHECK(report.records()[0].state == RecordState::kSkipped);
  CHECK(report.records()[0].rule == "already-delivered");
  CHECK(f.ping.ingest_referrals_calls.size() == 1);
  const auto after = f.ledger_row(key);
  CHECK(after.updated_at == before.updated_at);
  CHECK(after.attempts == before.attempts);
  CHECK(after.state == LedgerState::kDelivered);
}

TEST_CASE("PING rejecting one record of a batch rejects only that record, then unchanged it is not resent") {
  Fixture f;
  const std::string good = f.add_simple(1, at(50));
  const std::string bad = f.add_simple(2, at(40));
  f.reject[bad] = "unknown-individual";
  auto report = f.run();
  auto out = by_key(report);
  CHECK(out.at(good).state == RecordState::kDelivered);
  CHECK(out.at(bad).state == RecordState::kRejected);
  CHECK(out.at(bad).rule == "ingestion-rejected");
  CHECK_THAT(out.at(bad).reason, Catch::Contains("unknown-individual"));
  CHECK(f.ping.ingest_referrals_calls.size() == 1);

  // An unrelated edit of the case: the same body is not sent again.
  f.case_of(2).last_updated_at = DateTime::parse(at(5)).value();
  report = f.run();
  out = by_key(report);
  CHECK(out.at(bad).state == RecordState::kSkipped);
  CHECK(out.at(bad).rule == "already-rejected");
  CHECK(f.ping.ingest_referrals_calls.size() == 1);
}

TEST_CASE("a failed transaction fails its records, then the next run re-fetches the case and delivers once") {
  Fixture f;
  const std::string key = f.add_simple(1, at(50));
  f.mode = TxMode::kFail;
  auto report = f.run();
  REQUIRE(report.records().size() == 1);
  CHECK(report.records()[0].state == RecordState::kFailed);
  CHECK(report.records()[0].rule == "ingestion-failed");
  CHECK(f.ledger_row(key).state == LedgerState::kFailed);
  CHECK(f.ledger->cursor("2.1").value() == std::optional<std::string>(at(50)));  // failed is a ledger state

  f.mode = TxMode::kComplete;
  report = f.run();
  REQUIRE(report.records().size() == 1);
  CHECK(report.records()[0].state == RecordState::kDelivered);
  CHECK(f.primero.get_case_calls.size() == 1);
  CHECK(f.primero.get_case_calls[0].id == record_id(1));
  CHECK(f.stored.size() == 1);
  CHECK(f.ledger_row(key).attempts == 0);  // delivered: attempts count failures only

  report = f.run();  // nothing left
  CHECK(f.ping.ingest_referrals_calls.size() == 2);
}

TEST_CASE("a retried referral that is no longer in progress is skipped no-longer-selected") {
  Fixture f;
  const std::string key = f.add_simple(1, at(50));
  f.mode = TxMode::kFail;
  f.run();
  f.referrals[record_id(1)][0].status = primero::ReferralStatus::kRevoked;
  f.mode = TxMode::kComplete;
  const auto report = f.run();
  REQUIRE(report.records().size() == 1);
  CHECK(report.records()[0].state == RecordState::kSkipped);
  CHECK(report.records()[0].rule == "no-longer-selected");
  CHECK(f.ledger_row(key).state == LedgerState::kSkipped);
  CHECK(f.stored.empty());
}

TEST_CASE("a case whose referrals cannot be listed is kept in the ledger and read again next run") {
  Fixture f;
  const std::string key = f.add_simple(1, at(50));
  f.referrals_fail.insert(record_id(1));
  auto report = f.run();
  REQUIRE(report.records().size() == 1);
  CHECK(report.records()[0].key == "case-1#referrals");
  CHECK(report.records()[0].state == RecordState::kFailed);
  CHECK(f.ledger->cursor("2.1").value() == std::optional<std::string>(at(50)));

  f.referrals_fail.clear();
  report = f.run();
  const auto out = by_key(report);
  CHECK(out.at(key).state == RecordState::kDelivered);
  CHECK(out.at("case-1#referrals").state == RecordState::kSkipped);
  CHECK(out.at("case-1#referrals").rule == "referrals-read");
  CHECK(f.stored.size() == 1);
}

TEST_CASE("a mapping refusal is rejected with the mapping's rule, naming fields only") {
  Fixture f;
  f.add_simple(1, at(50));
  (*f.case_of(1).services_section)[0].service_type = std::string("not_a_known_type");
  const auto report = f.run();
  REQUIRE(report.records().size() == 1);
  CHECK(report.records()[0].state == RecordState::kRejected);
  CHECK(report.records()[0].rule == "lookup-progres_service_type");
  CHECK(f.ping.ingest_referrals_calls.empty());
}

TEST_CASE("referral_key and is_referral_to_unhcr") {
  CHECK(workflows::referral_key("f59e880e-d58f-4b68-ba6e-e0616a49aefd", "5c2d4f6c-7a78-43b5-ac40-eb097be51d89") ==
        "f59e880e-d58f-4b68-ba6e-e0616a49aefd#eb097be51d89");
  workflows::UnhcrIdentity unhcr;
  unhcr.user_names = {"unhcr_cw"};
  const auto c = make_case(1, at(1), {{row_id(1, 1), "UNHCR"}, {row_id(1, 2), "DRC"}});
  CHECK(workflows::is_referral_to_unhcr(make_referral(1, {"a", "unhcr_cw", "", ""}), c, unhcr));
  CHECK(workflows::is_referral_to_unhcr(make_referral(1, {"b", "x", "UNHCR", ""}), c, unhcr));
  CHECK(workflows::is_referral_to_unhcr(make_referral(1, {"c", "x", "DRC", row_id(1, 1)}), c, unhcr));
  CHECK_FALSE(workflows::is_referral_to_unhcr(make_referral(1, {"d", "x", "DRC", row_id(1, 2)}), c, unhcr));
  CHECK_FALSE(workflows::is_referral_to_unhcr(make_referral(1, {"e", "", "", ""}), c, unhcr));
}
