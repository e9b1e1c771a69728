// Primero as a configured instance (issue "Primero as a real instance is configured"): forms and
// lookups drive what a write keeps and refuses (primero-api-v2.md §1, §3, §5.3-§5.5a), dates are
// normalised, login follows the version (§2.1-§2.4) with throttle and lockout (§2.7), filters
// follow Primero (§5.1), and the users/:id, refer-to, bulk referral and revoke endpoints (§6.4,
// §6.6, §6.8, §7.2). One TEST_CASE per deviation from the earlier sandbox.
#include "refbridge/time.h"
#include "test_support.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>
#include <vector>

using namespace sandbox_test;

namespace {

constexpr const char* kRow = "9d2e4b1a-3c5f-4e6d-8a7b-0c1d2e3f4a5b";

httplib::Result post_case(httplib::Client& c, const std::string& data_json) {
  return c.Post("/api/v2/cases", "{\"data\":" + data_json + "}", "application/json");
}

/// The "data" object of a 200 answer.
rapidjson::Document data_of(const httplib::Result& res) {
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 200);
  auto d = parse(res->body);
  rapidjson::Document out;
  out.CopyFrom(d["data"], out.GetAllocator());
  return out;
}

rapidjson::Document get_case(httplib::Client& c, const std::string& id) {
  return data_of(c.Get(("/api/v2/cases/" + id).c_str()));
}

/// The JSON pointers of a 422 Invalid Record JSON answer (Primero's envelope, §3).
std::vector<std::string> pointers(const httplib::Result& res) {
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 422);
  auto d = parse(res->body);
  REQUIRE(d["errors"].Size() == 1);
  const auto& e = d["errors"][0];
  CHECK(e["status"].GetInt() == 422);
  CHECK(e.HasMember("resource"));
  CHECK(str(e, "message") == "Invalid Record JSON");
  std::vector<std::string> out;
  for (const auto& p : e["detail"].GetArray()) out.emplace_back(p.GetString());
  return out;
}

/// Ids of one case listing.
std::set<std::string> ids_of(httplib::Client& c, const std::string& query) {
  auto res = c.Get(("/api/v2/cases?per=1000&" + query).c_str());
  REQUIRE(res);
  INFO(query << " -> " << res->body);
  REQUIRE(res->status == 200);
  std::set<std::string> out;
  const auto d = parse(res->body);
  for (const auto& item : d["data"].GetArray()) out.insert(item["id"].GetString());
  return out;
}

/// Cookies set by an answer: name -> value.
std::map<std::string, std::string> set_cookies(const httplib::Result& res) {
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i < res->get_header_value_count("Set-Cookie"); ++i) {
    const std::string c = res->get_header_value("Set-Cookie", i);
    const auto eq = c.find('=');
    out[c.substr(0, eq)] = c.substr(eq + 1, c.find(';') - eq - 1);
  }
  return out;
}

std::string consenting_case(httplib::Client& c) {
  return str(data_of(post_case(c, std::string(R"({"consent_for_services":true,"disclosure_other_orgs":true,)") +
                                      R"("services_section":[{"unique_id":")" + kRow + R"(","service_type":"food"}]})")),
             "id");
}

bool has_name(const rapidjson::Value& v, const char* key, const std::string& name) {
  if (!v.HasMember(key) || !v[key].IsArray()) return false;
  return std::any_of(v[key].Begin(), v[key].End(), [&](const rapidjson::Value& n) { return n.IsString() && name == n.GetString(); });
}

/// Waits until the current UTC minute has at least `margin` seconds left (throttle windows).
void away_from_minute_end(int margin = 10) {
  for (;;) {
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (60 - s % 60 > margin) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace

// ---- configuration: unknown fields, types, lookups, unique_id, dates ------------------------

TEST_CASE("unknown members are dropped without an error, at the top level and in a service row", "[sandbox][primero][config]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  const auto created = data_of(post_case(*c, std::string(R"({"name_first":"A","favourite_colour":"green",)") +
                                                 R"("services_section":[{"unique_id":")" + kRow +
                                                 R"(","service_type":"food","row_junk":"x","progres_interventionnumber":"N-1"}]})"));
  CHECK_FALSE(created.HasMember("favourite_colour"));
  const std::string id = str(created, "id");
  auto stored = get_case(*c, id);
  CHECK(str(stored, "name_first") == "A");
  CHECK_FALSE(stored.HasMember("favourite_colour"));
  REQUIRE(stored["services_section"].Size() == 1);
  CHECK_FALSE(stored["services_section"][0].HasMember("row_junk"));
  CHECK(str(stored["services_section"][0], "progres_interventionnumber") == "N-1");  // a Gambella field is kept

  // PATCH too: unknown members (top level and in a row) vanish, the known ones merge.
  auto patched = c->Patch(("/api/v2/cases/" + id).c_str(),
                          std::string(R"({"data":{"shoe_size":42,"services_section":[{"unique_id":")") + kRow +
                              R"(","unhcr_referral_status":"accepted","nonsense":true}]}})",
                          "application/json");
  const auto delta = data_of(patched);
  CHECK_FALSE(delta.HasMember("shoe_size"));
  stored = get_case(*c, id);
  CHECK_FALSE(stored.HasMember("shoe_size"));
  CHECK_FALSE(stored["services_section"][0].HasMember("nonsense"));
  CHECK(str(stored["services_section"][0], "unhcr_referral_status") == "accepted");
  // Server-maintained members are not writable either.
  auto fake = get_case(*c, str(data_of(post_case(*c, R"({"created_at":"2001-01-01T00:00:00.000Z","name_first":"B"})")), "id"));
  CHECK(str(fake, "created_at") != "2001-01-01T00:00:00.000Z");
}

TEST_CASE("a select value outside its lookup is 422 with a pointer (case field, service row, referral service)",
          "[sandbox][primero][config][422]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  CHECK(pointers(post_case(*c, R"({"sex":"robot"})")) == std::vector<std::string>{"/sex"});
  CHECK(pointers(post_case(*c, R"({"language":["language6","klingon"],"nationality":["ethiopia"]})")) ==
        std::vector<std::string>{"/language"});
  CHECK(pointers(post_case(*c, R"({"services_section":[{"service_type":"teleportation"}]})")) ==
        std::vector<std::string>{"/services_section/0/service_type"});
  CHECK(pointers(post_case(*c, R"({"services_section":[{"unhcr_referral_status":"maybe"}]})")) ==
        std::vector<std::string>{"/services_section/0/unhcr_referral_status"});  // inline options
  CHECK(sb->primero_case_count() == 0);
  // Gambella's option ids are in the lookups.
  CHECK(post_case(*c, R"({"sex":"other_b25f252","language":["language6"],"services_section":[{"service_type":"food"}]})")->status ==
        200);

  const std::string id = consenting_case(*c);
  CHECK(pointers(c->Patch(("/api/v2/cases/" + id).c_str(), R"({"data":{"sex":"robot"}})", "application/json")) ==
        std::vector<std::string>{"/sex"});
  auto referral = c->Post(("/api/v2/cases/" + id + "/referrals").c_str(),
                          R"({"data":{"transitioned_to":"unhcr_cw","service":"teleportation"}})", "application/json");
  CHECK(pointers(referral) == std::vector<std::string>{"/service"});
  auto bulk = c->Post("/api/v2/cases/referrals",
                      "{\"data\":{\"ids\":[\"" + id + "\"],\"transitioned_to\":\"unhcr_cw\",\"service\":\"teleportation\"}}",
                      "application/json");
  CHECK(pointers(bulk) == std::vector<std::string>{"/service"});
  CHECK(parse(sb->primero_referrals_json(id).value())["data"].Empty());
  CHECK(c->Post(("/api/v2/cases/" + id + "/referrals").c_str(), R"({"data":{"transitioned_to":"unhcr_cw","service":"food"}})",
                "application/json")
            ->status == 200);
}

TEST_CASE("a wrong type is 422 with a pointer, by the field's form type", "[sandbox][primero][config][422]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  CHECK(pointers(post_case(*c, R"({"age":"7","consent_for_services":"yes","name_first":5})")) ==
        std::vector<std::string>{"/age", "/consent_for_services", "/name_first"});
  CHECK(pointers(post_case(*c, R"({"age":3000000000})")) == std::vector<std::string>{"/age"});  // numeric_field: int32
  CHECK(pointers(post_case(*c, R"({"sex":["female"],"language":"language6"})")) ==
        std::vector<std::string>{"/sex", "/language"});  // single vs multi select
  CHECK(pointers(post_case(*c, R"({"services_section":[{"service_request_external":"true","service_appointment_date":"2024-05-03T10:00:00Z"}]})")) ==
        std::vector<std::string>{"/services_section/0/service_request_external", "/services_section/0/service_appointment_date"});
  CHECK(pointers(post_case(*c, R"({"urgent_protection_concern":7})")) == std::vector<std::string>{"/urgent_protection_concern"});
  CHECK(post_case(*c, R"({"urgent_protection_concern":true,"consent_reporting":"false","age":null})")->status == 200);
}

TEST_CASE("a subform row's unique_id must be a lower-case UUID (422 with its pointer)", "[sandbox][primero][config][422]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  CHECK(pointers(post_case(*c, R"({"services_section":[{"service_type":"food"},{"unique_id":"9D2E4B1A-3C5F-4E6D-8A7B-0C1D2E3F4A5B"}]})")) ==
        std::vector<std::string>{"/services_section/1/unique_id"});
  CHECK(pointers(post_case(*c, R"({"services_section":[{"unique_id":12}]})")) ==
        std::vector<std::string>{"/services_section/0/unique_id"});
  CHECK(pointers(post_case(*c, R"({"notes_section":[{"unique_id":"note-1","note_text":"x"}]})")) ==
        std::vector<std::string>{"/notes_section/0/unique_id"});
}

TEST_CASE("dates stay YYYY-MM-DD and date-times are stored as UTC milliseconds", "[sandbox][primero][config][dates]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  const std::string id = str(data_of(post_case(*c, std::string(R"({"date_of_birth":"2014-06-06","services_section":[)") +
                                                      R"({"unique_id":")" + kRow +
                                                      R"(","service_response_day_time":"2024-05-03T10:30:00+02:00"},)" +
                                                      R"({"service_response_day_time":"2024-05-03T08:30:00Z","service_appointment_date":"2024-05-10"}]})")),
                             "id");
  auto stored = get_case(*c, id);
  CHECK(str(stored, "date_of_birth") == "2014-06-06");
  const auto& rows = stored["services_section"];
  CHECK(str(rows[0], "service_response_day_time") == "2024-05-03T08:30:00.000Z");  // +02:00 converted
  CHECK(str(rows[1], "service_response_day_time") == "2024-05-03T08:30:00.000Z");  // milliseconds added
  CHECK(str(rows[1], "service_appointment_date") == "2024-05-10");
  const auto delta = data_of(c->Patch(("/api/v2/cases/" + id).c_str(),
                                      std::string(R"({"data":{"services_section":[{"unique_id":")") + kRow +
                                          R"(","service_implemented_day_time":"2024-05-04T23:15:30.5-01:00"}]}})",
                                      "application/json"));
  CHECK(str(delta["services_section"][0], "service_implemented_day_time") == "2024-05-05T00:15:30.500Z");
  CHECK(pointers(post_case(*c, R"({"services_section":[{"service_response_day_time":"2024-05-03"}]})")) ==
        std::vector<std::string>{"/services_section/0/service_response_day_time"});
}

TEST_CASE("GET /api/v2/forms and /api/v2/lookups answer the configuration, lookups paged", "[sandbox][primero][config]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  auto forms = parse(c->Get("/api/v2/forms?record_type=case&module_id=primeromodule-cp")->body);
  REQUIRE(forms["data"].IsArray());
  CHECK_FALSE(forms.HasMember("metadata"));  // not paginated
  std::map<std::string, const rapidjson::Value*> by_uid;
  std::map<int, const rapidjson::Value*> by_id;
  for (const auto& f : forms["data"].GetArray()) {
    by_uid[f["unique_id"].GetString()] = &f;
    by_id[f["id"].GetInt()] = &f;
    CHECK(str(f, "parent_form") == "case");
    CHECK(f["module_ids"][0].GetString() == std::string("primeromodule-cp"));
  }
  REQUIRE(by_uid.count("services") == 1);
  const auto& subform = (*by_uid["services"])["fields"][0];
  CHECK(str(subform, "name") == "services_section");
  CHECK(str(subform, "type") == "subform");
  const auto* nested = by_id[subform["subform_section_id"].GetInt()];
  REQUIRE(nested != nullptr);
  CHECK((*nested)["is_nested"].GetBool());
  std::map<std::string, const rapidjson::Value*> row_fields;
  for (const auto& f : (*nested)["fields"].GetArray()) row_fields[f["name"].GetString()] = &f;
  for (const char* gambella : {"progres_interventionnumber", "unhcr_referral_status", "unhcr_referral_rejection_reason"}) {
    CHECK(row_fields.count(gambella) == 1);
  }
  CHECK(str(*row_fields["service_type"], "option_strings_source") == "lookup lookup-service-type");
  const rapidjson::Value* sex = nullptr;
  for (const auto& f : (*by_uid["basic_identity"])["fields"].GetArray()) {
    if (f["name"] == "sex") sex = &f;
  }
  REQUIRE(sex != nullptr);
  CHECK(str(*sex, "option_strings_source") == "lookup lookup-gender");
  CHECK(parse(c->Get("/api/v2/forms?record_type=incident")->body)["data"].Empty());
  CHECK(parse(c->Get("/api/v2/forms?module_id=primeromodule-gbv")->body)["data"].Empty());

  auto page = [&](const std::string& q) { return parse(c->Get(("/api/v2/lookups" + q).c_str())->body); };
  auto all = page("?per=1000");
  const int total = all["metadata"]["total"].GetInt();
  CHECK(total == static_cast<int>(all["data"].Size()));
  CHECK(total > 5);
  std::map<std::string, std::set<std::string>> values;
  for (const auto& l : all["data"].GetArray()) {
    CHECK(l["id"].IsInt());
    CHECK(l["name"].HasMember("en"));
    for (const auto& v : l["values"].GetArray()) {
      CHECK(v["display_text"].HasMember("en"));
      values[l["unique_id"].GetString()].insert(v["id"].GetString());
    }
  }
  CHECK(values["lookup-gender"].count("other_b25f252") == 1);
  CHECK(values["lookup-language"].count("language6") == 1);
  CHECK(values["lookup-service-type"].count("food") == 1);
  CHECK(values["lookup-nationality"].size() >= 10);
  auto first = page("");
  CHECK(first["metadata"]["per"].GetInt() == 20);
  CHECK(first["metadata"]["page"].GetInt() == 1);
  auto second = page("?per=5&page=2");
  CHECK(second["data"].Size() == 5);
  CHECK(str(second["data"][0], "unique_id") == str(all["data"][5], "unique_id"));
  CHECK(page("?per=5000")["metadata"]["per"].GetInt() == 1000);
  CHECK(c->Get("/api/v2/lookups?page=0")->status == 500);
  CHECK(primero_client(*sb, false)->Get("/api/v2/forms")->status == 401);
}

TEST_CASE("primero_forms_json / primero_lookups_json replace the configuration", "[sandbox][primero][config]") {
  const std::string forms = R"({"data":[
    {"id":1,"unique_id":"basics","parent_form":"case","module_ids":["primeromodule-cp"],"is_nested":false,
     "fields":[{"name":"colour","type":"select_box","option_strings_source":"lookup lookup-colour"},
               {"name":"rows_section","type":"subform","subform_section_id":2}]},
    {"id":2,"unique_id":"rows_section","parent_form":"case","is_nested":true,
     "fields":[{"name":"shape","type":"select_box","option_strings_text":[{"id":"round","display_text":{"en":"Round"}}]}]}]})";
  const std::string lookups = R"([{"id":1,"unique_id":"lookup-colour","name":{"en":"Colour"},
                                   "values":[{"id":"green","display_text":{"en":"Green"}}]}])";
  auto sb = start_sandbox(1000, [&](auto& o) {
    o.primero_forms_json = forms;
    o.primero_lookups_json = lookups;
  });
  auto c = primero_client(*sb);
  const std::string id = str(data_of(post_case(*c, R"({"colour":"green","name_first":"dropped","rows_section":[{"shape":"round"}]})")), "id");
  auto stored = get_case(*c, id);
  CHECK(str(stored, "colour") == "green");
  CHECK_FALSE(stored.HasMember("name_first"));  // not a field of this instance
  CHECK(pointers(post_case(*c, R"({"colour":"blue","rows_section":[{"shape":"square"}]})")) ==
        std::vector<std::string>{"/colour", "/rows_section/0/shape"});
  CHECK(parse(c->Get("/api/v2/forms")->body)["data"].Size() == 2);
  CHECK(parse(c->Get("/api/v2/lookups")->body)["metadata"]["total"].GetInt() == 1);

  refbridge::sandbox::SandboxOptions bad;
  bad.primero_forms_json = R"({"data":[{"id":1,"unique_id":"x","fields":[{"name":"a","type":"select_box","option_strings_source":"lookup lookup-none"}]}]})";
  auto refused = refbridge::sandbox::Sandbox::start(bad);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == refbridge::ErrorCode::kConfig);
  bad.primero_forms_json.clear();
  bad.primero_version = "two";
  CHECK_FALSE(refbridge::sandbox::Sandbox::start(bad).has_value());
}

// ---- versions and login ---------------------------------------------------------------------

TEST_CASE("2.15 logs in by session cookie with a CSRF token; a write without it is 403", "[sandbox][primero][auth]") {
  auto sb = start_sandbox();  // the default version, 2.15.2.1
  httplib::Client c("127.0.0.1", sb->primero_port());
  CHECK(str(data_of(primero_client(*sb)->Get("/api/v2/system_settings")), "primero_version") == "2.15.2.1");

  // §2.4 step 1: the bootstrap answer opens a session and gives its CSRF token.
  auto boot = c.Get("/api/v2/primero");
  REQUIRE(boot->status == 200);
  auto cookies = set_cookies(boot);
  REQUIRE(cookies.count("_app_session") == 1);
  REQUIRE(cookies.count("CSRF-TOKEN") == 1);
  const std::string pre_session = cookies["_app_session"];
  const std::string csrf = cookies["CSRF-TOKEN"];
  const std::string credentials = R"({"user":{"user_name":"primero_api","password":"s3cret-pw"}})";
  // Step 2: the login must bring that session's token.
  auto no_token = c.Post("/api/v2/tokens", {{"Cookie", "_app_session=" + pre_session}}, credentials, "application/json");
  REQUIRE(no_token->status == 403);
  auto login = c.Post("/api/v2/tokens", {{"Cookie", "_app_session=" + pre_session + "; CSRF-TOKEN=" + csrf}, {"X-CSRF-Token", csrf}},
                      credentials, "application/json");
  REQUIRE(login->status == 200);
  auto body = parse(login->body);
  CHECK(body["id"].GetInt() == 1);
  CHECK(str(body, "user_name") == "primero_api");
  CHECK(str(body, "group_permission") == "all");  // 2.14+
  CHECK_FALSE(body.HasMember("token"));          // no token in the body on 2.11+
  CHECK_FALSE(login->has_header("Authorization"));
  cookies = set_cookies(login);
  const std::string session = cookies["_app_session"];
  CHECK(session != pre_session);  // rotated on login
  CHECK(cookies["CSRF-TOKEN"] == csrf);

  const httplib::Headers with_cookie = {{"Cookie", "_app_session=" + session}};
  CHECK(c.Get("/api/v2/cases", with_cookie)->status == 200);
  CHECK(c.Get("/api/v2/cases", {{"Cookie", "_app_session=" + pre_session}})->status == 401);  // the old one is gone
  // Step 3: writes need X-CSRF-Token.
  auto refused = c.Post("/api/v2/cases", with_cookie, R"({"data":{"name_first":"A"}})", "application/json");
  REQUIRE(refused->status == 403);
  CHECK(str(parse(refused->body)["errors"][0], "message") == "Can't verify CSRF token authenticity.");
  CHECK(c.Post("/api/v2/cases", {{"Cookie", "_app_session=" + session}, {"X-CSRF-Token", "forged"}}, R"({"data":{"name_first":"A"}})",
               "application/json")
            ->status == 403);
  CHECK(sb->primero_case_count() == 0);
  const httplib::Headers with_csrf = {{"Cookie", "_app_session=" + session}, {"X-CSRF-Token", csrf}};
  CHECK(c.Post("/api/v2/cases", with_csrf, R"({"data":{"name_first":"A"}})", "application/json")->status == 200);
  // Basic skips sessions and CSRF; Bearer tokens are gone in 2.11+.
  CHECK(primero_client(*sb)->Post("/api/v2/cases", R"({"data":{"name_first":"B"}})", "application/json")->status == 200);
  CHECK(c.Get("/api/v2/cases", {{"Authorization", "Bearer abc.def.ghi"}})->status == 401);
  // A login without the bootstrap step works too; 2.12+ expires the user's other sessions.
  auto direct = c.Post("/api/v2/tokens", credentials, "application/json");
  REQUIRE(direct->status == 200);
  CHECK(c.Get("/api/v2/cases", with_cookie)->status == 401);
  const auto direct_cookies = set_cookies(direct);
  const httplib::Headers second = {{"Cookie", "_app_session=" + direct_cookies.at("_app_session")},
                                   {"X-CSRF-Token", direct_cookies.at("CSRF-TOKEN")}};
  // Refresh (no body) keeps the session; logout (a write: CSRF) ends it.
  CHECK(c.Post("/api/v2/tokens", second, "", "application/json")->status == 200);
  CHECK(c.Delete("/api/v2/tokens", {{"Cookie", "_app_session=" + direct_cookies.at("_app_session")}})->status == 403);
  CHECK(c.Delete("/api/v2/tokens", second)->status == 200);
  CHECK(c.Get("/api/v2/cases", second)->status == 401);
}

TEST_CASE("2.10 logs in with a JWT: token in the body and the header, Bearer on later calls", "[sandbox][primero][auth]") {
  auto sb = start_sandbox(1000, [](auto& o) { o.primero_version = "2.10.3"; });
  httplib::Client c("127.0.0.1", sb->primero_port());
  CHECK(set_cookies(c.Get("/api/v2/primero")).count("_app_session") == 0);
  auto login = c.Post("/api/v2/tokens", R"({"user":{"user_name":"primero_api","password":"s3cret-pw"}})", "application/json");
  REQUIRE(login->status == 200);
  auto body = parse(login->body);
  const std::string token = str(body, "token");
  CHECK_FALSE(body.HasMember("group_permission"));
  CHECK(login->get_header_value("Authorization") == "Bearer " + token);
  const httplib::Headers bearer = {{"Authorization", "Bearer " + token}};
  CHECK(c.Post("/api/v2/cases", bearer, R"({"data":{"name_first":"A"}})", "application/json")->status == 200);  // no CSRF
  CHECK(str(data_of(c.Get("/api/v2/system_settings", bearer)), "primero_version") == "2.10.3");
}

TEST_CASE("more than 6 logins a minute for one user name are 429 with Retry-After", "[sandbox][primero][auth][throttle]") {
  away_from_minute_end();
  auto sb = start_sandbox();
  httplib::Client c("127.0.0.1", sb->primero_port());
  auto login = [&](const std::string& name) {
    return c.Post("/api/v2/tokens", R"({"user":{"user_name":")" + name + R"(","password":"s3cret-pw"}})", "application/json");
  };
  for (int i = 0; i < 6; ++i) REQUIRE(login(i % 2 == 0 ? "primero_api" : " Primero_API ")->status == 200);  // one name
  auto throttled = login("primero_api");
  REQUIRE(throttled->status == 429);
  CHECK(throttled->body == "Retry later\n");
  CHECK(throttled->get_header_value("Content-Type").rfind("text/plain", 0) == 0);
  const int retry_after = std::stoi(throttled->get_header_value("Retry-After"));
  CHECK(retry_after >= 1);
  CHECK(retry_after <= 60);
  CHECK(login("someone_else")->status == 401);          // another user name has its own count
  CHECK(primero_client(*sb)->Get("/api/v2/cases")->status == 200);  // Basic is not throttled

  auto relaxed = start_sandbox(1000, [](auto& o) { o.primero_relaxed_login = true; });
  httplib::Client r("127.0.0.1", relaxed->primero_port());
  for (int i = 0; i < 10; ++i) {
    CHECK(r.Post("/api/v2/tokens", R"({"user":{"user_name":"primero_api","password":"s3cret-pw"}})", "application/json")->status ==
          200);
  }
}

TEST_CASE("6 failed attempts lock the account for 30 minutes, even the right password then fails", "[sandbox][primero][auth][lockout]") {
  auto sb = start_sandbox();
  auto wrong = primero_client(*sb, false);
  wrong->set_basic_auth("primero_api", "wrong");
  auto right = primero_client(*sb);
  for (int i = 0; i < 5; ++i) CHECK(wrong->Get("/api/v2/cases")->status == 401);
  CHECK(right->Get("/api/v2/cases")->status == 200);  // a success resets the count
  for (int i = 0; i < 6; ++i) CHECK(wrong->Get("/api/v2/cases")->status == 401);
  CHECK(right->Get("/api/v2/cases")->status == 401);  // locked
  auto login = right->Post("/api/v2/tokens", R"({"user":{"user_name":"primero_api","password":"s3cret-pw"}})", "application/json");
  REQUIRE(login->status == 401);
  CHECK(str(parse(login->body), "error") == "Invalid User name or password.");  // paranoid: no word of the lock

  auto relaxed = start_sandbox(1000, [](auto& o) { o.primero_relaxed_login = true; });
  auto w = primero_client(*relaxed, false);
  w->set_basic_auth("primero_api", "wrong");
  for (int i = 0; i < 10; ++i) CHECK(w->Get("/api/v2/cases")->status == 401);
  CHECK(primero_client(*relaxed)->Get("/api/v2/cases")->status == 200);
}

// ---- filters ----------------------------------------------------------------------------------

TEST_CASE("a comma in an identifier filter is literal on 2.11+, a list on 2.10", "[sandbox][primero][filters]") {
  for (const std::string version : {"2.15.2.1", "2.10.3"}) {
    auto sb = start_sandbox(1000, [&](auto& o) { o.primero_version = version; });
    auto c = primero_client(*sb);
    const std::string ab = str(data_of(post_case(*c, R"({"unhcr_individual_no":"A,B"})")), "id");
    const std::string a = str(data_of(post_case(*c, R"({"unhcr_individual_no":"A"})")), "id");
    const std::string b = str(data_of(post_case(*c, R"({"unhcr_individual_no":"B"})")), "id");
    INFO(version);
    if (version == "2.15.2.1") {
      CHECK(ids_of(*c, "unhcr_individual_no=A,B") == std::set<std::string>{ab});
      CHECK(ids_of(*c, "unhcr_individual_no=" + encode("A,B")) == std::set<std::string>{ab});
    } else {
      CHECK(ids_of(*c, "unhcr_individual_no=A,B") == std::set<std::string>{a, b});
    }
    CHECK(ids_of(*c, "unhcr_individual_no[0]=A&unhcr_individual_no[1]=B") == std::set<std::string>{a, b});  // the array form
  }
}

TEST_CASE("last_updated_at ranges compare at whole seconds", "[sandbox][primero][filters]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  const auto d = data_of(post_case(*c, R"({"name_first":"A"})"));
  const std::string id = str(d, "id");
  const std::string at = str(d, "last_updated_at");  // YYYY-MM-DDThh:mm:ss.mmmZ
  const std::string second = at.substr(0, 19);
  // A lower bound later in the same second still includes the case (updated earlier in that second).
  CHECK(ids_of(*c, "last_updated_at=" + second + ".999Z..").count(id) == 1);
  // An upper bound earlier in the same second includes it too.
  CHECK(ids_of(*c, "last_updated_at=2000-01-01T00:00:00Z.." + second + ".000Z").count(id) == 1);
  // The next second excludes it.
  auto next = refbridge::DateTime::parse(at).value().utc + std::chrono::seconds(1);
  CHECK(ids_of(*c, "last_updated_at=" + refbridge::DateTime::from_utc(next).text + "..").count(id) == 0);

  // primero_millisecond_ranges (compatibility switch): instants at milliseconds.
  auto ms = start_sandbox(1000, [](auto& o) { o.primero_millisecond_ranges = true; });
  auto m = primero_client(*ms);
  const auto e = data_of(post_case(*m, R"({"name_first":"E"})"));
  const auto e_at = refbridge::DateTime::parse(str(e, "last_updated_at")).value().utc;
  CHECK(ids_of(*m, "last_updated_at=" + refbridge::DateTime::from_utc(e_at).text + "..").count(str(e, "id")) == 1);
  CHECK(ids_of(*m, "last_updated_at=" + refbridge::DateTime::from_utc(e_at + std::chrono::milliseconds(1)).text + "..")
            .count(str(e, "id")) == 0);
}

TEST_CASE("empty array forms such as associated_user_names[]= are ignored", "[sandbox][primero][filters]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  const std::string a = str(data_of(post_case(*c, R"({"owned_by":"alice"})")), "id");
  const std::string b = str(data_of(post_case(*c, R"({"owned_by":"bob"})")), "id");
  CHECK(ids_of(*c, "associated_user_names[]=") == std::set<std::string>{a, b});
  CHECK(ids_of(*c, "associated_user_names%5B%5D=") == std::set<std::string>{a, b});
  CHECK(ids_of(*c, "associated_user_names[0]=&associated_user_names[1]=") == std::set<std::string>{a, b});
  CHECK(ids_of(*c, "associated_user_names[0]=&associated_user_names[1]=bob") == std::set<std::string>{b});
  CHECK(ids_of(*c, "associated_user_names[]=alice") == std::set<std::string>{a});
}

// ---- endpoints --------------------------------------------------------------------------------

TEST_CASE("GET /api/v2/users/:id answers one user by integer id", "[sandbox][primero][users]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  auto me = data_of(c->Get("/api/v2/users/1"));
  CHECK(me["id"].GetInt() == 1);
  CHECK(str(me, "user_name") == "primero_api");
  auto added = parse(sb->add_primero_user(R"({"id":57,"user_name":"unhcr.focal","full_name":"Focal","position":"Protection"})").value());
  auto focal = data_of(c->Get("/api/v2/users/57"));
  CHECK(str(focal, "full_name") == "Focal");
  for (const char* missing : {"/api/v2/users/999", "/api/v2/users/abc", "/api/v2/users/0"}) {
    auto res = c->Get(missing);
    REQUIRE(res->status == 404);
    CHECK(str(parse(res->body)["errors"][0], "message") == "Not Found");
  }
  CHECK(primero_client(*sb, false)->Get("/api/v2/users/1")->status == 401);
}

TEST_CASE("GET /api/v2/users/refer-to lists possible recipients with only their referral keys", "[sandbox][primero][users]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  REQUIRE(sb->add_primero_user(R"({"user_name":"unhcr.focal","full_name":"F","email":"f@x.invalid","position":"Protection",
      "code":"U-7","location":"ET12","agency_unique_id":"agency-unhcr","services":["psychosocial_service"]})"));
  REQUIRE(sb->add_primero_user(R"({"user_name":"gone","disabled":true,"agency_unique_id":"agency-unhcr"})"));
  auto list = parse(c->Get("/api/v2/users/refer-to?record_type=case&record_module_id=primeromodule-cp")->body);
  std::set<std::string> names;
  for (const auto& u : list["data"].GetArray()) {
    names.insert(u["user_name"].GetString());
    for (auto m = u.MemberBegin(); m != u.MemberEnd(); ++m) {
      const std::string key = m->name.GetString();
      CHECK(std::set<std::string>{"id", "user_name", "code", "position", "location", "agency", "disabled", "services"}.count(key) == 1);
    }
  }
  CHECK_FALSE(list.HasMember("metadata"));
  CHECK(names.count("primero_api") == 0);  // not the caller
  CHECK(names.count("gone") == 0);         // not a disabled user
  CHECK(names.count("unhcr.focal") == 1);
  auto filtered = parse(c->Get("/api/v2/users/refer-to?record_type=case&agency=agency-unhcr&service=psychosocial_service&location=ET12")->body);
  REQUIRE(filtered["data"].Size() == 1);
  CHECK(str(filtered["data"][0], "agency") == "agency-unhcr");
  CHECK(parse(c->Get("/api/v2/users/refer-to?record_type=case&service=legal_assistance_service")->body)["data"].Empty());
  CHECK(c->Get("/api/v2/users/refer-to")->status == 422);
}

TEST_CASE("POST /api/v2/cases/referrals refers several cases; unknown id 404, no transaction", "[sandbox][primero][referrals]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  const std::string a = consenting_case(*c);
  const std::string b = consenting_case(*c);
  auto bulk = [&](const std::string& ids) {
    return c->Post("/api/v2/cases/referrals", R"({"data":{"ids":[)" + ids + R"(],"transitioned_to":"unhcr_cw","notes":"batch","service":"food"}})",
                   "application/json");
  };
  auto made = data_of(bulk("\"" + a + "\",\"" + b + "\""));
  REQUIRE(made.IsArray());
  REQUIRE(made.Size() == 2);
  CHECK(str(made[0], "record_id") == a);
  CHECK(str(made[1], "record_id") == b);
  for (const auto& r : made.GetArray()) {
    CHECK(str(r, "status") == "in_progress");
    CHECK(str(r, "notes") == "batch");
    CHECK(has_name(r["record"], "assigned_user_names", "unhcr_cw"));  // its own record delta
  }
  // An unknown id: the whole call is 404 and nothing is created.
  auto unknown = bulk("\"" + a + "\",\"00000000-0000-4000-8000-000000000000\"");
  REQUIRE(unknown->status == 404);
  CHECK(parse(sb->primero_referrals_json(a).value())["data"].Size() == 1);
  CHECK(data_of(c->Post("/api/v2/cases/referrals", R"({"data":{"transitioned_to":"unhcr_cw"}})", "application/json")).Empty());
  CHECK(data_of(bulk("")).Empty());
  // No transaction: the first case's referral stays when the second fails validation.
  const std::string no_consent = str(data_of(post_case(*c, R"({"name_first":"N"})")), "id");
  auto partial = bulk("\"" + a + "\",\"" + no_consent + "\"");
  REQUIRE(partial->status == 422);
  CHECK(str(parse(partial->body)["errors"][0], "detail") == "consent");
  CHECK(parse(sb->primero_referrals_json(a).value())["data"].Size() == 2);
  CHECK(parse(sb->primero_referrals_json(no_consent).value())["data"].Empty());
}

TEST_CASE("DELETE /api/v2/cases/:id/referrals/:id revokes from any state", "[sandbox][primero][referrals]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  const std::string id = consenting_case(*c);
  auto refer = [&] {
    return str(data_of(c->Post(("/api/v2/cases/" + id + "/referrals").c_str(),
                               std::string(R"({"data":{"transitioned_to":"unhcr_cw","service_record_id":")") + kRow + "\"}}",
                               "application/json")),
               "id");
  };
  const std::string first = refer();
  REQUIRE(data_of(c->Patch(("/api/v2/cases/" + id + "/referrals/" + first).c_str(), R"({"data":{"status":"accepted"}})",
                           "application/json"))["status"] == "accepted");
  const std::string before = str(get_case(*c, id), "last_updated_at");
  auto revoked = data_of(c->Delete(("/api/v2/cases/" + id + "/referrals/" + first).c_str()));
  CHECK(str(revoked, "status") == "revoked");
  CHECK_FALSE(has_name(revoked["record"], "assigned_user_names", "unhcr_cw"));
  CHECK(str(revoked["record"], "last_updated_at") > before);
  CHECK(sb->primero_referral_status(id, first) == std::optional<std::string>("revoked"));
  CHECK_FALSE(has_name(get_case(*c, id), "associated_user_names", "unhcr_cw"));

  // From done too; the recipient stays while another referral to them is active.
  const std::string second = refer();
  const std::string third = refer();
  c->Patch(("/api/v2/cases/" + id + "/referrals/" + second).c_str(), R"({"data":{"status":"accepted"}})", "application/json");
  c->Patch(("/api/v2/cases/" + id + "/referrals/" + second).c_str(), R"({"data":{"status":"done"}})", "application/json");
  auto again = data_of(c->Delete(("/api/v2/cases/" + id + "/referrals/" + second).c_str()));
  CHECK(str(again, "status") == "revoked");
  CHECK(has_name(get_case(*c, id), "assigned_user_names", "unhcr_cw"));  // `third` is still in progress
  CHECK(c->Delete(("/api/v2/cases/" + id + "/referrals/00000000-0000-4000-8000-000000000000").c_str())->status == 404);
  CHECK(sb->primero_referral_status(id, third) == std::optional<std::string>("in_progress"));
}
