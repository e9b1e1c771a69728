// Generated Primero / PING bindings on real payloads of the OpenFn primero-progres pilot
// (../shared/fixtures/openfn-primero-progres): read -> write -> read must give the same text.
#include "refbridge/ping/serde.h"
#include "refbridge/primero/serde.h"

#include "fixtures.h"
#include "refbridge/json.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

using namespace refbridge;

namespace {

// Parses, serializes, parses the output again and serializes again: both texts must match and
// the two values must be equal. Returns the first value.
template <class T>
T round_trip(const std::string& text) {
  auto first = json::parse<T>(text);
  INFO((first ? std::string() : first.error().message));
  REQUIRE(first);
  const std::string once = json::serialize(first.value());
  auto second = json::parse<T>(once);
  INFO((second ? std::string() : second.error().message));
  REQUIRE(second);
  CHECK(json::serialize(second.value()) == once);
  CHECK(second.value() == first.value());
  return first.value();
}

// Every member name at every depth, as "/a/b/0/c" paths (array positions included).
void collect_keys(const rapidjson::Value& v, const std::string& at, std::set<std::string>& out) {
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      const std::string here = at + "/" + std::string(m.name.GetString(), m.name.GetStringLength());
      out.insert(here);
      collect_keys(m.value, here, out);
    }
  } else if (v.IsArray()) {
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) collect_keys(v[i], at + "/" + std::to_string(i), out);
  }
}

// read -> write of `text` as a T loses nothing: the same member names at every depth, and the
// same JSON value (member order of known members aside).
template <class T>
void check_lossless(const std::string& text) {
  auto value = json::parse<T>(text);
  INFO((value ? std::string() : value.error().message));
  REQUIRE(value);
  const std::string written = json::serialize(value.value());
  rapidjson::Document before;
  rapidjson::Document after;
  REQUIRE(json::parse_document(text, before));
  REQUIRE(json::parse_document(written, after));
  std::set<std::string> keys_before;
  std::set<std::string> keys_after;
  collect_keys(before, "", keys_before);
  collect_keys(after, "", keys_after);
  CHECK(keys_before.size() > 0);
  CHECK(keys_after == keys_before);
  CHECK(after == before);  // RapidJSON compares objects by member set, not order
}

}  // namespace

TEST_CASE("case_583069e.json read -> write keeps every key and value (unknown members kept)", "[fixtures][primero]") {
  const std::string text = test_support::read_fixture("case_583069e.json");
  rapidjson::Document doc;
  REQUIRE(json::parse_document(text, doc));
  CHECK(doc.MemberCount() > 250);  // ~300 custom and standard fields; the schema names about 40
  check_lossless<primero::Case>(text);
  const auto c = json::parse<primero::Case>(text).value();
  CHECK(c.unknown_members_.size() > 200);
}

TEST_CASE("Primero Case: case_583069e.json (a bare case object) round-trips", "[fixtures][primero]") {
  const auto c = round_trip<primero::Case>(test_support::read_fixture("case_583069e.json"));
  CHECK(c.id == "757f3dd3-c4ca-4e18-be60-19054d848dfe");
  CHECK(c.case_id == "3dbcb720-1915-4650-99bb-9ba4a583069e");
  CHECK(c.short_id == "583069e");
  CHECK(c.age == 12);
  CHECK(c.date_of_birth == CalendarDate{2009, 5, 26});
  CHECK(c.address_current.is_null());  // null in the fixture (kept as null, not absent)
  CHECK(c.language == std::vector<std::string>{"language6"});
  REQUIRE(c.services_section);
  REQUIRE(c.services_section->size() == 2);
  CHECK((*c.services_section)[1].service_status_referred == true);
  CHECK((*c.services_section)[0].service_response_day_time->text == "2021-05-26T15:27:00.000Z");
}

TEST_CASE("getPrimeroCases.json is invalid JSON (trailing commas): a clear kInvalidInput with an offset",
          "[fixtures][primero]") {
  auto r = json::parse<primero::CaseList>(test_support::read_fixture("getPrimeroCases.json"));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kInvalidInput);
  CHECK_THAT(r.error().message, Catch::Matches("invalid JSON at byte [0-9]+: .*"));
}

TEST_CASE("getPrimeroCases.json without trailing commas: the CaseList and each case round-trip",
          "[fixtures][primero]") {
  const std::string cleaned = test_support::without_trailing_commas(test_support::read_fixture("getPrimeroCases.json"));
  const auto list = round_trip<primero::CaseList>(cleaned);
  REQUIRE(list.data.size() >= 1);
  CHECK_FALSE(list.metadata.has_value());  // the OpenFn capture dropped it
  for (const auto& c : list.data) {
    round_trip<primero::Case>(json::serialize(c));
  }
  const auto& first = list.data.front();
  CHECK(first.unhcr_individual_no.has_value());
  REQUIRE(first.services_section);
  CHECK((*first.services_section)[0].progres_interventionnumber == "612-21-PRTITV-0000038");
}

TEST_CASE("cleaned getPrimeroCases.json read -> write is lossless", "[fixtures][primero]") {
  const std::string cleaned = test_support::without_trailing_commas(test_support::read_fixture("getPrimeroCases.json"));
  check_lossless<primero::CaseList>(cleaned);
}

TEST_CASE("response__postToPrimeroCases.json: 2021 string age is rejected with its path, and once fixed it round-trips",
          "[fixtures][primero]") {
  const std::string text = test_support::read_fixture("response__postToPrimeroCases.json");
  auto r = json::parse<primero::CaseEnvelope>(text);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::StartsWith("$.data.age: "));

  const std::string fixed = std::regex_replace(text, std::regex(R"x("age": "([0-9]+)")x"), R"("age": $1)");
  const auto env = round_trip<primero::CaseEnvelope>(fixed);
  CHECK(env.data.age == 18);
  CHECK(env.data.name_first == "Harry");
  REQUIRE(env.data.services_section);
  CHECK((*env.data.services_section)[0].unhcr_referral_status == "pending");
  CHECK((*env.data.services_section)[0].progres_interventionnumber == "DAD-21-PRTITV-0000199");
}

TEST_CASE("Primero error envelope: message as string or array, detail untyped", "[primero]") {
  const auto e = round_trip<primero::ErrorEnvelope>(
      R"({"errors":[{"status":422,"resource":"/api/v2/cases/0f8e","detail":["/date_of_birth"],"message":"Invalid Record JSON"},)"
      R"({"status":422,"detail":"consent","message":["transition.errors.consent"]}]})");
  REQUIRE(e.errors.size() == 2);
  CHECK(e.errors[0].detail->text == R"(["/date_of_birth"])");
  CHECK(e.errors[1].message.text == R"(["transition.errors.consent"])");
}

TEST_CASE("PING Intervention and Individual with Dynamics lookups (values from the fixtures)", "[fixtures][ping]") {
  const auto i = round_trip<ping::Intervention>(
      R"({"progres_lpinterventionid":"891cc1a1-681f-ec11-8105-00155d340606","progres_interventionnumber":"DAD-21-PRTITV-0000141",)"
      R"("progres_interventionstartdate":"2021-09-27T00:00:00Z","progres_interventiondescription":"<p>test dadaab</p>",)"
      R"("progres_reasonforreferral":"[{\"CreatedBy\":\"x\",\"Text\":\"t\",\"CreatedOn\":\"2021-09-27\"}]",)"
      R"("progres_interventiontype2":{"Id":"b0b00885-b3c3-e611-80ca-00155d340529","LogicalName":"progres_interventiontype","Name":"BIA"},)"
      R"("progres_interventionsubtype2":{"Id":"7512313e-21c9-e611-80cc-00155d340529","Name":null},)"
      R"("progres_businessunit":null,"progres_businessowner":{"title":"Mr","internalemailaddress":"test@test.com",)"
      R"("mobilephone":"9999999999","progres_partner":{"Id":"p","LogicalName":"progres_partner","Name":"DAD-17-PNR-00011"}},)"
      R"("progres_individual":"989-00000226","progres_priority":"125080000","transferStatus":"pending"})");
  CHECK(i.progres_interventiontype2->Name == "BIA");
  CHECK_FALSE(i.progres_interventionsubtype2->Name.has_value());
  CHECK_FALSE(i.progres_businessunit.has_value());
  CHECK(i.progres_businessowner->progres_partner->Name == "DAD-17-PNR-00011");
  CHECK(i.transferStatus == ping::TransferStatusValue::kPending);

  const auto ind = round_trip<ping::Individual>(
      R"({"progres_individualid":"989-00000226","progres_id":"989-00000226",)"
      R"("progres_registrationgroupid":{"Id":"g","LogicalName":"progres_registrationgroup","Name":"989-22-00200"},)"
      R"("progres_givenname":"Alfred","progres_familyname":"S-C","progres_commonyusedname":"Alfie",)"
      R"("progres_dateofbirth":"2014-06-06T00:00:00Z","progres_sex":"125080000",)"
      R"("progres_coalocationlevel1":{"Id":"l1","LogicalName":"progres_locationlevel","Name":"Gambela"},)"
      R"("progres_coalocationlevel6":"location level 6"})");
  CHECK(ind.progres_commonyusedname == "Alfie");
  CHECK(ind.progres_coalocationlevel1->Name == "Gambela");

  auto missing = json::parse<ping::ReferralSummaryPage>(R"({"items":[{"progres_lpinterventionid":"x","progres_interventionnumber":"n"}]})");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message == "$.items[0]: missing required member 'progres_individualid'");
}

TEST_CASE("both invalid-JSON fixtures are reported as clear errors naming the offset and the reason",
          "[fixtures]") {
  for (const char* name : {"getPrimeroCases.json", "flow1__progresReferralConfirmation.json"}) {
    INFO(name);
    auto r = json::parse<json::RawJson>(test_support::read_fixture(name));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kInvalidInput);
    // RapidJSON names the trailing comma's consequence; the text itself is never echoed.
    CHECK_THAT(r.error().message, Catch::Matches("invalid JSON at byte [0-9]+: (Missing a name for object member|"
                                                 "Invalid value)\\."));
  }
}
