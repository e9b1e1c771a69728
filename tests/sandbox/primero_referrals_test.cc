// Primero side of the sandbox, second part: referrals (§6), case-list ranges, associated users and
// ordering (§4, §5.1), users (§7.1), fixture seeding and synthetic load.
#include "test_support.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

using namespace sandbox_test;

namespace {

constexpr const char* kService = "9d2e4b1a-3c5f-4e6d-8a7b-0c1d2e3f4a5b";
constexpr const char* kFixtureCase = "406b539a-e662-425e-810b-47e4fa7da496";
constexpr const char* kUnhcrFocal = "unhcr_cw@cpims-gambella.primero.org";

/// POSTs a case; returns the created case.
rapidjson::Document create_case(httplib::Client& c, const std::string& data_json) {
  auto res = c.Post("/api/v2/cases", "{\"data\":" + data_json + "}", "application/json");
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 200);
  auto d = parse(res->body);
  rapidjson::Document out;
  out.CopyFrom(d["data"], out.GetAllocator());
  return out;
}

/// A case with consent given and one service row kService; returns its record id.
std::string consenting_case(httplib::Client& c, const std::string& extra = "") {
  auto d = create_case(c, std::string(R"({"consent_for_services":true,"disclosure_other_orgs":true,"module_id":"primeromodule-cp",)") +
                              extra + R"("services_section":[{"unique_id":")" + kService +
                              R"(","service_type":"food","service_implementing_agency":"UNHCR"}]})");
  return str(d, "id");
}

std::string last_updated_at(httplib::Client& c, const std::string& id) {
  auto res = c.Get(("/api/v2/cases/" + id).c_str());
  REQUIRE(res);
  REQUIRE(res->status == 200);
  return str(parse(res->body)["data"], "last_updated_at");
}

httplib::Result post_referral(httplib::Client& c, const std::string& id, const std::string& data_json) {
  return c.Post(("/api/v2/cases/" + id + "/referrals").c_str(), "{\"data\":" + data_json + "}", "application/json");
}

httplib::Result patch_referral(httplib::Client& c, const std::string& case_id, const std::string& referral_id,
                               const std::string& data_json) {
  return c.Patch(("/api/v2/cases/" + case_id + "/referrals/" + referral_id).c_str(), "{\"data\":" + data_json + "}",
                 "application/json");
}

/// The answer's "data" object (status 200 required).
rapidjson::Document data_of(const httplib::Result& res) {
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 200);
  auto d = parse(res->body);
  rapidjson::Document out;
  out.CopyFrom(d["data"], out.GetAllocator());
  return out;
}

/// {detail, message[0]} of every error of a 422 RecordInvalid answer.
std::vector<std::pair<std::string, std::string>> record_invalid(const httplib::Result& res) {
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 422);
  auto d = parse(res->body);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : d["errors"].GetArray()) {
    CHECK(e["status"].GetInt() == 422);
    CHECK(e.HasMember("resource"));
    REQUIRE(e["message"].IsArray());
    REQUIRE(e["message"].Size() == 1);
    out.emplace_back(e["detail"].GetString(), e["message"][0].GetString());
  }
  return out;
}

bool has_name(const rapidjson::Value& v, const char* key, const std::string& name) {
  if (!v.HasMember(key) || !v[key].IsArray()) return false;
  return std::any_of(v[key].Begin(), v[key].End(), [&](const rapidjson::Value& n) { return n.IsString() && name == n.GetString(); });
}

bool has_null_member(const rapidjson::Value& v) {
  return std::any_of(v.MemberBegin(), v.MemberEnd(), [](const auto& m) { return m.value.IsNull(); });
}

/// Ids of one GET /api/v2/cases answer, in order; `total` receives metadata.total.
std::vector<std::string> list_ids(httplib::Client& c, const std::string& query, int* total = nullptr) {
  auto res = c.Get(("/api/v2/cases?" + query).c_str());
  REQUIRE(res);
  INFO(query << " -> " << res->body);
  REQUIRE(res->status == 200);
  auto d = parse(res->body);
  if (total != nullptr) *total = d["metadata"]["total"].GetInt();
  std::vector<std::string> out;
  for (const auto& item : d["data"].GetArray()) out.emplace_back(item["id"].GetString());
  return out;
}

void require_not_found(const httplib::Result& res) {
  REQUIRE(res);
  CHECK(res->status == 404);
  auto d = parse(res->body);
  CHECK(str(d["errors"][0], "message") == "Not Found");
  CHECK(d["errors"][0]["status"].GetInt() == 404);
}

}  // namespace

TEST_CASE("referrals: create, list and the PATCH transition table", "[sandbox][primero][referrals]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  const std::string id = consenting_case(*c);
  const std::string before = last_updated_at(*c, id);

  auto created = data_of(post_referral(*c, id, std::string(R"({"transitioned_to":"unhcr_cw","transitioned_to_agency":"UNHCR",
      "service":"food","notes":"n","not_a_referral_key":"dropped","consent_individual_transfer":true,"service_record_id":")") +
                                                   kService + "\"}"));
  const std::string ref = str(created, "id");
  CHECK(ref.size() == 36);
  CHECK(str(created, "type") == "Referral");
  CHECK(str(created, "status") == "in_progress");
  CHECK(str(created, "record_id") == id);
  CHECK(str(created, "record_type") == "case");
  CHECK(str(created, "transitioned_by") == "primero_api");
  CHECK(str(created, "service_record_id") == kService);
  CHECK_FALSE(created["remote"].GetBool());
  CHECK_FALSE(created["consent_overridden"].GetBool());
  CHECK_FALSE(created["consent_individual_transfer"].GetBool());  // not a body key: ignored
  CHECK_FALSE(created.HasMember("not_a_referral_key"));
  CHECK_FALSE(created["record_access_denied"].GetBool());
  CHECK_FALSE(created["user_can_accept_or_reject"].GetBool());  // the viewer is not the recipient
  CHECK(str(created, "created_at").size() == 24);
  const auto& record = created["record"];
  CHECK(str(record, "id") == id);
  CHECK(record["enabled"].GetBool());
  CHECK(has_name(record, "assigned_user_names", "unhcr_cw"));
  CHECK(has_name(record, "associated_user_names", "unhcr_cw"));
  CHECK(has_name(record, "associated_user_names", "primero_api"));
  CHECK(record["services_section"][0]["service_status_referred"].GetBool());
  const std::string after_create = str(record, "last_updated_at");
  CHECK(after_create > before);
  CHECK(last_updated_at(*c, id) == after_create);

  auto listed = c->Get(("/api/v2/cases/" + id + "/referrals").c_str());
  REQUIRE(listed->status == 200);
  auto list = parse(listed->body);
  CHECK_FALSE(list.HasMember("metadata"));  // not paginated
  REQUIRE(list["data"].Size() == 1);
  CHECK(str(list["data"][0], "id") == ref);
  CHECK_FALSE(list["data"][0].HasMember("record"));
  CHECK_FALSE(has_null_member(list["data"][0]));
  CHECK(sb->primero_referral_status(id, ref) == std::optional<std::string>("in_progress"));

  SECTION("impossible transitions are 200 no-ops that leave the case untouched") {
    for (const char* status : {"done", "in_progress", "revoked", "bogus"}) {
      auto same = data_of(patch_referral(*c, id, ref, std::string(R"({"status":")") + status + "\"}"));
      CHECK(str(same, "status") == "in_progress");
      CHECK_FALSE(same.HasMember("responded_at"));
      CHECK(same["record"].MemberCount() == 3);  // id, enabled, last_updated_at: nothing changed
      CHECK(str(same["record"], "last_updated_at") == after_create);
    }
    auto no_status = data_of(patch_referral(*c, id, ref, R"({"rejected_reason":"x"})"));
    CHECK(str(no_status, "status") == "in_progress");
    CHECK_FALSE(no_status.HasMember("rejected_reason"));
    CHECK(last_updated_at(*c, id) == after_create);
  }

  SECTION("accepted, then done; the path's case id is not checked") {
    auto accepted = data_of(patch_referral(*c, "00000000-0000-4000-8000-000000000000", ref,
                                           R"({"status":"accepted","id":"x","type":"Referral","record_type":"case"})"));
    CHECK(str(accepted, "status") == "accepted");
    CHECK(str(accepted, "responded_at").size() == 24);
    const std::string after_accept = str(accepted["record"], "last_updated_at");
    CHECK(after_accept > after_create);
    CHECK(last_updated_at(*c, id) == after_accept);
    CHECK(sb->primero_referral_status(id, ref) == std::optional<std::string>("accepted"));

    auto again = data_of(patch_referral(*c, id, ref, R"({"status":"accepted"})"));  // same as now: no-op
    CHECK(str(again, "responded_at") == str(accepted, "responded_at"));
    CHECK(last_updated_at(*c, id) == after_accept);
    auto late_reject = data_of(patch_referral(*c, id, ref, R"({"status":"rejected","rejected_reason":"r"})"));
    CHECK(str(late_reject, "status") == "accepted");
    CHECK_FALSE(late_reject.HasMember("rejected_reason"));

    auto done = data_of(patch_referral(*c, id, ref, R"({"status":"done","rejection_note":"provided"})"));
    CHECK(str(done, "status") == "done");
    CHECK(str(done, "rejection_note") == "provided");
    CHECK_FALSE(has_name(done["record"], "assigned_user_names", "unhcr_cw"));
    CHECK_FALSE(has_name(done["record"], "associated_user_names", "unhcr_cw"));
    auto kase = parse(c->Get(("/api/v2/cases/" + id).c_str())->body);
    const auto& row = kase["data"]["services_section"][0];
    CHECK(str(row, "service_implemented") == "implemented");
    CHECK(str(row, "note_on_referral_from_provider") == "provided");
    CHECK(str(row, "service_implemented_day_time").size() == 24);
    CHECK(data_of(patch_referral(*c, id, ref, R"({"status":"accepted"})"))["status"] == "done");
  }

  SECTION("rejected keeps the recipient while another referral to them is active") {
    auto second = data_of(post_referral(*c, id, R"({"transitioned_to":"unhcr_cw","service":"food"})"));
    auto rejected = data_of(patch_referral(*c, id, ref, R"({"status":"rejected","rejected_reason":"Not found in proGres"})"));
    CHECK(str(rejected, "status") == "rejected");
    CHECK(str(rejected, "rejected_reason") == "Not found in proGres");
    CHECK(str(rejected, "responded_at").size() == 24);
    CHECK(has_name(parse(*sb->primero_case_json(id)), "assigned_user_names", "unhcr_cw"));
    auto second_rejected = data_of(patch_referral(*c, id, str(second, "id"), R"({"status":"rejected"})"));
    CHECK_FALSE(second_rejected.HasMember("rejected_reason"));
    CHECK_FALSE(has_name(second_rejected["record"], "assigned_user_names", "unhcr_cw"));
    CHECK(parse(*sb->primero_referrals_json(id))["data"].Size() == 2);
  }

  SECTION("errors use the Primero envelope") {
    require_not_found(patch_referral(*c, id, "11111111-1111-4111-8111-111111111111", R"({"status":"accepted"})"));
    require_not_found(post_referral(*c, "11111111-1111-4111-8111-111111111111", R"({"transitioned_to":"unhcr_cw"})"));
    require_not_found(c->Get("/api/v2/cases/11111111-1111-4111-8111-111111111111/referrals"));
    auto missing = c->Patch(("/api/v2/cases/" + id + "/referrals/" + ref).c_str(), R"({"status":"accepted"})", "application/json");
    REQUIRE(missing->status == 422);
    CHECK(str(parse(missing->body)["errors"][0], "message") == "param is missing or the value is empty or invalid: data");
    CHECK(post_referral(*c, id, "{}")->status == 422);
    CHECK(primero_client(*sb, false)->Get(("/api/v2/cases/" + id + "/referrals").c_str())->status == 401);
  }

  SECTION("admin dump on the PING port") {
    httplib::Client admin("127.0.0.1", sb->ping_port());
    auto dump = admin.Get(("/_sandbox/primero/cases/" + id + "/referrals").c_str());
    REQUIRE(dump->status == 200);
    CHECK(str(parse(dump->body)["data"][0], "id") == ref);
    CHECK(admin.Get("/_sandbox/primero/cases/nope/referrals")->status == 404);
    CHECK_FALSE(sb->primero_referrals_json("nope").has_value());
    CHECK_FALSE(sb->primero_referral_status(id, "nope").has_value());
  }
}

TEST_CASE("referrals: consent and recipient validation answers 422 RecordInvalid", "[sandbox][primero][referrals][422]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  const std::string no_consent = str(create_case(*c, R"({"consent_for_services":true,"disclosure_other_orgs":false})"), "id");
  const std::string before = last_updated_at(*c, no_consent);

  using Failures = std::vector<std::pair<std::string, std::string>>;
  CHECK(record_invalid(post_referral(*c, no_consent, R"({"transitioned_to":"unhcr_cw"})")) ==
        Failures{{"consent", "transition.errors.consent"}});
  CHECK(record_invalid(post_referral(*c, no_consent, R"({"notes":"x"})")) ==
        Failures{{"consent", "transition.errors.consent"}, {"transitioned_to", "can't be blank"}});
  CHECK(last_updated_at(*c, no_consent) == before);
  CHECK(parse(*sb->primero_referrals_json(no_consent))["data"].Empty());

  auto overridden = data_of(post_referral(*c, no_consent, R"({"transitioned_to":"unhcr_cw","consent_overridden":true})"));
  CHECK(overridden["consent_overridden"].GetBool());

  const std::string gbv = str(create_case(*c, R"({"module_id":"primeromodule-gbv","consent_for_services":true})"), "id");
  CHECK(data_of(post_referral(*c, gbv, R"({"transitioned_to":"unhcr_cw"})"))["status"] == "in_progress");

  const std::string ok = consenting_case(*c);
  CHECK(record_invalid(post_referral(*c, ok, R"({"transitioned_to":""})")) == Failures{{"transitioned_to", "can't be blank"}});
  CHECK(record_invalid(post_referral(*c, ok, R"({"transitioned_to":"primero_api"})")) ==
        Failures{{"transitioned_to", "transition.errors.to_user_can_receive"}});
  REQUIRE(sb->add_primero_user(R"({"user_name":"gone.user","disabled":true})").has_value());
  CHECK(record_invalid(post_referral(*c, ok, R"({"transitioned_to":"gone.user"})")) ==
        Failures{{"transitioned_to", "transition.errors.to_user_can_receive"}});

  auto remote = data_of(post_referral(*c, ok, R"({"remote":true,"transitioned_to_remote":"Clinic","type_of_export":"pdf"})"));
  CHECK(remote["remote"].GetBool());
  CHECK_FALSE(remote.HasMember("transitioned_to"));
  CHECK_FALSE(has_name(remote["record"], "assigned_user_names", "Clinic"));

  SECTION("consent is re-checked when a PATCH changes the referral") {
    auto referral = data_of(post_referral(*c, ok, R"({"transitioned_to":"unhcr_cw"})"));
    REQUIRE(c->Patch(("/api/v2/cases/" + ok).c_str(), R"({"data":{"disclosure_other_orgs":false}})", "application/json")->status == 200);
    CHECK(record_invalid(patch_referral(*c, ok, str(referral, "id"), R"({"status":"accepted"})")) ==
          Failures{{"consent", "transition.errors.consent"}});
    CHECK(sb->primero_referral_status(ok, str(referral, "id")) == std::optional<std::string>("in_progress"));
  }
}

TEST_CASE("last_updated_at: strictly increasing stamps, ranges, ordered paging during writes", "[sandbox][primero][filters]") {
  // Millisecond ranges (the sandbox's compatibility switch): this test pins the write clock and
  // page-by-page reading at millisecond precision, independent of how the 25 writes fall into
  // seconds. Primero's whole-second ranges have their own tests (primero_instance_test.cc) and
  // the workflows' reader is tested on them (tests/workflows/engine_test.cc).
  auto sb = start_sandbox(1000, [](refbridge::sandbox::SandboxOptions& o) { o.primero_millisecond_ranges = true; });
  auto c = primero_client(*sb);
  std::vector<std::string> ids;
  std::vector<std::string> stamps;
  for (int i = 0; i < 25; ++i) {
    auto d = create_case(*c, "{\"unhcr_individual_no\":\"R-" + std::to_string(i) + "\"}");
    ids.push_back(str(d, "id"));
    stamps.push_back(str(d, "last_updated_at"));
    CHECK(str(d, "created_at") == stamps.back());
  }
  for (std::size_t i = 1; i < stamps.size(); ++i) {
    CHECK(stamps[i].size() == 24);
    CHECK(stamps[i].back() == 'Z');
    CHECK(stamps[i - 1] < stamps[i]);  // same millisecond or not: strictly increasing
  }

  int total = 0;
  list_ids(*c, "last_updated_at=" + stamps[5] + ".." + stamps[10], &total);
  CHECK(total == 6);  // inclusive at both ends
  list_ids(*c, "last_updated_at=" + stamps[20] + "..", &total);
  CHECK(total == 5);
  // Instants, not text: the same bound written with an offset.
  const std::string lower = stamps[20].substr(0, 23) + encode("+00:00");
  list_ids(*c, "last_updated_at=" + lower + "..", &total);
  CHECK(total == 5);
  auto broken = c->Get(("/api/v2/cases?last_updated_at=.." + stamps[3]).c_str());
  REQUIRE(broken->status == 500);
  CHECK(parse(broken->body)["errors"][0]["status"].GetInt() == 500);

  SECTION("order_by last_updated_at asc, page by page, creating and updating unread cases between pages") {
    std::vector<std::string> seen;
    std::vector<std::string> written;  // cases created or updated while paging: must come back
    const std::string query = "order_by=last_updated_at&order=asc&per=7&last_updated_at=" + stamps[0] + "..";
    for (int page = 1; page < 10; ++page) {
      auto got = list_ids(*c, query + "&page=" + std::to_string(page), &total);
      if (got.empty()) break;
      seen.insert(seen.end(), got.begin(), got.end());
      // A write between pages: a new case, and a PATCH of a case not read yet (it moves to the end).
      if (page <= 2) {
        written.push_back(str(create_case(*c, "{\"unhcr_individual_no\":\"NEW-" + std::to_string(page) + "\"}"), "id"));
        const std::string unread = ids[static_cast<std::size_t>(20 + page)];
        REQUIRE(c->Patch(("/api/v2/cases/" + unread).c_str(), R"({"data":{"sex":"female"}})", "application/json")->status == 200);
        written.push_back(unread);
      }
    }
    const std::set<std::string> seen_set(seen.begin(), seen.end());
    for (const auto& id : ids) CHECK(seen_set.count(id) == 1);
    for (const auto& id : written) CHECK(seen_set.count(id) == 1);
    CHECK(seen.size() == seen_set.size());  // nothing repeated
  }

  SECTION("a cursor reader (last_updated_at=<newest seen>..) misses no write, even of cases already read") {
    std::set<std::string> seen;
    std::string cursor = stamps[0];
    std::vector<std::string> updated;
    for (int round = 0; round < 12; ++round) {
      auto res = c->Get(("/api/v2/cases?order_by=last_updated_at&order=asc&per=7&page=1&fields=id&last_updated_at=" + cursor +
                         "..").c_str());
      auto d = parse(res->body);
      for (const auto& item : d["data"].GetArray()) {
        seen.insert(item["id"].GetString());
        cursor = item["last_updated_at"].GetString();
      }
      if (round < 3) {  // update a case read in the first page
        const std::string old = ids[static_cast<std::size_t>(round)];
        REQUIRE(c->Patch(("/api/v2/cases/" + old).c_str(), R"({"data":{"age":3}})", "application/json")->status == 200);
        updated.push_back(old);
      }
    }
    CHECK(seen.size() == ids.size());
    auto tail = parse(c->Get(("/api/v2/cases?order_by=last_updated_at&order=asc&last_updated_at=" + cursor + "..").c_str())->body);
    CHECK(str(tail["data"][tail["data"].Size() - 1], "id") == updated.back());
  }
}

TEST_CASE("associated_user_names any-of filter and ordering with a stable tie-break", "[sandbox][primero][filters]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  const std::string a = str(create_case(*c, R"({"owned_by":"alice","sex":"female"})"), "id");
  const std::string b = str(create_case(*c, R"({"owned_by":"bob","assigned_user_names":["carol"],"sex":"female"})"), "id");
  const std::string d = str(create_case(*c, R"({"owned_by":"dave","sex":"male"})"), "id");

  auto set_of = [&](const std::string& q) {
    auto v = list_ids(*c, q);
    return std::set<std::string>(v.begin(), v.end());
  };
  CHECK(set_of("associated_user_names=alice") == std::set<std::string>{a});
  CHECK(set_of("associated_user_names=alice,carol") == std::set<std::string>{a, b});
  CHECK(set_of("associated_user_names[0]=alice&associated_user_names[1]=dave") == std::set<std::string>{a, d});
  CHECK(set_of("associated_user_names[]=carol") == std::set<std::string>{b});
  CHECK(set_of("associated_user_names%5B%5D=bob") == std::set<std::string>{b});
  CHECK(set_of("associated_user_names=nobody").empty());

  CHECK(list_ids(*c, "order_by=created_at&order=asc") == std::vector<std::string>{a, b, d});
  CHECK(list_ids(*c, "") == std::vector<std::string>{d, b, a});  // default created_at desc
  CHECK(list_ids(*c, "order_by=last_updated_at&order=desc") == std::vector<std::string>{d, b, a});

  // Ties (sex) are broken by record id: one per page still walks every case exactly once.
  std::vector<std::string> walked;
  for (int page = 1; page <= 3; ++page) {
    auto got = list_ids(*c, "order_by=sex&order=asc&per=1&page=" + std::to_string(page));
    REQUIRE(got.size() == 1);
    walked.push_back(got[0]);
  }
  const auto females = std::minmax(a, b);
  CHECK(walked == std::vector<std::string>{females.first, females.second, d});
}

TEST_CASE("users: listing, paging and the user_name filter", "[sandbox][primero][users]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  auto all = parse(c->Get("/api/v2/users?per=100")->body);
  REQUIRE(all["data"].IsArray());
  std::map<std::string, const rapidjson::Value*> by_name;
  for (const auto& u : all["data"].GetArray()) {
    by_name[u["user_name"].GetString()] = &u;
    CHECK(u["id"].IsInt());
    CHECK_FALSE(u["disabled"].GetBool());
    CHECK_FALSE(has_null_member(u));
  }
  for (const char* name : {"primero_api", "openfn_testing", kUnhcrFocal, "unhcr_cw", "tabide"}) CHECK(by_name.count(name) == 1);
  const auto admin = std::find_if(by_name.begin(), by_name.end(), [](const auto& entry) {
    return entry.second->HasMember("email") && std::string((*entry.second)["email"].GetString()) == "cpims.admin@sandbox.invalid";
  });
  CHECK(admin != by_name.end());
  const int seeded = all["metadata"]["total"].GetInt();
  CHECK(seeded == 6);
  CHECK(all["metadata"]["total_enabled"].GetInt() == seeded);
  CHECK(str(*by_name["openfn_testing"], "email").find(".invalid") != std::string::npos);

  auto one = parse(c->Get(("/api/v2/users?user_name=" + encode(kUnhcrFocal)).c_str())->body);
  REQUIRE(one["data"].Size() == 1);
  CHECK(str(one["data"][0], "user_name") == kUnhcrFocal);
  for (const char* field : {"full_name", "email", "phone", "position", "code", "agency_id"}) CHECK(one["data"][0].HasMember(field));
  CHECK(parse(c->Get("/api/v2/users?user_name=unhcr")->body)["data"].Empty());  // exact, not a prefix

  auto added = sb->add_primero_user(R"({"user_name":"off.user","full_name":"Off","disabled":true,"phone":null})");
  REQUIRE(added.has_value());
  CHECK_FALSE(parse(added.value()).HasMember("phone"));
  CHECK(sb->add_primero_user(R"({"user_name":"OFF.user"})").error().code == refbridge::ErrorCode::kConflict);
  CHECK(sb->add_primero_user(R"({"full_name":"nameless"})").error().code == refbridge::ErrorCode::kInvalidInput);
  CHECK(sb->add_primero_user("not json").error().code == refbridge::ErrorCode::kInvalidInput);

  auto page2 = parse(c->Get("/api/v2/users?per=2&page=2")->body);
  CHECK(page2["data"].Size() == 2);
  CHECK(page2["metadata"]["total"].GetInt() == seeded + 1);
  CHECK(page2["metadata"]["total_enabled"].GetInt() == seeded);
  CHECK(page2["metadata"]["per"].GetInt() == 2);
  CHECK(page2["metadata"]["page"].GetInt() == 2);
  CHECK(page2["data"][0]["id"].GetInt() < page2["data"][1]["id"].GetInt());
  auto defaults = parse(c->Get("/api/v2/users")->body);
  CHECK(defaults["metadata"]["per"].GetInt() == 20);
  CHECK(c->Get("/api/v2/users?page=0")->status == 500);
  CHECK(primero_client(*sb, false)->Get("/api/v2/users")->status == 401);
}

TEST_CASE("seeding Primero from the fixtures", "[sandbox][primero][seed]") {
  auto sb = start_sandbox();
  auto report = sb->seed_primero_from_fixtures(REFBRIDGE_FIXTURES_DIR);
  REQUIRE(report.has_value());
  CHECK(report.value().files == 3);
  CHECK(report.value().files_skipped == 0);
  CHECK(report.value().cases == 2);
  CHECK(report.value().referrals == 2);
  const auto& notices = report.value().notices;
  CHECK(std::find(notices.begin(), notices.end(),
                  "getPrimeroCases.json: repaired 3 trailing commas (invalid JSON in the fixture)") != notices.end());

  auto kase = parse(*sb->primero_case_json(kFixtureCase));
  CHECK(kase["services_section"].Size() == 3);
  CHECK(str(kase, "created_at") == "2021-09-24T10:18:27.902Z");
  CHECK(str(kase, "last_updated_at") == "2021-09-27T12:54:49.951Z");
  CHECK(str(kase, "owned_by") == "openfn_testing");
  REQUIRE(sb->primero_case_json("757f3dd3-c4ca-4e18-be60-19054d848dfe").has_value());

  auto c = primero_client(*sb);
  auto referrals = parse(c->Get((std::string("/api/v2/cases/") + kFixtureCase + "/referrals").c_str())->body);
  REQUIRE(referrals["data"].Size() == 2);
  std::map<std::string, std::string> created;
  for (const auto& r : referrals["data"].GetArray()) {
    CHECK(str(r, "status") == "in_progress");
    created[r["id"].GetString()] = r["created_at"].GetString();
  }
  CHECK(created["1e5be7bd-7357-4790-a880-ccaca3f47b5a"] == "2021-09-27T12:27:09.524Z");
  CHECK(created["4c58d02f-3182-4006-b2fe-96aa797f5ee7"] == "2021-09-27T12:03:02.516Z");
  CHECK(sb->primero_referral_status(kFixtureCase, "1e5be7bd-7357-4790-a880-ccaca3f47b5a") == std::optional<std::string>("in_progress"));
  auto sorted = parse(*sb->primero_referrals_json(kFixtureCase));
  CHECK(str(sorted["data"][0], "id") == "4c58d02f-3182-4006-b2fe-96aa797f5ee7");  // oldest first

  // The fixture case takes part in the API like any other.
  int total = 0;
  auto hits = list_ids(*c, "associated_user_names[0]=unhcr_cw&last_updated_at=2021-09-27T00:00:00.000Z..2021-09-28T00:00:00Z", &total);
  CHECK(hits == std::vector<std::string>{kFixtureCase});
  auto accepted = data_of(patch_referral(*c, kFixtureCase, "4c58d02f-3182-4006-b2fe-96aa797f5ee7", R"({"status":"accepted"})"));
  CHECK(str(accepted, "status") == "accepted");
  CHECK(str(accepted["record"], "last_updated_at") > "2021-09-27T12:54:49.951Z");

  auto again = sb->seed_primero_from_fixtures(REFBRIDGE_FIXTURES_DIR);
  REQUIRE(again.has_value());
  CHECK(again.value().cases == 0);
  CHECK(again.value().referrals == 0);
  CHECK(again.value().notices.size() == 5);  // the repair + 2 cases + 2 referrals already held
  CHECK(sb->primero_case_count() == 2);
  CHECK_FALSE(sb->seed_primero_from_fixtures("/nonexistent-fixtures-dir").has_value());
}

TEST_CASE("synthetic Primero cases for load tests", "[sandbox][primero][synthetic]") {
  auto sb = start_sandbox();
  auto c = primero_client(*sb);
  using refbridge::sandbox::SyntheticCaseKind;

  SECTION("decisions") {
    auto made = sb->seed_synthetic_primero_cases(40, SyntheticCaseKind::kDecisions, 7);
    REQUIRE(made.has_value());
    REQUIRE(made.value().size() == 40);
    std::set<std::string> statuses;
    for (std::size_t i = 0; i < made.value().size(); ++i) {
      const auto& s = made.value()[i];
      CHECK(s.referral_id.empty());
      auto kase = parse(*sb->primero_case_json(s.record_id));
      CHECK(str(kase, "case_id") == s.case_id);
      CHECK(str(kase, "name_first") == "Synth" + std::to_string(i + 1));
      const auto& row = kase["services_section"][0];
      CHECK(str(row, "unique_id") == s.service_unique_id);
      CHECK(str(row, "progres_interventionnumber") == "SYN-" + std::to_string(i + 1));
      CHECK(str(row, "service_referral") == "external_referral");
      CHECK(str(row, "service_request_agency") == "UNHCR");
      const std::string status = str(row, "unhcr_referral_status");
      statuses.insert(status);
      CHECK(row.HasMember("unhcr_referral_rejection_reason") == (status == "rejected"));
    }
    CHECK(statuses == std::set<std::string>{"accepted", "rejected"});
    auto same = sb->seed_synthetic_primero_cases(40, SyntheticCaseKind::kDecisions, 7);
    REQUIRE(same.has_value());
    CHECK(same.value().front().record_id == made.value().front().record_id);
    CHECK(sb->primero_case_count() == 40);
    CHECK_FALSE(sb->seed_synthetic_primero_cases(-1, SyntheticCaseKind::kDecisions, 7).has_value());
  }

  SECTION("referrals to UNHCR") {
    auto made = sb->seed_synthetic_primero_cases(30, SyntheticCaseKind::kReferralsToUnhcr, 11);
    REQUIRE(made.has_value());
    REQUIRE(made.value().size() == 30);
    for (const auto& s : made.value()) {
      auto kase = parse(*sb->primero_case_json(s.record_id));
      CHECK(str(kase, "owned_by") == "openfn_testing");
      CHECK(has_name(kase, "associated_user_names", kUnhcrFocal));
      const auto& row = kase["services_section"][0];
      CHECK(str(row, "service_implementing_agency") == "UNHCR");
      const std::string type = str(row, "service_type");
      CHECK((type == "alternative_care" || type == "food" || type == "focuses_non_specialized_mhpss_care"));
      CHECK(sb->primero_referral_status(s.record_id, s.referral_id) == std::optional<std::string>("in_progress"));
      auto refs = parse(*sb->primero_referrals_json(s.record_id));
      REQUIRE(refs["data"].Size() == 1);
      CHECK(str(refs["data"][0], "service_record_id") == s.service_unique_id);
      CHECK(str(refs["data"][0], "transitioned_to") == kUnhcrFocal);
      CHECK(str(refs["data"][0], "transitioned_by") == "openfn_testing");
      CHECK(s.org_referral_id() == s.case_id + "#" + s.service_unique_id.substr(24));
    }
    int total = 0;
    list_ids(*c, "associated_user_names[0]=" + encode(kUnhcrFocal) + "&per=1", &total);
    CHECK(total == 30);
    auto again = sb->seed_synthetic_primero_cases(30, SyntheticCaseKind::kReferralsToUnhcr, 11);
    REQUIRE(again.has_value());
    CHECK(again.value().back().referral_id == made.value().back().referral_id);
    CHECK(parse(*sb->primero_referrals_json(made.value().back().record_id))["data"].Size() == 1);
  }
}
