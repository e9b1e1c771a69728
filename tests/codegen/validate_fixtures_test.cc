// Generated Primero / PING validators on the pilot's real payloads: the fixtures satisfy the
// schema's rules, and a broken subform row is reported with its full JSON path.
#include "refbridge/ping/serde.h"
#include "refbridge/ping/validate.h"
#include "refbridge/primero/serde.h"
#include "refbridge/primero/validate.h"

#include "fixtures.h"
#include "refbridge/json.h"
#include "refbridge/validation.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

using namespace refbridge;

namespace {

template <class T>
T parse(const std::string& text) {
  auto v = json::parse<T>(text);
  INFO((v ? std::string() : v.error().message));
  REQUIRE(v);
  return std::move(v).value();
}

}  // namespace

TEST_CASE("Primero fixtures satisfy the schema's rules", "[validate][fixtures][primero]") {
  const auto c = parse<primero::Case>(test_support::read_fixture("case_583069e.json"));
  CHECK(to_string(validate(c)).empty());
  const std::string cleaned = test_support::without_trailing_commas(test_support::read_fixture("getPrimeroCases.json"));
  const auto list = parse<primero::CaseList>(cleaned);
  REQUIRE_FALSE(list.data.empty());
  CHECK(to_string(validate(list)).empty());
}

TEST_CASE("Primero: an upper-case subform unique_id and a negative age are reported with their paths",
          "[validate][primero]") {
  const auto list = parse<primero::CaseList>(
      R"({"data":[{"id":"757f3dd3-c4ca-4e18-be60-19054d848dfe","age":12},)"
      R"({"id":"757F3DD3-C4CA-4E18-BE60-19054D848DFE","age":-1,"services_section":[)"
      R"({"unique_id":"9d2e4b1a-3c5f-4e6d-8a7b-0c1d2e3f4a5b"},{"unique_id":"9D2E4B1A-3C5F-4E6D-8A7B-0C1D2E3F4A5B"},)"
      R"({"unique_id":"row-3"},{"unique_id":null}]}],"metadata":{"total":2,"per":0,"page":0}})");
  const auto v = validate(list);
  INFO(to_string(v));
  CHECK(v == std::vector<Violation>{
                 {"$.data[1].id", "x-refbridge-lowercase", "contains upper-case letters (lower-case required)"},
                 {"$.data[1].age", "minimum", "less than minimum 0"},
                 {"$.data[1].services_section[1].unique_id", "x-refbridge-lowercase",
                  "contains upper-case letters (lower-case required)"},
                 {"$.data[1].services_section[2].unique_id", "format", "not a UUID (8-4-4-4-12 hexadecimal digits)"},
                 {"$.metadata.page", "minimum", "less than minimum 1"},
             });
}

TEST_CASE("PING intervention: GUID ids and the transfer status are checked", "[validate][ping]") {
  auto i = parse<ping::Intervention>(
      R"({"progres_lpinterventionid":"891cc1a1-681f-ec11-8105-00155d340606","progres_interventionnumber":"DAD-21-PRTITV-0000141",)"
      R"("progres_businessowner":{"internalemailaddress":"test@test.com"},"transferStatus":"pending"})");
  CHECK(validate(i).empty());
  auto bad = parse<ping::Intervention>(
      R"({"progres_lpinterventionid":"989-00000226","progres_interventionnumber":"n","transferStatus":"archived"})");
  const auto v = validate(bad);
  INFO(to_string(v));
  REQUIRE(v.size() == 2);
  CHECK(v[0] == Violation{"$.progres_lpinterventionid", "format", "not a UUID (8-4-4-4-12 hexadecimal digits)"});
  CHECK(v[1] == Violation{"$.transferStatus", "enum", R"(not one of "pending", "transferred", "failed")"});
  const auto page = parse<ping::ReferralSummaryPage>(
      R"({"items":[{"progres_lpinterventionid":"x","progres_interventionnumber":"n","progres_individualid":"i"}]})");
  CHECK(validate(page) ==
        std::vector<Violation>{{"$.items[0].progres_lpinterventionid", "format", "not a UUID (8-4-4-4-12 hexadecimal digits)"}});
}
