// Primero side of the sandbox: auth, create/get, filters, paging, PATCH merge, 422s.
#include "test_support.h"

#include <atomic>
#include <set>
#include <thread>

using namespace sandbox_test;

namespace {

void require_envelope(const httplib::Result& res, int status, const std::string& message) {
  REQUIRE(res);
  CHECK(res->status == status);
  auto d = parse(res->body);
  REQUIRE(d.HasMember("errors"));
  REQUIRE(d["errors"].Size() == 1);
  CHECK(d["errors"][0]["status"].GetInt() == status);
  CHECK(d["errors"][0].HasMember("resource"));
  if (d["errors"][0]["message"].IsString()) CHECK(str(d["errors"][0], "message") == message);
}

std::vector<std::string> invalid_pointers(const httplib::Result& res) {
  REQUIRE(res);
  REQUIRE(res->status == 422);
  auto d = parse(res->body);
  const auto& e = d["errors"][0];
  CHECK(e["status"].GetInt() == 422);
  CHECK(str(e, "message") == "Invalid Record JSON");
  std::vector<std::string> out;
  for (const auto& p : e["detail"].GetArray()) out.emplace_back(p.GetString());
  return out;
}

}  // namespace

TEST_CASE("Primero authentication: Basic, token login (2.10) and 401 shapes", "[sandbox][primero][auth]") {
  auto sb = start_sandbox(1000, [](auto& o) { o.primero_version = "2.10.3"; });
  auto anonymous = primero_client(*sb, false);
  auto res = anonymous->Get("/api/v2/cases");
  REQUIRE(res->status == 401);
  CHECK(parse(res->body)["error"].GetString() == std::string("You need to sign in or sign up before continuing."));
  CHECK(res->get_header_value("WWW-Authenticate") == "Bearer realm=\"Primero\" charset=\"UTF8\"");

  auto wrong = primero_client(*sb, false);
  wrong->set_basic_auth("primero_api", "wrong");
  CHECK(wrong->Get("/api/v2/cases")->status == 401);
  CHECK(wrong->Post("/api/v2/cases", R"({"data":{"age":1}})", "application/json")->status == 401);
  CHECK(sb->primero_case_count() == 0);

  auto bad_login = anonymous->Post("/api/v2/tokens", R"({"user":{"user_name":"primero_api","password":"nope"}})",
                                   "application/json");
  REQUIRE(bad_login->status == 401);
  CHECK(parse(bad_login->body)["error"].GetString() == std::string("Invalid User name or password."));
  CHECK(bad_login->get_header_value("WWW-Authenticate") == "Bearer realm=\"Primero\" charset=\"UTF8\"");

  auto login = anonymous->Post("/api/v2/tokens", R"({"user":{"user_name":" Primero_API ","password":"s3cret-pw"}})",
                               "application/json");
  REQUIRE(login->status == 200);
  auto body = parse(login->body);
  CHECK(body["id"].GetInt() == 1);
  CHECK(str(body, "user_name") == "primero_api");
  const std::string token = str(body, "token");
  CHECK(login->get_header_value("Authorization") == "Bearer " + token);

  auto bearer = primero_client(*sb, false);
  bearer->set_bearer_token_auth(token);
  CHECK(bearer->Get("/api/v2/cases")->status == 200);
  CHECK(bearer->Delete("/api/v2/tokens")->status == 200);
  CHECK(bearer->Get("/api/v2/cases")->status == 401);  // revoked

  auto basic = primero_client(*sb);
  auto ok = basic->Get("/api/v2/cases");
  REQUIRE(ok->status == 200);
  CHECK(ok->get_header_value("X-Content-Type-Options") == "nosniff");
  CHECK(str(parse(basic->Get("/api/v2/system_settings")->body)["data"], "primero_version") == "2.10.3");
}

TEST_CASE("create a case, then read it back", "[sandbox][primero][cases]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  auto res = c->Post("/api/v2/cases", R"({"data":{"name_first":"Alfred","age":8,"date_of_birth":"2014-06-06",
      "unhcr_individual_no":"989-00000226","language":["language6"],"consent_for_services":true,
      "services_section":[{"service_type":"alternative_care","service_response_day_time":"2022-08-22T00:00:00Z",
                           "service_request_external":true,"progres_interventionnumber":"989-22-PRTITV-0000051"}]}})",
                     "application/json");
  REQUIRE(res->status == 200);
  auto created = parse(res->body);
  const auto& d = created["data"];
  const std::string id = str(d, "id");
  const std::string case_id = str(d, "case_id");
  CHECK(id.size() == 36);
  CHECK(case_id.size() == 36);
  CHECK(id != case_id);
  CHECK(str(d, "short_id") == case_id.substr(29));
  CHECK(str(d, "case_id_display") == case_id.substr(29));
  CHECK(str(d, "status") == "open");
  CHECK(d["record_state"].GetBool());
  CHECK(d["enabled"].GetBool());
  CHECK(str(d, "owned_by") == "primero_api");
  CHECK(d["associated_user_names"].Size() == 1);
  const std::string created_at = str(d, "created_at");
  CHECK(created_at.size() == 24);
  CHECK(created_at.back() == 'Z');
  CHECK(str(d, "last_updated_at") == created_at);
  const std::string service_uid = str(d["services_section"][0], "unique_id");
  CHECK(service_uid.size() == 36);
  CHECK(str(d["services_section"][0], "service_implemented") == "not_implemented");

  auto got = c->Get(("/api/v2/cases/" + id).c_str());
  REQUIRE(got->status == 200);
  auto g = parse(got->body);
  CHECK(str(g["data"], "unhcr_individual_no") == "989-00000226");
  CHECK(str(g["data"]["services_section"][0], "unique_id") == service_uid);
  CHECK(str(g["data"]["services_section"][0], "progres_interventionnumber") == "989-22-PRTITV-0000051");

  require_envelope(c->Get("/api/v2/cases/00000000-0000-4000-8000-000000000000"), 404, "Not Found");
  auto odd = c->Get(("/api/v2/cases/" + encode("a/b #c %d")).c_str());
  require_envelope(odd, 404, "Not Found");
  require_envelope(c->Get("/api/v2/referrals-nope"), 404, "Not Found");
  require_envelope(c->Post("/api/v2/cases", R"({"nodata":{}})", "application/json"), 422,
                   "param is missing or the value is empty or invalid: data");

  SECTION("a client id gives 204 with an empty body; duplicates give 409") {
    const std::string client_id = "0f8e1c2d-3b4a-4c5d-8e6f-7a8b9c0d1e2f";
    auto r204 = c->Post("/api/v2/cases", R"({"data":{"id":"0f8e1c2d-3b4a-4c5d-8e6f-7a8b9c0d1e2f","name_first":"B"}})",
                        "application/json");
    REQUIRE(r204->status == 204);
    CHECK(r204->body.empty());
    CHECK(c->Get(("/api/v2/cases/" + client_id).c_str())->status == 200);
    require_envelope(c->Post("/api/v2/cases", R"({"data":{"id":"0f8e1c2d-3b4a-4c5d-8e6f-7a8b9c0d1e2f"}})", "application/json"),
                     409, "Conflict: A record with this id already exists");
    require_envelope(c->Post("/api/v2/cases", "{\"data\":{\"case_id\":\"" + case_id + "\"}}", "application/json"), 409,
                     "Conflict: A record with this id already exists");
    CHECK(invalid_pointers(c->Post("/api/v2/cases", R"({"data":{"id":"NOT-A-UUID"}})", "application/json")) ==
          std::vector<std::string>{"/id"});
    CHECK(sb->primero_case_count() == 2);
  }

  auto via_library = sb->add_primero_case(R"({"name_first":"C","unhcr_individual_no":"X-1"})");
  REQUIRE(via_library.has_value());
  CHECK(parse(via_library.value())["case_id_display"].GetStringLength() == 7);
  CHECK_FALSE(sb->add_primero_case(R"({"age":"7"})").has_value());
  auto dump = parse(sb->primero_cases_json());
  CHECK(dump["data"].Size() == sb->primero_case_count());
  httplib::Client admin("127.0.0.1", sb->ping_port());
  auto admin_dump = admin.Get("/_sandbox/primero/cases");
  REQUIRE(admin_dump->status == 200);
  CHECK(parse(admin_dump->body)["data"].Size() == sb->primero_case_count());
}

TEST_CASE("filters are exact and unknown filters are ignored", "[sandbox][primero][filters]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  const std::string a = create(*c, R"({"unhcr_individual_no":"989-00000226","sex":"male","age":8})");
  const std::string b = create(*c, R"({"unhcr_individual_no":"989-000002261","sex":"female","age":12})");
  create(*c, R"({"unhcr_individual_no":"DAD-00005708","sex":"female","age":19,"protection_concerns":["refugee","caafag"]})");

  auto ids = [&](const std::string& query) {
    auto res = c->Get(("/api/v2/cases?" + query).c_str());
    REQUIRE(res->status == 200);
    auto d = parse(res->body);
    std::set<std::string> out;
    for (const auto& item : d["data"].GetArray()) out.insert(str(item, "id"));
    CHECK(d["metadata"]["total"].GetInt() == static_cast<int>(out.size()));
    return out;
  };
  CHECK(ids("unhcr_individual_no=989-00000226") == std::set<std::string>{a});
  CHECK(ids("unhcr_individual_no=989-0000022").empty());  // a prefix does not match
  CHECK(ids("unhcr_individual_no=989-00000226,989-000002261").empty());  // 2.11+: one literal value
  CHECK(ids("sex=male,female").size() == 3);                                 // other fields: any of
  CHECK(ids("no_such_field_anywhere=1").size() == 3);     // ignored, like a field the role cannot read
  CHECK(ids("id=" + a) == std::set<std::string>{a});
  CHECK(ids("sex=female").size() == 2);
  CHECK(ids("age=10..15") == std::set<std::string>{b});
  CHECK(ids("protection_concerns=caafag").size() == 1);
  CHECK(ids("record_state=true").size() == 3);
  CHECK(ids("last_updated_at=2000-01-01T00:00:00Z..").size() == 3);
  CHECK(ids("last_updated_at=2000-01-01T00:00:00.000Z..2000-12-31T00:00:00Z").empty());
  CHECK(ids("query=00005708").size() == 1);

  // Default order: created_at desc (newest first).
  auto listed = parse(c->Get("/api/v2/cases")->body);
  CHECK(str(listed["data"][2], "id") == a);
  auto asc = parse(c->Get("/api/v2/cases?order=asc")->body);
  CHECK(str(asc["data"][0], "id") == a);
  auto short_fields = parse(c->Get("/api/v2/cases?fields=id,sex")->body);
  CHECK(short_fields["data"][0].MemberCount() == 4);  // id, sex, enabled, last_updated_at
}

TEST_CASE("per is clamped to 1000 and metadata echoes the effective values", "[sandbox][primero][paging]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  for (int i = 0; i < 25; ++i) create(*c, "{\"unhcr_individual_no\":\"N-" + std::to_string(i) + "\"}");
  auto meta = [&](const std::string& q, int expected_items) {
    auto d = parse(c->Get(("/api/v2/cases" + q).c_str())->body);
    CHECK(static_cast<int>(d["data"].Size()) == expected_items);
    return std::make_tuple(d["metadata"]["total"].GetInt(), d["metadata"]["per"].GetInt(), d["metadata"]["page"].GetInt());
  };
  CHECK(meta("", 20) == std::make_tuple(25, 20, 1));
  CHECK(meta("?page=2", 5) == std::make_tuple(25, 20, 2));
  CHECK(meta("?per=5000", 25) == std::make_tuple(25, 1000, 1));
  CHECK(meta("?per=10&page=3", 5) == std::make_tuple(25, 10, 3));
  CHECK(meta("?per=0", 0) == std::make_tuple(25, 0, 1));

  auto small = start_sandbox(7);
  auto s = primero_client(*small);
  CHECK(parse(s->Get("/api/v2/cases?per=100")->body)["metadata"]["per"].GetInt() == 7);
}

TEST_CASE("PATCH deep-merges subforms by unique_id", "[sandbox][primero][patch]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  const std::string s1 = "9d2e4b1a-3c5f-4e6d-8a7b-0c1d2e3f4a5b";
  const std::string s2 = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d";
  const std::string id = create(*c, R"({"name_first":"A","language":["language1","language2"],"services_section":[
      {"unique_id":"9d2e4b1a-3c5f-4e6d-8a7b-0c1d2e3f4a5b","service_type":"alternative_care","unhcr_referral_status":"pending"},
      {"unique_id":"5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d","service_type":"focuses_non_specialized_mhpss_care"}]})");
  const std::string path = "/api/v2/cases/" + id;
  const std::string before = str(parse(c->Get(path.c_str())->body)["data"], "last_updated_at");

  auto res = c->Patch(path.c_str(), R"({"data":{"services_section":[
      {"unique_id":"9d2e4b1a-3c5f-4e6d-8a7b-0c1d2e3f4a5b","unhcr_referral_status":"accepted"},
      {"service_type":"education_formal"},
      {"unique_id":"5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d","_destroy":true}],
      "language":["_french"],"name_first":"A"}})",
                      "application/json");
  REQUIRE(res->status == 200);
  auto patch = parse(res->body);
  const auto& pd = patch["data"];
  CHECK(str(pd, "id") == id);
  CHECK(pd["enabled"].GetBool());
  CHECK(pd.HasMember("last_updated_at"));
  CHECK(pd.HasMember("services_section"));
  CHECK(pd.HasMember("language"));
  CHECK_FALSE(pd.HasMember("name_first"));  // unchanged fields are not returned

  auto got = parse(c->Get(path.c_str())->body);
  const auto& rows = got["data"]["services_section"];
  REQUIRE(rows.Size() == 2);
  CHECK(str(rows[0], "unique_id") == s1);
  CHECK(str(rows[0], "unhcr_referral_status") == "accepted");  // merged, not appended
  CHECK(str(rows[0], "service_type") == "alternative_care");   // other fields kept
  CHECK(str(rows[1], "service_type") == "education_formal");   // appended with a generated id
  CHECK(str(rows[1], "unique_id").size() == 36);
  CHECK(str(rows[1], "unique_id") != s2);
  REQUIRE(got["data"]["language"].Size() == 1);  // scalar arrays are replaced
  CHECK(str(got["data"], "last_updated_at") >= before);

  // [] is a no-op for a subform.
  REQUIRE(c->Patch(path.c_str(), R"({"data":{"services_section":[]}})", "application/json")->status == 200);
  CHECK(parse(c->Get(path.c_str())->body)["data"]["services_section"].Size() == 2);

  require_envelope(c->Patch("/api/v2/cases/00000000-0000-4000-8000-000000000000", R"({"data":{"age":1}})", "application/json"),
                   404, "Not Found");
  CHECK(invalid_pointers(c->Patch(path.c_str(), R"({"data":{"services_section":[{"unique_id":"ABC"}]}})",
                                  "application/json")) == std::vector<std::string>{"/services_section/0/unique_id"});

  auto disabled = c->Delete(path.c_str());
  REQUIRE(disabled->status == 200);
  CHECK_FALSE(parse(c->Get(path.c_str())->body)["data"]["enabled"].GetBool());
}

TEST_CASE("bad types give 422 Invalid Record JSON with JSON pointers", "[sandbox][primero][422]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  auto post = [&](const std::string& data) { return c->Post("/api/v2/cases", "{\"data\":" + data + "}", "application/json"); };
  CHECK(invalid_pointers(post(R"({"age":"10"})")) == std::vector<std::string>{"/age"});
  CHECK(invalid_pointers(post(R"({"date_of_birth":"2014-06-06T00:00:00Z"})")) == std::vector<std::string>{"/date_of_birth"});
  CHECK(invalid_pointers(post(R"({"date_of_birth":"2014-02-30"})")) == std::vector<std::string>{"/date_of_birth"});
  CHECK(invalid_pointers(post(R"({"date_of_birth":"2999-01-01"})")) == std::vector<std::string>{"/date_of_birth"});
  CHECK(invalid_pointers(post(R"({"services_section":{"unique_id":"x"}})")) == std::vector<std::string>{"/services_section"});
  CHECK(invalid_pointers(post(R"({"services_section":["x"]})")) == std::vector<std::string>{"/services_section"});
  CHECK(invalid_pointers(post(R"({"services_section":[{"service_request_external":"true"}]})")) ==
        std::vector<std::string>{"/services_section/0/service_request_external"});
  CHECK(invalid_pointers(post(R"({"record_state":"true"})")) == std::vector<std::string>{"/record_state"});
  CHECK(invalid_pointers(post(R"({"language":"arabic","nationality":["sd",1]})")) ==
        std::vector<std::string>{"/language", "/nationality"});
  CHECK(invalid_pointers(post(R"({"services_section":[{"service_response_day_time":"2024-05-03"}]})")) ==
        std::vector<std::string>{"/services_section/0/service_response_day_time"});
  CHECK(invalid_pointers(post(R"({"unhcr_individual_no":12})")) == std::vector<std::string>{"/unhcr_individual_no"});
  CHECK(sb->primero_case_count() == 0);
  CHECK(post(R"({"age":10,"date_of_birth":"2014-06-06","language":[],"age_estimated":"x"})")->status == 200);
}

TEST_CASE("concurrent clients on both servers", "[sandbox][concurrency]") {
  auto sb = start_sandbox();
  REQUIRE(sb->seed_ping_from_fixtures(REFBRIDGE_FIXTURES_DIR).has_value());
  const auto ids = sb->intervention_ids();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto p = primero_client(*sb);
      auto g = ping_client(*sb);
      for (int i = 0; i < 20; ++i) {
        auto created = p->Post("/api/v2/cases", "{\"data\":{\"unhcr_individual_no\":\"T" + std::to_string(t) + "-" +
                                                    std::to_string(i) + "\"}}", "application/json");
        if (!created || created->status != 200) ++failures;
        auto listed = p->Get("/api/v2/cases?per=5");
        if (!listed || listed->status != 200) ++failures;
        const auto& id = ids[static_cast<std::size_t>(i) % ids.size()];
        auto patched = g->Patch(("/v1/interventions/" + encode(id) + "/transfer-status").c_str(),
                                R"({"transferStatus":"failed","reason":"x"})", "application/json");
        if (!patched || patched->status != 200) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  CHECK(sb->primero_case_count() == 80);
  std::size_t updates = 0;
  for (const auto& id : ids) updates += sb->transfer_history(id).size();
  CHECK(updates == 80);
  sb->stop();
  sb->stop();  // idempotent
}
