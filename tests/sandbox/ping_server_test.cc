// PING side of the sandbox: seeding from the real flow A fixtures, paging, auth, transfer
// status, percent-encoded ids, invalid fixture files.
#include "test_support.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <vector>

using namespace sandbox_test;
namespace fs = std::filesystem;

namespace {

const fs::path kFixtures = REFBRIDGE_FIXTURES_DIR;
constexpr const char* kDad141 = "891cc1a1-681f-ec11-8105-00155d340606";  // DAD-21-PRTITV-0000141

std::unique_ptr<refbridge::sandbox::Sandbox> seeded() {
  auto sb = start_sandbox();
  auto report = sb->seed_ping_from_fixtures(kFixtures);
  REQUIRE(report.has_value());
  return sb;
}

/// Lists every page with the given query; returns the intervention numbers in order.
std::vector<std::string> list_all(httplib::Client& c, const std::string& query, int* pages = nullptr) {
  std::vector<std::string> numbers;
  std::string token;
  int n = 0;
  do {
    std::string path = "/v1/referrals/outgoing?" + query;
    if (!token.empty()) path += "&pageToken=" + encode(token);
    auto res = c.Get(path.c_str());
    REQUIRE(res);
    REQUIRE(res->status == 200);
    auto d = parse(res->body);
    for (const auto& item : d["items"].GetArray()) numbers.push_back(str(item, "progres_interventionnumber"));
    token = d.HasMember("nextPageToken") ? d["nextPageToken"].GetString() : "";
    REQUIRE(++n < 100);
  } while (!token.empty());
  if (pages != nullptr) *pages = n;
  return numbers;
}

void require_problem(const httplib::Result& res, int status) {
  REQUIRE(res);
  CHECK(res->status == status);
  CHECK(res->get_header_value("Content-Type") == "application/problem+json");
  auto d = parse(res->body);
  CHECK(d["status"].GetInt() == status);
  CHECK(d.HasMember("type"));
  CHECK(d.HasMember("title"));
  CHECK(d.HasMember("detail"));
}

}  // namespace

TEST_CASE("seeding the flow A fixtures aggregates rows into entities", "[sandbox][ping][seed]") {
  auto sb = start_sandbox();
  auto report = sb->seed_ping_from_fixtures(kFixtures);
  REQUIRE(report.has_value());
  const auto& r = report.value();
  CHECK(r.files == 7);
  CHECK(r.files_skipped == 0);
  CHECK(r.rows == 17);
  CHECK(r.interventions == 11);
  CHECK(r.individuals == 10);
  CHECK(r.notices.empty());

  auto c = ping_client(*sb);
  // DAD-21-PRTITV-0000141: two rows (and the same rows again in a second file) -> one
  // intervention whose individual has two languages (French, English) and one specific need.
  auto iv = c->Get((std::string("/v1/interventions/") + kDad141).c_str());
  REQUIRE(iv->status == 200);
  auto d = parse(iv->body);
  CHECK(str(d, "progres_interventionnumber") == "DAD-21-PRTITV-0000141");
  CHECK(str(d, "transferStatus") == "pending");
  CHECK(str(d, "progres_individual") == "DAD-00005708");
  CHECK(str(d["progres_interventiontype2"], "Name") == "Accessibility");
  CHECK(str(d["progres_interventiontype2"], "LogicalName") == "progres_interventiontype");
  CHECK(str(d["progres_businessowner"]["progres_partner"], "Name") == "DAD-17-PNR-00011");
  CHECK(str(d["progres_businessowner"], "systemuserid") == "8e2af354-0df4-e611-80cf-00155d34082d");
  CHECK(str(d["progres_businessunit"], "LogicalName") == "businessunit");
  CHECK(str(d, "progres_priority") == "125080002");

  auto langs = parse(c->Get("/v1/individuals/DAD-00005708/languages")->body);
  REQUIRE(langs["items"].Size() == 2);
  std::set<std::string> names;
  for (const auto& l : langs["items"].GetArray()) names.insert(str(l["progres_languagecodeid"], "Name"));
  CHECK(names == std::set<std::string>{"English", "French"});
  auto needs = parse(c->Get("/v1/individuals/DAD-00005708/specific-needs")->body);
  CHECK(needs["items"].Size() == 1);

  // Repeated need rows (DAD-21-PRTITV-0000001 in intervention_sample.json) are deduplicated.
  auto needs2 = parse(c->Get("/v1/individuals/DAD-00005695/specific-needs")->body);
  CHECK(needs2["items"].Size() == 3);

  // Individual: the URL id is progres_id; references keep {Id, LogicalName, Name}.
  auto ind = c->Get("/v1/individuals/989-00000226");
  REQUIRE(ind->status == 200);
  auto p = parse(ind->body);
  CHECK(str(p, "progres_individualid") == "989-00000226");
  CHECK(str(p, "progres_id") == "989-00000226");
  CHECK(str(p["progres_registrationgroupid"], "Name") == "989-22-00200");
  CHECK_FALSE(p["progres_registrationgroupid"].HasMember("RowVersion"));
  auto needs3 = parse(c->Get("/v1/individuals/989-00000226/specific-needs")->body);
  REQUIRE(needs3["items"].Size() == 1);
  CHECK(str(needs3["items"][0], "spnsubcategory2code") == "SC-UC");

  // An intervention without interventiontype.progres_description has a type reference without Name.
  auto all = sb->intervention_ids();
  CHECK(all.size() == 11);
  auto nur = parse(c->Get("/v1/interventions/4dd4d5cd-86ad-eb11-80fe-00155d3407c8")->body);
  CHECK(str(nur, "progres_interventionnumber") == "NUR-21-PRTITV-0000079");
  CHECK_FALSE(nur["progres_interventiontype2"].HasMember("Name"));
  CHECK_FALSE(nur.HasMember("progres_interventiondescription"));

  // The same individual in two files (NUR-00142746) is one individual.
  CHECK(c->Get("/v1/individuals/NUR-00142746")->status == 200);

  // Seeding again changes nothing.
  auto again = sb->seed_ping_from_fixtures(kFixtures);
  REQUIRE(again.has_value());
  CHECK(again.value().interventions == 11);
  CHECK(again.value().languages == r.languages);
}

TEST_CASE("the expected interventions are listed in intervention-number order", "[sandbox][ping][paging]") {
  auto sb = seeded();
  auto c = ping_client(*sb);
  int pages = 0;
  auto numbers = list_all(*c, "transferStatus=pending&pageSize=3", &pages);
  CHECK(pages == 4);
  REQUIRE(numbers.size() == 11);
  CHECK(std::is_sorted(numbers.begin(), numbers.end()));
  CHECK(std::set<std::string>(numbers.begin(), numbers.end()).size() == 11);
  for (const char* expected : {"811-23-PRTITV-1000095", "989-22-PRTITV-0000051", "DAD-21-PRTITV-0000141",
                               "DAD-21-PRTITV-0000201", "NUR-21-PRTITV-0000079"}) {
    CHECK(std::find(numbers.begin(), numbers.end(), expected) != numbers.end());
  }
  CHECK(list_all(*c, "pageSize=1000") == numbers);
  CHECK(list_all(*c, "transferStatus=pending") == numbers);  // default page size 50: one page

  SECTION("page sizes out of range and foreign tokens are 400 problems") {
    require_problem(c->Get("/v1/referrals/outgoing?pageSize=0"), 400);
    require_problem(c->Get("/v1/referrals/outgoing?pageSize=1001"), 400);
    require_problem(c->Get("/v1/referrals/outgoing?pageSize=abc"), 400);
    require_problem(c->Get("/v1/referrals/outgoing?pageToken=bm90LWEtdG9rZW4"), 400);
    require_problem(c->Get("/v1/referrals/outgoing?pageToken=!!"), 400);
    require_problem(c->Get("/v1/referrals/outgoing?transferStatus=done"), 400);
  }

  SECTION("keyset paging skips nothing when the client transfers each page before the next") {
    std::vector<std::string> seen;
    std::string token;
    do {
      std::string path = "/v1/referrals/outgoing?transferStatus=pending&pageSize=4";
      if (!token.empty()) path += "&pageToken=" + encode(token);
      auto d = parse(c->Get(path.c_str())->body);
      for (const auto& item : d["items"].GetArray()) {
        seen.push_back(str(item, "progres_interventionnumber"));
        const std::string id = str(item, "progres_lpinterventionid");
        auto res = c->Patch(("/v1/interventions/" + encode(id) + "/transfer-status").c_str(),
                            R"({"transferStatus":"transferred","primeroCaseId":"c-1"})", "application/json");
        REQUIRE(res->status == 200);
      }
      token = d.HasMember("nextPageToken") ? d["nextPageToken"].GetString() : "";
    } while (!token.empty());
    CHECK(seen == numbers);
    CHECK(list_all(*c, "transferStatus=pending").empty());
    CHECK(list_all(*c, "transferStatus=transferred").size() == 11);
  }
}

TEST_CASE("PING requires the Bearer token", "[sandbox][ping][auth]") {
  auto sb = seeded();
  auto anonymous = ping_client(*sb, false);
  auto res = anonymous->Get("/v1/referrals/outgoing");
  require_problem(res, 401);
  CHECK(res->has_header("WWW-Authenticate"));
  auto wrong = ping_client(*sb, false);
  wrong->set_bearer_token_auth("not-the-token");
  require_problem(wrong->Get((std::string("/v1/interventions/") + kDad141).c_str()), 401);
  require_problem(wrong->Patch((std::string("/v1/interventions/") + kDad141 + "/transfer-status").c_str(),
                               R"({"transferStatus":"failed","reason":"x"})", "application/json"),
                  401);
  CHECK(sb->transfer_status(kDad141) == "pending");
}

TEST_CASE("transfer status updates, history, requeue and errors", "[sandbox][ping][transfer]") {
  auto sb = seeded();
  auto c = ping_client(*sb);
  const std::string path = std::string("/v1/interventions/") + kDad141 + "/transfer-status";

  auto res = c->Patch(path.c_str(), R"({"transferStatus":"transferred","primeroCaseId":"case-1","primeroRecordId":"rec-1"})",
                      "application/json");
  REQUIRE(res->status == 200);
  auto d = parse(res->body);
  CHECK(str(d, "progres_lpinterventionid") == kDad141);
  CHECK(str(d, "transferStatus") == "transferred");
  CHECK(str(d, "primeroCaseId") == "case-1");
  CHECK(d.HasMember("modifiedon"));
  CHECK(sb->transfer_status(kDad141) == "transferred");
  auto detail = parse(c->Get((std::string("/v1/interventions/") + kDad141).c_str())->body);
  CHECK(str(detail, "transferStatus") == "transferred");

  require_problem(c->Patch(path.c_str(), R"({"transferStatus":"failed"})", "application/json"), 422);
  require_problem(c->Patch(path.c_str(), R"({"transferStatus":"transferred"})", "application/json"), 422);
  require_problem(c->Patch(path.c_str(), R"({"transferStatus":"done"})", "application/json"), 422);
  require_problem(c->Patch(path.c_str(), R"({"transferStatus":1})", "application/json"), 400);
  require_problem(c->Patch(path.c_str(), R"([])", "application/json"), 400);
  require_problem(c->Patch(path.c_str(), R"({"transferStatus":"failed","reason":7})", "application/json"), 400);
  require_problem(c->Patch(path.c_str(), "{not json", "application/json"), 400);
  require_problem(c->Patch("/v1/interventions/unknown-id/transfer-status", R"({"transferStatus":"pending"})", "application/json"),
                  404);
  require_problem(c->Get("/v1/interventions/unknown-id"), 404);
  require_problem(c->Get("/v1/individuals/unknown-id"), 404);
  require_problem(c->Get("/v1/individuals/unknown-id/languages"), 404);
  require_problem(c->Get("/v1/nothing-here"), 404);
  require_problem(c->Delete((std::string("/v1/interventions/") + kDad141).c_str()), 405);

  auto failed = c->Patch(path.c_str(), R"J({"transferStatus":"failed","reason":"Service value shared (Accessibility)"})J",
                         "application/json");
  REQUIRE(failed->status == 200);
  CHECK(str(parse(failed->body), "reason") == "Service value shared (Accessibility)");

  // Admin requeue over HTTP (no token needed), then the library call.
  httplib::Client admin("127.0.0.1", sb->ping_port());
  auto rq = admin.Post((std::string("/_sandbox/interventions/") + kDad141 + "/requeue").c_str(), "", "application/json");
  REQUIRE(rq->status == 200);
  CHECK(sb->transfer_status(kDad141) == "pending");
  CHECK(admin.Post("/_sandbox/interventions/unknown/requeue", "", "application/json")->status == 404);
  CHECK(sb->requeue_intervention(kDad141));
  CHECK_FALSE(sb->requeue_intervention("unknown"));

  auto history = sb->transfer_history(kDad141);
  REQUIRE(history.size() == 4);
  CHECK(history[0].transfer_status == "transferred");
  CHECK(history[0].primero_case_id == "case-1");
  CHECK(history[0].primero_record_id == "rec-1");
  CHECK(history[1].transfer_status == "failed");
  CHECK(history[2].transfer_status == "pending");
  CHECK(history[3].transfer_status == "pending");

  auto dump = parse(sb->ping_interventions_json());
  REQUIRE(dump["data"].Size() == 11);
  auto admin_dump = admin.Get("/_sandbox/ping/interventions");
  REQUIRE(admin_dump->status == 200);
  CHECK(parse(admin_dump->body)["data"].Size() == 11);
}

TEST_CASE("ids with '/', '#', '%' and spaces round-trip through the URL", "[sandbox][ping][ids]") {
  auto sb = start_sandbox();
  const std::string odd_id = "odd/id #1 %41 x";
  const std::string odd_person = "IND/7 #% 2";
  const std::string rows = R"([{"progres_lpinterventionid":"odd/id #1 %41 x","progres_interventionnumber":"ZZZ-1/2 #3",
      "individuals.progres_id":"IND/7 #% 2","individuals.progres_givenname":"G",
      "languages.progres_languagecodeid":{"Id":"l-1","LogicalName":"progres_languagecode","Name":"Arabic"}}])";
  auto report = sb->seed_ping_from_json(rows, "inline");
  REQUIRE(report.has_value());
  CHECK(report.value().interventions == 1);

  auto c = ping_client(*sb);
  auto listed = parse(c->Get("/v1/referrals/outgoing")->body);
  REQUIRE(listed["items"].Size() == 1);
  CHECK(str(listed["items"][0], "progres_lpinterventionid") == odd_id);
  CHECK(str(listed["items"][0], "progres_individualid") == odd_person);

  auto iv = c->Get(("/v1/interventions/" + encode(odd_id)).c_str());
  REQUIRE(iv->status == 200);
  CHECK(str(parse(iv->body), "progres_interventionnumber") == "ZZZ-1/2 #3");
  auto person = c->Get(("/v1/individuals/" + encode(odd_person)).c_str());
  REQUIRE(person->status == 200);
  CHECK(str(parse(person->body), "progres_individualid") == odd_person);
  CHECK(parse(c->Get(("/v1/individuals/" + encode(odd_person) + "/languages").c_str())->body)["items"].Size() == 1);
  auto patched = c->Patch(("/v1/interventions/" + encode(odd_id) + "/transfer-status").c_str(),
                          R"({"transferStatus":"transferred","primeroCaseId":"c/1 #"})", "application/json");
  REQUIRE(patched->status == 200);
  CHECK(sb->transfer_status(odd_id) == "transferred");
  // Decoding is per segment: the id's own %41 stays "%41", not "A".
  CHECK(c->Get("/v1/interventions/odd%2Fid%20%231%20A%20x")->status == 404);
}

TEST_CASE("a row without progres_lpinterventionid gets a deterministic id", "[sandbox][ping][seed]") {
  auto a = start_sandbox();
  auto b = start_sandbox();
  const std::string rows = R"({"interventions":[{"progres_interventionnumber":"NOID-1","individuals.progres_id":"P-1"}]})";
  auto ra = a->seed_ping_from_json(rows, "a");
  auto rb = b->seed_ping_from_json(rows, "b");
  REQUIRE(ra.has_value());
  REQUIRE(rb.has_value());
  CHECK(ra.value().notices.size() == 1);
  REQUIRE(a->intervention_ids().size() == 1);
  CHECK(a->intervention_ids() == b->intervention_ids());
  CHECK(a->intervention_ids()[0].size() == 36);

  CHECK_FALSE(a->seed_ping_from_json("{\"x\":1}", "shape").has_value());
  CHECK_FALSE(a->seed_ping_from_json("[1,", "broken").has_value());
}

TEST_CASE("an invalid fixture file is reported and skipped", "[sandbox][ping][seed]") {
  const fs::path dir = fs::temp_directory_path() / ("refbridge-sandbox-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::copy_file(kFixtures / "flow1__progresReferralToUNICEF.json", dir / "flow1__progresReferralToUNICEF.json",
                fs::copy_options::overwrite_existing);
  {
    std::ofstream broken(dir / "intervention_sample.json");
    broken << "[{\"progres_interventionnumber\": \"X\",}]";  // trailing comma, like getPrimeroCases.json
  }
  {
    std::ofstream other(dir / "progres_outboundReferral.json");
    other << "{\"something\": []}";
  }
  auto sb = start_sandbox();
  auto report = sb->seed_ping_from_fixtures(dir);
  REQUIRE(report.has_value());
  const auto& r = report.value();
  CHECK(r.files == 1);
  CHECK(r.files_skipped == 6);
  CHECK(r.interventions == 1);
  CHECK(r.languages == 2);
  bool invalid_noticed = false;
  for (const auto& n : r.notices) {
    if (n.find("intervention_sample.json") != std::string::npos && n.find("offset") != std::string::npos) invalid_noticed = true;
  }
  CHECK(invalid_noticed);
  fs::remove_all(dir);

  CHECK_FALSE(sb->seed_ping_from_fixtures(dir).has_value());  // the directory is gone: kIo
}
