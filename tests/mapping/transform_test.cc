// The generated transform progres_referral_to_primero_case (schemas/mappings/
// progres-referral-to-primero-case.yaml) on every flow-A fixture row.
#include "flat_rows.h"

#include "refbridge/mappings/progres_referral_to_primero_case.h"
#include "refbridge/primero/serde.h"
#include "refbridge/json.h"
#include "refbridge/mapping_runtime.h"
#include "refbridge/profile.h"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <chrono>
#include <regex>

using refbridge::mappings::progres_referral_to_primero_case;
using refbridge::mappings::ProgresReferralToPrimeroCaseInput;
using refbridge::mapping_test::inputs_from_flat_rows;
using refbridge::mapping_test::read_fixture;

namespace {

const refbridge::Profile& gambella() {
  static const refbridge::Profile profile = [] {
    auto p = refbridge::load_profile(std::string(REFBRIDGE_SOURCE_DIR) + "/schemas/profiles/gambella.yaml");
    if (!p) FAIL(p.error().describe());
    return std::move(p).value();
  }();
  return profile;
}

// 2025-01-01T00:00:00Z, the reference date of worked example 1 (§4.3).
const refbridge::FixedClock kClock{std::chrono::sys_days{std::chrono::year{2025} / 1 / 1}};
const refbridge::MappingContext kCreate{refbridge::WriteMode::kCreate, &kClock};
const refbridge::MappingContext kUpdate{refbridge::WriteMode::kUpdate, &kClock};

ProgresReferralToPrimeroCaseInput single_input(const std::string& fixture) {
  auto inputs = inputs_from_flat_rows(read_fixture(fixture));
  REQUIRE(inputs.size() == 1);
  return inputs.front();
}

}  // namespace

TEST_CASE("the shipped profile has everything the 1.1 mapping uses") {
  REQUIRE(refbridge::mappings::progres_referral_to_primero_case_check_profile(gambella()));
}

TEST_CASE("worked example 1 (referralFromProgres_sample2408022.json) with the 1.1 improvements") {
  const auto in = single_input("referralFromProgres_sample2408022.json");
  auto r = progres_referral_to_primero_case(in, gambella(), kCreate);
  REQUIRE(r);
  const auto& c = r.value();

  CHECK(c.unhcr_individual_no == "989-00000226");
  CHECK(c.unhcr_id_no == "989-22-00200");
  CHECK(c.name_first == "Alfred");
  CHECK_FALSE(c.name_middle);
  CHECK(c.name_last == "S-C");
  CHECK(c.name_nickname == "Alfie");
  REQUIRE(c.date_of_birth);
  CHECK(c.date_of_birth->to_string() == "2014-06-06");
  CHECK(c.age == 10);
  CHECK(c.sex == "male");
  CHECK(c.telephone_current == "+4612312345");
  // Improvement: non-empty levels joined by single spaces (the pilot sent "Gambela Agnuak Abobo   ").
  CHECK(c.address_current == "Gambela Agnuak Abobo");
  // Afrikaans is not in §8.3: the default language6.
  REQUIRE(c.language);
  CHECK(*c.language == std::vector<std::string>{"language6"});
  CHECK(c.status == "open");
  CHECK(c.owned_by == "progresv4_primero_intake@cpims-gambella.primero.org");
  CHECK(c.module_id == "primeromodule-cp");
  CHECK_FALSE(c.case_id);

  REQUIRE(c.services_section);
  REQUIRE(c.services_section->size() == 1);
  const auto& s = c.services_section->front();
  REQUIRE(s.service_response_day_time);
  CHECK(s.service_response_day_time->text == "2022-08-22T00:00:00Z");
  CHECK(s.service_request_external == true);
  CHECK(s.service_request_title == "Associate Child Protection and SGBV Officer");
  CHECK(s.service_request_agency == "UNHCR");
  CHECK_FALSE(s.service_request_phone);
  CHECK(s.service_request_email == "scl-test@unhcr.org");
  CHECK(s.service_referral_notes == " This is a check for the address ");
  CHECK(s.service_type == "alternative_care");
  CHECK(s.service_implementing_agency == "UNICEF");
  CHECK(s.service_response_type == "service_provision");
  CHECK(s.service_referral == "external_referral");
  CHECK(s.unhcr_referral_status == "pending");
  CHECK(s.progres_interventionnumber == "989-22-PRTITV-0000051");
  // Improvement: deterministic row id, UUID v5 of the intervention number (value pinned with
  // Python's uuid.uuid5 in refbridge's namespace 7217e4c8-25df-496d-9c3d-81cbac40f936).
  CHECK(s.unique_id == "919fc336-5636-5ca1-9380-2927c1cc21e1");

  // The whole body equals worked example 1 except the improvements (unique_id added, address
  // without trailing blanks), member order aside.
  const std::string expected =
      R"({"services_section":[{"unique_id":"919fc336-5636-5ca1-9380-2927c1cc21e1","service_response_day_time":"2022-08-22T00:00:00Z","service_request_external":true,"service_request_title":"Associate Child Protection and SGBV Officer","service_request_agency":"UNHCR","service_request_email":"scl-test@unhcr.org","service_referral_notes":" This is a check for the address ","service_type":"alternative_care","service_implementing_agency":"UNICEF","service_response_type":"service_provision","service_referral":"external_referral","unhcr_referral_status":"pending","progres_interventionnumber":"989-22-PRTITV-0000051"}],"unhcr_individual_no":"989-00000226","unhcr_id_no":"989-22-00200","name_first":"Alfred","name_last":"S-C","name_nickname":"Alfie","date_of_birth":"2014-06-06","age":10,"sex":"male","telephone_current":"+4612312345","address_current":"Gambela Agnuak Abobo","language":["language6"],"status":"open","owned_by":"progresv4_primero_intake@cpims-gambella.primero.org","module_id":"primeromodule-cp"})";
  rapidjson::Document want, got;
  want.Parse(expected.c_str());
  const std::string body = refbridge::json::serialize(c);
  got.Parse(body.c_str());
  REQUIRE_FALSE(got.HasParseError());
  INFO(body);
  CHECK(got == want);
}

TEST_CASE("worked example 2 (flow1__PrimeroOutgoingReferral.json): BIA, female, no languages or locations") {
  const auto in = single_input("flow1__PrimeroOutgoingReferral.json");
  auto r = progres_referral_to_primero_case(in, gambella(), kCreate);
  REQUIRE(r);
  const auto& c = r.value();
  REQUIRE(c.services_section);
  const auto& s = c.services_section->front();
  CHECK(s.service_type == "focuses_non_specialized_mhpss_care");
  CHECK(c.sex == "female");
  // Improvements: no address / language members at all (the pilot sent 5 spaces and null).
  CHECK_FALSE(c.address_current);
  CHECK_FALSE(c.language);
  const std::string body = refbridge::json::serialize(c);
  CHECK(body.find("\"language\"") == std::string::npos);
  CHECK(s.service_referral_notes ==
        R"( Testing the address ,[{"CreatedBy":"Jessica SC","Text":"Anna\u0027s momma may be her mother","CreatedOn":"2023-08-10T07:26:41.4864352Z"}])");
  CHECK(s.service_request_title == "proGres V4 Test Account");
  CHECK(s.service_request_agency == "UNHCR");
  CHECK(c.date_of_birth->to_string() == "2020-01-01");
  CHECK(c.age == 5);
}

TEST_CASE("flow1__progresReferralToUNICEF.json: two rows aggregate to one intervention rejected by the gate") {
  auto inputs = inputs_from_flat_rows(read_fixture("flow1__progresReferralToUNICEF.json"));
  REQUIRE(inputs.size() == 1);  // DAD-21-PRTITV-0000141 twice (French, English)
  CHECK(inputs.front().languages.size() == 2);
  auto r = progres_referral_to_primero_case(inputs.front(), gambella(), kCreate);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == refbridge::ErrorCode::kRejected);
  CHECK(r.error().rule == "accepted-type-gate");
  CHECK(r.error().message ==
        "intervention type 'Accessibility' is not an accepted service type (see lookup service_type in profile gambella)");
}

TEST_CASE("flow1__progresReferralToUNICEF_6Oct2021.json: 'BID / BIA conducted' is rejected by the gate") {
  auto r = progres_referral_to_primero_case(single_input("flow1__progresReferralToUNICEF_6Oct2021.json"), gambella(), kCreate);
  REQUIRE_FALSE(r);
  CHECK(r.error().rule == "accepted-type-gate");
  CHECK(r.error().message.find("'BID / BIA conducted'") != std::string::npos);
}

TEST_CASE("progres_outboundReferral.json: no type description is a required-fields rejection") {
  auto r = progres_referral_to_primero_case(single_input("progres_outboundReferral.json"), gambella(), kCreate);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == refbridge::ErrorCode::kRejected);
  CHECK(r.error().rule == "required-fields");
  CHECK(r.error().message == "missing or empty required fields: progres_interventiontype2.Name");
}

TEST_CASE("required fields: empty strings and absent values fail, and only field names are reported") {
  auto in = single_input("referralFromProgres_sample2408022.json");
  in.individual.progres_givenname = "";
  in.individual.progres_sex.reset();
  in.individual.progres_registrationgroupid->Name.reset();
  auto r = progres_referral_to_primero_case(in, gambella(), kCreate);
  REQUIRE_FALSE(r);
  CHECK(r.error().rule == "required-fields");
  CHECK(r.error().message ==
        "missing or empty required fields: progres_registrationgroupid.Name, progres_givenname, progres_sex");
  CHECK(r.error().message.find("Alfred") == std::string::npos);
}

TEST_CASE("update mode omits owned_by, status and module_id") {
  const auto in = single_input("referralFromProgres_sample2408022.json");
  auto r = progres_referral_to_primero_case(in, gambella(), kUpdate);
  REQUIRE(r);
  CHECK_FALSE(r.value().owned_by);
  CHECK_FALSE(r.value().status);
  CHECK_FALSE(r.value().module_id);
  CHECK(r.value().unhcr_individual_no == "989-00000226");
  const std::string body = refbridge::json::serialize(r.value());
  CHECK(body.find("owned_by") == std::string::npos);
  CHECK(body.find("\"status\"") == std::string::npos);
}

TEST_CASE("the same intervention number gives the same service unique_id, another number another id") {
  auto a = single_input("referralFromProgres_sample2408022.json");
  auto b = a;
  b.individual.progres_givenname = "Someone else";
  auto c = a;
  c.intervention.progres_interventionnumber = "989-22-PRTITV-0000052";
  const auto ra = progres_referral_to_primero_case(a, gambella(), kCreate);
  const auto rb = progres_referral_to_primero_case(b, gambella(), kUpdate);
  const auto rc = progres_referral_to_primero_case(c, gambella(), kCreate);
  REQUIRE(ra);
  REQUIRE(rb);
  REQUIRE(rc);
  const auto& ida = ra.value().services_section->front().unique_id;
  CHECK(ida == rb.value().services_section->front().unique_id);
  CHECK(ida != rc.value().services_section->front().unique_id);
  // Primero's subform rule: lower-case canonical UUID.
  CHECK(std::regex_match(*ida, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
}

TEST_CASE("languages: every language mapped, duplicates removed, order kept, partner name as agency") {
  auto in = single_input("flow1__progresReferralToUNICEF.json");  // French, English
  in.intervention.progres_interventiontype2->Name = "BID";         // make it pass the gate
  refbridge::ping::IndividualLanguage nuer, nuer_again, anyuak, no_name;
  nuer.progres_languagecodeid = refbridge::ping::EntityReference{};
  nuer.progres_languagecodeid->Name = "Nuer";
  nuer_again = nuer;
  anyuak.progres_languagecodeid = refbridge::ping::EntityReference{};
  anyuak.progres_languagecodeid->Name = "Anyuak";
  in.languages.insert(in.languages.begin(), nuer);
  in.languages.push_back(nuer_again);
  in.languages.push_back(no_name);
  in.languages.push_back(anyuak);
  auto r = progres_referral_to_primero_case(in, gambella(), kCreate);
  REQUIRE(r);
  REQUIRE(r.value().language);
  CHECK(*r.value().language == std::vector<std::string>{"language2", "language6", "language1"});
  const auto& s = r.value().services_section->front();
  CHECK(s.service_request_agency == "DAD-17-PNR-00011");
  CHECK(s.service_type == "focuses_non_specialized_mhpss_care");
  // All six location levels present in this sample.
  REQUIRE(r.value().address_current);
  CHECK(r.value().address_current->find("  ") == std::string::npos);
  CHECK(r.value().address_current->back() != ' ');
}

TEST_CASE("unknown sex codes are omitted, a profile missing data is a config error") {
  auto in = single_input("referralFromProgres_sample2408022.json");
  in.individual.progres_sex = "Female";  // old formatted label: not a §8.5a code
  auto r = progres_referral_to_primero_case(in, gambella(), kCreate);
  REQUIRE(r);
  CHECK_FALSE(r.value().sex);

  refbridge::Profile partial = gambella();
  partial.lookups.erase("language");
  partial.constants.erase("intake_user");
  auto check = refbridge::mappings::progres_referral_to_primero_case_check_profile(partial);
  REQUIRE_FALSE(check);
  CHECK(check.error().code == refbridge::ErrorCode::kConfig);
  CHECK(check.error().message.find("lookup table 'language'") != std::string::npos);
  CHECK(check.error().message.find("constant 'intake_user'") != std::string::npos);
  auto run = progres_referral_to_primero_case(in, partial, kCreate);
  REQUIRE_FALSE(run);
  CHECK(run.error().code == refbridge::ErrorCode::kConfig);
}
