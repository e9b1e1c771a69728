// PING ingestion and decisions in the sandbox: ingestion transactions (lifecycle, per-record
// results, de-duplication, injected failures), incoming referral decisions (listing, detail,
// sync status), seeding from the decision fixtures and synthetic load generation.
#include "test_support.h"

#include "refbridge/ping/serde.h"
#include "refbridge/ping/validate.h"
#include "refbridge/json.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

using namespace sandbox_test;
namespace fs = std::filesystem;

namespace {

const fs::path kFixtures = REFBRIDGE_FIXTURES_DIR;
constexpr const char* kDad141 = "891cc1a1-681f-ec11-8105-00155d340606";  // DAD-21-PRTITV-0000141
constexpr const char* kFlow23Org = "f59e880e-d58f-4b68-ba6e-e0616a49aefd#eb097be51d89";
constexpr const char* kFlow23Id = "d19321ea-778e-405e-841d-b24f247662e3";

std::unique_ptr<refbridge::sandbox::Sandbox> start_with_polls(int polls) {
  refbridge::sandbox::SandboxOptions options;
  options.ping_token = kToken;
  options.ingestion_polls_to_complete = polls;
  auto started = refbridge::sandbox::Sandbox::start(options);
  REQUIRE(started.has_value());
  return std::move(started).value();
}

void require_problem(const httplib::Result& res, int status) {
  REQUIRE(res);
  CHECK(res->status == status);
  CHECK(res->get_header_value("Content-Type") == "application/problem+json");
  CHECK(parse(res->body)["status"].GetInt() == status);
}

/// POSTs an ingestion body; returns the transaction id of the 202 answer.
std::string submit(httplib::Client& c, const std::string& path, const std::string& body) {
  auto res = c.Post(path.c_str(), body, "application/json");
  REQUIRE(res);
  REQUIRE(res->status == 202);
  auto d = parse(res->body);
  CHECK(str(d, "status") == "received");
  return str(d, "transactionId");
}

rapidjson::Document poll(httplib::Client& c, const std::string& transaction_id) {
  auto res = c.Get(("/v1/ingestion/transactions/" + encode(transaction_id)).c_str());
  REQUIRE(res);
  REQUIRE(res->status == 200);
  return parse(res->body);
}

/// Polls until the transaction is final (at most 10 GETs); returns the final document.
rapidjson::Document settle(httplib::Client& c, const std::string& transaction_id) {
  for (int i = 0; i < 10; ++i) {
    auto d = poll(c, transaction_id);
    const std::string status = str(d, "status");
    if (status == "completed" || status == "failed") return d;
  }
  FAIL("transaction did not settle");
  return {};
}

std::vector<std::string> result_statuses(const rapidjson::Document& tx) {
  std::vector<std::string> out;
  for (const auto& r : tx["results"].GetArray()) out.push_back(str(r, "status"));
  return out;
}

std::string decision(const std::string& case_id, const std::string& number, const std::string& status,
                     const std::string& reason_member = "") {
  return R"({"case_id":")" + case_id + R"(","primero_user":"unhcr_cw","progres_interventionnumber":")" + number +
         R"(","status":")" + status + "\"" + reason_member + "}";
}

std::string referral(const std::string& id, const std::string& extra = "") {
  return R"({"id":")" + id + R"(","primero_user":"unhcr_cw","service_implementing_agency":"UNICEF",)"
         R"("service_type":"Family Reunification Service","name_first":"Synth1","name_last":"Sandbox",)"
         R"("date_of_birth":"2016-07-19","sex":"unknown","language":"Nuer")" +
         extra + "}";
}

std::string records(const std::vector<std::string>& items) {
  std::string out = R"({"records":[)";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : ",") + items[i];
  return out + "]}";
}

/// Walks every page of the decision listing with `query`; returns the referral ids in order.
std::vector<std::string> list_decisions(httplib::Client& c, const std::string& query, int* pages = nullptr) {
  std::vector<std::string> ids;
  std::string token;
  int n = 0;
  do {
    std::string path = "/v1/referrals/incoming/decisions?" + query;
    if (!token.empty()) path += "&pageToken=" + encode(token);
    auto res = c.Get(path.c_str());
    REQUIRE(res);
    REQUIRE(res->status == 200);
    auto d = parse(res->body);
    for (const auto& item : d["items"].GetArray()) ids.push_back(str(item, "progres_interoperabilityreferralid"));
    token = d.HasMember("nextPageToken") ? d["nextPageToken"].GetString() : "";
    REQUIRE(++n < 100);
  } while (!token.empty());
  if (pages != nullptr) *pages = n;
  return ids;
}

httplib::Result patch_sync(httplib::Client& c, const std::string& id, const std::string& body) {
  return c.Patch(("/v1/referrals/incoming/" + encode(id) + "/sync-status").c_str(), body, "application/json");
}

bool any_notice(const std::vector<std::string>& notices, std::initializer_list<const char*> parts) {
  return std::any_of(notices.begin(), notices.end(), [&](const std::string& n) {
    return std::all_of(parts.begin(), parts.end(), [&](const char* p) { return n.find(p) != std::string::npos; });
  });
}

/// The answer parses as the generated model T and violates none of its schema rules.
template <class T>
void require_model(const std::string& text) {
  INFO(text);
  auto parsed = refbridge::json::parse<T>(text);
  REQUIRE(parsed.has_value());
  CHECK(refbridge::ping::validate(parsed.value()).empty());
}

}  // namespace

TEST_CASE("a decision ingestion goes received -> processing -> completed with per-record results",
          "[sandbox][ping][ingestion]") {
  auto sb = start_sandbox();
  REQUIRE(sb->seed_ping_from_fixtures(kFixtures).has_value());
  auto c = ping_client(*sb);

  const std::string body = records({
      decision("case-a", "DAD-21-PRTITV-0000141", "acknowledged", R"(,"closure_reason":"No reason specified.")"),
      decision("case-b", "811-23-PRTITV-1000095", "rejected", R"(,"closure_reason":"primero reason for rejection")"),
      decision("case-c", "NOPE-99-PRTITV-0000001", "acknowledged"),
      R"({"primero_user":"x","progres_interventionnumber":"","status":"accepted","closure_reason":7})",
      "7",
  });
  const auto tx = submit(*c, "/v1/ingestion/referral-decisions", body);
  CHECK(sb->transaction_count() == 1);

  auto first = poll(*c, tx);
  CHECK(str(first, "status") == "processing");
  CHECK_FALSE(first.HasMember("results"));
  CHECK(sb->intervention_decisions(kDad141).empty());  // nothing stored before completion

  auto done = poll(*c, tx);
  CHECK(str(done, "status") == "completed");
  CHECK(str(done, "transactionId") == tx);
  CHECK(done.HasMember("receivedAt"));
  CHECK(done.HasMember("completedAt"));
  CHECK(result_statuses(done) == std::vector<std::string>{"accepted", "accepted", "rejected", "rejected", "rejected"});
  const auto& results = done["results"];
  CHECK(results[0]["index"].GetInt() == 0);
  CHECK(str(results[0], "recordKey") == "case-a/DAD-21-PRTITV-0000141");
  CHECK_FALSE(results[0].HasMember("errors"));
  CHECK(str(results[2]["errors"][0], "code") == "unknown-intervention");
  CHECK(str(results[2]["errors"][0], "field") == "progres_interventionnumber");

  // Record 3: every problem is reported with its member; values are never echoed.
  std::set<std::string> fields;
  for (const auto& e : results[3]["errors"].GetArray()) {
    CHECK(str(e, "code") == "invalid-field");
    fields.insert(str(e, "field"));
  }
  CHECK(fields == std::set<std::string>{"case_id", "progres_interventionnumber", "status", "closure_reason"});
  CHECK(results[3]["errors"].Size() == 4);
  CHECK(str(results[4]["errors"][0], "code") == "invalid-field");
  CHECK_FALSE(results[4]["errors"][0].HasMember("field"));
  CHECK_FALSE(results[4].HasMember("recordKey"));

  // A later GET answers the same final state.
  CHECK(result_statuses(poll(*c, tx)) == result_statuses(done));

  auto recorded = sb->intervention_decisions(kDad141);
  REQUIRE(recorded.size() == 1);
  CHECK(recorded[0].case_id == "case-a");
  CHECK(recorded[0].status == "acknowledged");
  CHECK(recorded[0].closure_reason == "No reason specified.");
  CHECK(recorded[0].transaction_id == tx);
  CHECK(recorded[0].at.size() == 24);

  // The decision reached proGres: the intervention dump shows it.
  auto dump = parse(sb->ping_interventions_json());
  bool shown = false;
  for (const auto& iv : dump["data"].GetArray()) {
    if (str(iv, "progres_lpinterventionid") == kDad141) shown = iv["decisions"].Size() == 1 && str(iv["decisions"][0], "transactionId") == tx;
  }
  CHECK(shown);

  SECTION("re-submission: identical decisions are duplicates, a changed one is stored") {
    const auto again = submit(*c, "/v1/ingestion/referral-decisions",
                              records({decision("case-a", "DAD-21-PRTITV-0000141", "acknowledged",
                                                R"(,"closure_reason":"No reason specified.")"),
                                       decision("case-b", "811-23-PRTITV-1000095", "rejected",
                                                R"(,"closure_reason":"primero reason for rejection")"),
                                       decision("case-a", "DAD-21-PRTITV-0000141", "rejected", R"(,"closure_reason":"changed")"),
                                       decision("case-a", "DAD-21-PRTITV-0000141", "rejected", R"(,"closure_reason":"changed")")}));
    auto settled = settle(*c, again);
    CHECK(result_statuses(settled) == std::vector<std::string>{"duplicate", "duplicate", "accepted", "duplicate"});
    CHECK(sb->intervention_decisions(kDad141).size() == 2);
  }
}

TEST_CASE("ingestion bodies are validated, unknown transactions are 404", "[sandbox][ping][ingestion]") {
  auto sb = start_sandbox();
  auto c = ping_client(*sb);
  for (const char* path : {"/v1/ingestion/referrals", "/v1/ingestion/referral-decisions"}) {
    require_problem(c->Post(path, "{not json", "application/json"), 400);
    require_problem(c->Post(path, "[]", "application/json"), 400);
    require_problem(c->Post(path, "{}", "application/json"), 400);
    require_problem(c->Post(path, R"({"records":{}})", "application/json"), 400);
    require_problem(c->Post(path, R"({"records":[]})", "application/json"), 400);
    std::vector<std::string> many(101, "{}");
    require_problem(c->Post(path, records(many), "application/json"), 413);
    require_problem(c->Get(path), 405);
  }
  CHECK(sb->transaction_count() == 0);
  std::vector<std::string> hundred(100, "{}");
  CHECK(c->Post("/v1/ingestion/referrals", records(hundred), "application/json")->status == 202);
  require_problem(c->Get("/v1/ingestion/transactions/no-such-transaction"), 404);
  require_problem(ping_client(*sb, false)->Post("/v1/ingestion/referrals", records({referral("a#0123456789ab")}), "application/json"),
                  401);
}

TEST_CASE("ingestion_polls_to_complete 0 completes on the first GET", "[sandbox][ping][ingestion]") {
  auto sb = start_with_polls(0);
  auto c = ping_client(*sb);
  const auto tx = submit(*c, "/v1/ingestion/referrals", records({referral("case-1#0123456789ab")}));
  auto d = poll(*c, tx);
  CHECK(str(d, "status") == "completed");
  CHECK(result_statuses(d) == std::vector<std::string>{"accepted"});

  refbridge::sandbox::SandboxOptions bad;
  bad.ingestion_polls_to_complete = -1;
  CHECK_FALSE(refbridge::sandbox::Sandbox::start(bad).has_value());
}

TEST_CASE("fail_next_ingestions makes the next ingestions fail and store nothing", "[sandbox][ping][ingestion]") {
  auto sb = start_sandbox();
  REQUIRE(sb->seed_ping_from_fixtures(kFixtures).has_value());
  auto c = ping_client(*sb);
  const std::string body = records({decision("case-a", "DAD-21-PRTITV-0000141", "acknowledged")});

  SECTION("through the library call") { sb->fail_next_ingestions(1); }
  SECTION("through the admin route") {
    httplib::Client admin("127.0.0.1", sb->ping_port());
    auto res = admin.Post("/_sandbox/ping/ingestion/fail-next?count=1", "", "application/json");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(parse(res->body)["failNext"].GetInt() == 1);
    CHECK(admin.Post("/_sandbox/ping/ingestion/fail-next?count=x", "", "application/json")->status == 400);
    CHECK(admin.Post("/_sandbox/ping/ingestion/fail-next", "", "application/json")->status == 400);
  }
  const auto failed_tx = submit(*c, "/v1/ingestion/referral-decisions", body);
  CHECK(str(poll(*c, failed_tx), "status") == "processing");
  auto failed = poll(*c, failed_tx);
  CHECK(str(failed, "status") == "failed");
  CHECK(str(failed["error"], "code") == "processing-error");
  CHECK_FALSE(failed.HasMember("results"));
  CHECK(sb->intervention_decisions(kDad141).empty());

  const auto ok_tx = submit(*c, "/v1/ingestion/referral-decisions", body);
  CHECK(result_statuses(settle(*c, ok_tx)) == std::vector<std::string>{"accepted"});
  CHECK(sb->intervention_decisions(kDad141).size() == 1);

  httplib::Client admin("127.0.0.1", sb->ping_port());
  auto dump = admin.Get("/_sandbox/ping/ingestions");
  REQUIRE(dump->status == 200);
  auto d = parse(dump->body);
  REQUIRE(d["data"].Size() == 2);
  CHECK(str(d["data"][0], "status") == "failed");
  CHECK(str(d["data"][0], "kind") == "referral-decisions");
  CHECK(str(d["data"][1], "status") == "completed");
  CHECK(d["data"][1]["recordCount"].GetInt() == 1);
  CHECK(dump->body.find("unhcr_cw") == std::string::npos);  // no record contents in the dump
}

TEST_CASE("referral ingestion stores incoming referrals, validates records and de-duplicates",
          "[sandbox][ping][ingestion][incoming]") {
  auto sb = start_sandbox();
  auto c = ping_client(*sb);
  const std::string org = "0b7c3e1e-5f3a-4d7e-9b43-1f0e2d3c4b5a#a1b2c3d4e5f6";
  const auto tx = submit(*c, "/v1/ingestion/referrals",
                         records({referral(org),
                                  R"({"id":"no-hash","primero_user":"","service_implementing_agency":"UNICEF",)"
                                  R"("service_type":"x","name_first":5,"date_of_birth":"2016-13-45","email":null})"}));
  auto done = settle(*c, tx);
  CHECK(result_statuses(done) == std::vector<std::string>{"accepted", "rejected"});
  CHECK(str(done["results"][0], "recordKey") == org);
  std::set<std::string> fields;
  for (const auto& e : done["results"][1]["errors"].GetArray()) fields.insert(str(e, "field"));
  CHECK(fields == std::set<std::string>{"id", "primero_user", "name_first", "name_last", "date_of_birth"});
  CHECK(done.HasMember("results"));
  CHECK(done["results"][1]["errors"].Size() == 5);
  CHECK(sb->ping_ingestions_json().find("2016-13-45") == std::string::npos);

  auto id = sb->incoming_referral_id(org);
  REQUIRE(id);
  auto detail = c->Get(("/v1/referrals/incoming/" + encode(*id)).c_str());
  REQUIRE(detail->status == 200);
  auto d = parse(detail->body);
  CHECK(str(d, "progres_interoperabilityreferralid") == *id);
  CHECK(str(d, "progres_interoperabilityreferralnumber") == "REF-IOP-SBX-000000001");
  CHECK(str(d, "progres_orgreferralid") == org);
  CHECK(str(d, "syncStatus") == "pending");
  CHECK_FALSE(d.HasMember("progres_reviewdecision"));
  CHECK(list_decisions(*c, "syncStatus=pending").empty());  // no decision yet

  // Identical re-submission: duplicate; changed content: accepted, still one record.
  CHECK(result_statuses(settle(*c, submit(*c, "/v1/ingestion/referrals", records({referral(org)})))) ==
        std::vector<std::string>{"duplicate"});
  CHECK(result_statuses(settle(*c, submit(*c, "/v1/ingestion/referrals", records({referral(org, R"(,"phone":"0790000000")")})))) ==
        std::vector<std::string>{"accepted"});
  CHECK(sb->incoming_referral_id(org) == id);
  CHECK(parse(sb->ping_incoming_referrals_json())["data"].Size() == 1);

  // proGres staff decide it: it is listed, pending.
  auto decided = sb->decide_incoming_referral(org, "125080001", std::string("125080000"), std::string("not found in proGres"));
  REQUIRE(decided.has_value());
  CHECK(decided.value() == *id);
  CHECK(list_decisions(*c, "syncStatus=pending") == std::vector<std::string>{*id});
  auto after = parse(c->Get(("/v1/referrals/incoming/" + encode(*id)).c_str())->body);
  CHECK(str(after, "progres_reviewdecision") == "125080001");
  CHECK(str(after, "progres_interoperabiltyreferralrejectionreason") == "125080000");
  CHECK(str(after, "progres_interoperabilityreferralrejectionomment") == "not found in proGres");
  CHECK(after.HasMember("progres_reviewdate"));
  CHECK_FALSE(sb->decide_incoming_referral("unknown#000000000000", "125080000").has_value());

  httplib::Client admin("127.0.0.1", sb->ping_port());
  auto dump = parse(admin.Get("/_sandbox/ping/incoming-referrals")->body);
  REQUIRE(dump["data"].Size() == 1);
  CHECK(str(dump["data"][0]["ingestedReferral"], "id") == org);
  CHECK(dump["data"][0]["syncHistory"].Size() == 1);
}

TEST_CASE("seeding the decision fixtures keeps member names and reports what is odd", "[sandbox][ping][seed][incoming]") {
  auto sb = start_sandbox();
  auto report = sb->seed_ping_decisions_from_fixtures(kFixtures);
  REQUIRE(report.has_value());
  const auto& r = report.value();
  CHECK(r.files == 2);
  CHECK(r.files_skipped == 0);
  CHECK(r.records == 2);
  CHECK(r.incoming_referrals == 2);
  CHECK(r.decisions == 2);
  CHECK(any_notice(r.notices, {"progres_referralDecisionToPrimero.json", "progres_interoperabilityreferralrejectioncomment",
                               "progres_interoperabilityreferralrejectionomment"}));
  CHECK(any_notice(r.notices, {"progres_referralDecisionToPrimero.json", "no progres_interoperabilityreferralid"}));
  CHECK(any_notice(r.notices, {"progres_orgreferralid", "placeholder"}));
  CHECK(any_notice(r.notices, {"125080003"}));
  CHECK_FALSE(any_notice(r.notices, {"progresDecision__flow2-3.json"}));  // the current shape is clean

  CHECK(sb->incoming_referral_id(kFlow23Org) == kFlow23Id);
  CHECK(sb->sync_status(kFlow23Id) == "pending");
  CHECK(sb->sync_history(kFlow23Id).empty());

  auto c = ping_client(*sb);
  auto d = parse(c->Get((std::string("/v1/referrals/incoming/") + kFlow23Id).c_str())->body);
  CHECK(str(d, "progres_reviewdecision") == "125080000");
  CHECK(str(d, "progres_orgreferralid") == kFlow23Org);
  CHECK(str(d, "progres_interoperabilityreferralnumber") == "REF-IOP-DAD-000000112");
  CHECK(str(d, "syncStatus") == "pending");

  auto other_id = sb->incoming_referral_id("string");
  REQUIRE(other_id);
  CHECK(other_id->size() == 36);
  auto other = parse(c->Get(("/v1/referrals/incoming/" + encode(*other_id)).c_str())->body);
  CHECK(str(other, "progres_interoperabilityreferralrejectioncomment") == "sample comments");  // kept as found
  CHECK_FALSE(other.HasMember("progres_interoperabilityreferralrejectionomment"));               // never silently fixed
  CHECK(str(other, "progres_reviewdecision") == "125080003");

  auto listed = list_decisions(*c, "syncStatus=pending");
  CHECK(listed == std::vector<std::string>{kFlow23Id, *other_id});  // oldest first

  // Seeding again changes nothing.
  auto again = sb->seed_ping_decisions_from_fixtures(kFixtures);
  REQUIRE(again.has_value());
  CHECK(again.value().incoming_referrals == 2);
  CHECK(sb->incoming_referral_id("string") == other_id);
  CHECK(sb->sync_history(kFlow23Id).empty());
  CHECK_FALSE(sb->seed_ping_decisions_from_fixtures(kFixtures / "no-such-dir").has_value());

  // add_ping_decision: a document without id gets one; not an object is an error.
  auto added = sb->add_ping_decision(R"({"progres_orgreferralid":"c-9#00000000000f","progres_reviewdecision":"125080000"})");
  REQUIRE(added.has_value());
  CHECK(sb->incoming_referral_id("c-9#00000000000f") == added.value());
  CHECK(sb->sync_status(added.value()) == "pending");
  CHECK_FALSE(sb->add_ping_decision("[1]").has_value());
  CHECK_FALSE(sb->add_ping_decision("{").has_value());
}

TEST_CASE("an ingested referral links to the seeded decision record with its progres_orgreferralid",
          "[sandbox][ping][ingestion][incoming]") {
  auto sb = start_sandbox();
  REQUIRE(sb->seed_ping_decisions_from_fixtures(kFixtures).has_value());
  auto c = ping_client(*sb);
  const auto tx = submit(*c, "/v1/ingestion/referrals", records({referral(kFlow23Org)}));
  CHECK(result_statuses(settle(*c, tx)) == std::vector<std::string>{"accepted"});
  CHECK(sb->incoming_referral_id(kFlow23Org) == kFlow23Id);
  auto dump = parse(sb->ping_incoming_referrals_json());
  REQUIRE(dump["data"].Size() == 2);
  CHECK(str(dump["data"][0], "progres_interoperabilityreferralid") == kFlow23Id);
  CHECK(str(dump["data"][0], "ingestionTransactionId") == tx);
  CHECK(str(dump["data"][0], "progres_interoperabilityreferralnumber") == "REF-IOP-DAD-000000112");  // not renumbered
  CHECK(str(dump["data"][0], "progres_reviewdecision") == "125080000");                            // decision kept
  CHECK(result_statuses(settle(*c, submit(*c, "/v1/ingestion/referrals", records({referral(kFlow23Org)})))) ==
        std::vector<std::string>{"duplicate"});
}

TEST_CASE("the decision listing pages with opaque tokens and filters by syncStatus", "[sandbox][ping][incoming][paging]") {
  auto sb = start_sandbox();
  REQUIRE(sb->seed_ping_decisions_from_fixtures(kFixtures).has_value());
  const auto ids = refbridge::sandbox::Sandbox::synthetic_org_referral_ids(7, 11);
  auto made = sb->seed_synthetic_decisions(ids, 11);
  REQUIRE(made.has_value());
  CHECK(made.value().decisions == 9);
  auto c = ping_client(*sb);

  int pages = 0;
  const auto all = list_decisions(*c, "syncStatus=pending&pageSize=2", &pages);
  CHECK(pages == 5);
  REQUIRE(all.size() == 9);
  CHECK(std::set<std::string>(all.begin(), all.end()).size() == 9);
  CHECK(all.front() == kFlow23Id);
  CHECK(list_decisions(*c, "pageSize=1000") == all);
  CHECK(list_decisions(*c, "") == all);

  SECTION("keyset paging skips nothing when each page is synchronised before the next") {
    std::vector<std::string> seen;
    std::string token;
    do {
      std::string path = "/v1/referrals/incoming/decisions?syncStatus=pending&pageSize=4";
      if (!token.empty()) path += "&pageToken=" + encode(token);
      auto d = parse(c->Get(path.c_str())->body);
      for (const auto& item : d["items"].GetArray()) {
        const std::string id = str(item, "progres_interoperabilityreferralid");
        seen.push_back(id);
        REQUIRE(patch_sync(*c, id, R"({"syncStatus":"synchronised","primeroReferralId":"r-1"})")->status == 200);
      }
      token = d.HasMember("nextPageToken") ? d["nextPageToken"].GetString() : "";
    } while (!token.empty());
    CHECK(seen == all);
    CHECK(list_decisions(*c, "syncStatus=pending").empty());
    CHECK(list_decisions(*c, "syncStatus=synchronised") == all);
  }

  SECTION("bad parameters and foreign tokens are 400 problems") {
    require_problem(c->Get("/v1/referrals/incoming/decisions?syncStatus=done"), 400);
    require_problem(c->Get("/v1/referrals/incoming/decisions?pageSize=0"), 400);
    require_problem(c->Get("/v1/referrals/incoming/decisions?pageSize=1001"), 400);
    require_problem(c->Get("/v1/referrals/incoming/decisions?pageToken=!!"), 400);
    // A token of the outgoing listing is not a decision-listing token.
    REQUIRE(sb->seed_ping_from_fixtures(kFixtures).has_value());
    auto outgoing = parse(c->Get("/v1/referrals/outgoing?pageSize=1")->body);
    const std::string foreign = outgoing["nextPageToken"].GetString();
    require_problem(c->Get(("/v1/referrals/incoming/decisions?pageToken=" + encode(foreign)).c_str()), 400);
    require_problem(c->Post("/v1/referrals/incoming/decisions", "{}", "application/json"), 405);
  }
}

TEST_CASE("sync-status updates are validated and kept in a history", "[sandbox][ping][incoming][sync]") {
  auto sb = start_sandbox();
  REQUIRE(sb->seed_ping_decisions_from_fixtures(kFixtures).has_value());
  auto c = ping_client(*sb);

  require_problem(patch_sync(*c, kFlow23Id, "{not json"), 400);
  require_problem(patch_sync(*c, kFlow23Id, "[]"), 400);
  require_problem(patch_sync(*c, kFlow23Id, "{}"), 400);
  require_problem(patch_sync(*c, kFlow23Id, R"({"syncStatus":1})"), 400);
  require_problem(patch_sync(*c, kFlow23Id, R"({"syncStatus":"failed","reason":7})"), 400);
  require_problem(patch_sync(*c, kFlow23Id, R"({"syncStatus":"synchronised","primeroReferralId":[]})"), 400);
  require_problem(patch_sync(*c, kFlow23Id, R"({"syncStatus":"done"})"), 422);
  require_problem(patch_sync(*c, kFlow23Id, R"({"syncStatus":"failed"})"), 422);
  require_problem(patch_sync(*c, kFlow23Id, R"({"syncStatus":"failed","reason":""})"), 422);
  require_problem(patch_sync(*c, "unknown-id", R"({"syncStatus":"pending"})"), 404);
  require_problem(c->Get("/v1/referrals/incoming/unknown-id"), 404);
  require_problem(c->Get((std::string("/v1/referrals/incoming/") + kFlow23Id + "/sync-status").c_str()), 405);
  CHECK(sb->sync_history(kFlow23Id).empty());

  auto res = patch_sync(*c, kFlow23Id, R"({"syncStatus":"failed","reason":"no-referral-match service_id=eb097be51d89"})");
  REQUIRE(res->status == 200);
  auto d = parse(res->body);
  CHECK(str(d, "progres_interoperabilityreferralid") == kFlow23Id);
  CHECK(str(d, "syncStatus") == "failed");
  CHECK(str(d, "reason") == "no-referral-match service_id=eb097be51d89");
  CHECK(d.HasMember("modifiedon"));

  res = patch_sync(*c, kFlow23Id, R"({"syncStatus":"synchronised","primeroReferralId":"ref-7","reason":null})");
  REQUIRE(res->status == 200);
  CHECK(str(parse(res->body), "primeroReferralId") == "ref-7");
  CHECK(sb->sync_status(kFlow23Id) == "synchronised");
  CHECK(str(parse(c->Get((std::string("/v1/referrals/incoming/") + kFlow23Id).c_str())->body), "syncStatus") == "synchronised");

  // A new proGres decision sets it back to pending (recorded in the history too).
  REQUIRE(sb->decide_incoming_referral(kFlow23Org, "125080001", std::string("125080002")).has_value());
  auto history = sb->sync_history(kFlow23Id);
  REQUIRE(history.size() == 3);
  CHECK(history[0].sync_status == "failed");
  CHECK(history[0].reason == "no-referral-match service_id=eb097be51d89");
  CHECK_FALSE(history[0].primero_referral_id.has_value());
  CHECK(history[1].sync_status == "synchronised");
  CHECK(history[1].primero_referral_id == "ref-7");
  CHECK(history[2].sync_status == "pending");
  CHECK(history[0].at <= history[1].at);
  CHECK(sb->sync_status(kFlow23Id) == "pending");
  CHECK_FALSE(sb->sync_status("unknown").has_value());
}

TEST_CASE("synthetic load: interventions and decisions", "[sandbox][ping][synthetic]") {
  auto sb = start_sandbox();
  auto c = ping_client(*sb);

  auto report = sb->seed_synthetic_interventions(25, 7);
  REQUIRE(report.has_value());
  CHECK(report.value().interventions == 25);
  CHECK(report.value().individuals == 25);
  CHECK(report.value().languages >= 25);
  CHECK(report.value().languages <= 50);
  CHECK(report.value().specific_needs == 25);
  CHECK(report.value().notices.empty());
  auto listed = parse(c->Get("/v1/referrals/outgoing?transferStatus=pending&pageSize=1000")->body);
  CHECK(listed["items"].Size() == 25);

  // Every record carries what workflow 1.1's mapping requires, with an accepted type (§8.1).
  const std::set<std::string> accepted = {"Alternative Care", "BIA", "BID", "Family Tracing and Reunification"};
  for (const auto& item : listed["items"].GetArray()) {
    auto iv = parse(c->Get(("/v1/interventions/" + encode(str(item, "progres_lpinterventionid"))).c_str())->body);
    CHECK(accepted.count(str(iv["progres_interventiontype2"], "Name")) == 1);
    CHECK(str(iv, "progres_interventionnumber").rfind("SYN-", 0) == 0);
    auto person = parse(c->Get(("/v1/individuals/" + encode(str(item, "progres_individualid"))).c_str())->body);
    CHECK(str(person, "progres_givenname").rfind("Synth", 0) == 0);
    CHECK(str(person, "progres_familyname") == "Synthetic");
    CHECK(str(person["progres_registrationgroupid"], "Name").size() > 0);
    CHECK(str(person, "progres_dateofbirth").size() == 20);
    CHECK((str(person, "progres_sex") == "125080000" || str(person, "progres_sex") == "125080001"));
    auto langs = parse(c->Get(("/v1/individuals/" + encode(str(item, "progres_individualid")) + "/languages").c_str())->body);
    CHECK(langs["items"].Size() >= 1);
  }
  // Deterministic: the same call again changes nothing; a bad count is an error.
  auto again = sb->seed_synthetic_interventions(25, 7);
  REQUIRE(again.has_value());
  CHECK(again.value().interventions == 25);
  CHECK(again.value().languages == report.value().languages);
  CHECK_FALSE(sb->seed_synthetic_interventions(-1, 7).has_value());

  // Benchmark scale: 10,000 interventions.
  auto big = sb->seed_synthetic_interventions(10000, 7);
  REQUIRE(big.has_value());
  CHECK(big.value().interventions == 10000);

  // Decisions: one per id; an id already ingested is decided in place (no second record).
  const auto ids = refbridge::sandbox::Sandbox::synthetic_org_referral_ids(10, 3);
  CHECK(ids == refbridge::sandbox::Sandbox::synthetic_org_referral_ids(10, 3));
  CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == 10);
  const auto tx = submit(*c, "/v1/ingestion/referrals", records({referral(ids[0])}));
  CHECK(result_statuses(settle(*c, tx)) == std::vector<std::string>{"accepted"});
  const auto ingested_id = sb->incoming_referral_id(ids[0]);
  auto decisions = sb->seed_synthetic_decisions(ids, 3);
  REQUIRE(decisions.has_value());
  CHECK(decisions.value().records == 10);
  CHECK(decisions.value().incoming_referrals == 10);
  CHECK(decisions.value().decisions == 10);
  CHECK(decisions.value().notices.empty());
  CHECK(sb->incoming_referral_id(ids[0]) == ingested_id);
  CHECK(list_decisions(*c, "syncStatus=pending").size() == 10);
  CHECK_FALSE(sb->seed_synthetic_decisions({""}, 3).has_value());
}

TEST_CASE("every answer follows the generated PING models", "[sandbox][ping][ingestion][contract]") {
  using namespace refbridge::ping;
  auto sb = start_sandbox();
  REQUIRE(sb->seed_ping_from_fixtures(kFixtures).has_value());
  REQUIRE(sb->seed_ping_decisions_from_fixtures(kFixtures).has_value());
  auto c = ping_client(*sb);

  const std::string decisions = records({decision("case-a", "DAD-21-PRTITV-0000141", "rejected", R"(,"closure_reason":"x")"),
                                         decision("case-b", "NOPE-1", "acknowledged")});
  const std::string referrals = records({referral(kFlow23Org), referral("bad")});
  require_model<DecisionIngestion>(decisions);
  require_model<ReferralIngestion>(records({referral(kFlow23Org)}));  // the test bodies follow the contract too

  auto accepted = c->Post("/v1/ingestion/referral-decisions", decisions, "application/json");
  require_model<IngestionAccepted>(accepted->body);
  const std::string tx = str(parse(accepted->body), "transactionId");
  require_model<IngestionTransaction>(c->Get(("/v1/ingestion/transactions/" + tx).c_str())->body);  // processing
  require_model<IngestionTransaction>(c->Get(("/v1/ingestion/transactions/" + tx).c_str())->body);  // completed
  const std::string tx2 = submit(*c, "/v1/ingestion/referrals", referrals);
  settle(*c, tx2);
  require_model<IngestionTransaction>(c->Get(("/v1/ingestion/transactions/" + tx2).c_str())->body);  // with rejections
  sb->fail_next_ingestions(1);
  const std::string tx3 = submit(*c, "/v1/ingestion/referrals", referrals);
  settle(*c, tx3);
  require_model<IngestionTransaction>(c->Get(("/v1/ingestion/transactions/" + tx3).c_str())->body);  // failed

  auto page = c->Get("/v1/referrals/incoming/decisions?syncStatus=pending&pageSize=1");
  require_model<ReferralDecisionSummaryPage>(page->body);
  const auto listing = parse(c->Get("/v1/referrals/incoming/decisions")->body);
  for (const auto& item : listing["items"].GetArray()) {
    const std::string id = str(item, "progres_interoperabilityreferralid");
    require_model<InteroperabilityReferral>(c->Get(("/v1/referrals/incoming/" + encode(id)).c_str())->body);
    require_model<SyncStatus>(patch_sync(*c, id, R"({"syncStatus":"failed","reason":"rule-x"})")->body);
  }
  require_model<Problem>(c->Get("/v1/ingestion/transactions/unknown")->body);
}
