// The generated <function>_primero_requirements(profile) of the four shipped mappings (compiled and
// run against the shipped profiles): every field written or read, the correlation fields, every
// option value a select field can receive with its profile source, and the read-only workflows'
// fields; plus the runtime helpers of refbridge/primero_requirements.h.
#include "refbridge/mappings/primero_decision_to_progres.h"
#include "refbridge/mappings/primero_referral_to_progres.h"
#include "refbridge/mappings/progres_decision_to_primero_referral.h"
#include "refbridge/mappings/progres_referral_to_primero_case.h"
#include "refbridge/primero_requirements.h"

#include <catch2/catch.hpp>

#include <algorithm>

using refbridge::PrimeroRequirement;
using Access = refbridge::PrimeroRequirement::Access;

namespace {

refbridge::Profile profile(const std::string& name) {
  auto p = refbridge::load_profile(std::string(REFBRIDGE_SOURCE_DIR) + "/schemas/profiles/" + name + ".yaml");
  if (!p) FAIL(p.error().describe());
  return std::move(p).value();
}

const PrimeroRequirement* field(const std::vector<PrimeroRequirement>& reqs, const std::string& path) {
  for (const auto& r : reqs) {
    if (!r.value && r.field == path) return &r;
  }
  return nullptr;
}

/// The values required for `path`, in order, each as "value <- source".
std::vector<std::string> values(const std::vector<PrimeroRequirement>& reqs, const std::string& path) {
  std::vector<std::string> out;
  for (const auto& r : reqs) {
    if (r.value && r.field == path) out.push_back(*r.value + " <- " + r.value_source);
  }
  return out;
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("1.1 requires every case and service-row field it writes, the correlation fields first among them") {
  const auto reqs = refbridge::mappings::progres_referral_to_primero_case_primero_requirements(profile("gambella"));
  CHECK(refbridge::mappings::progres_referral_to_primero_case_primero_record_type == "case");
  for (const char* f : {"unhcr_individual_no", "unhcr_id_no", "name_first", "name_last", "date_of_birth", "age", "sex",
                        "language", "status", "owned_by", "module_id", "services_section.unique_id",
                        "services_section.service_type", "services_section.unhcr_referral_status",
                        "services_section.progres_interventionnumber"}) {
    INFO(f);
    const auto* r = field(reqs, f);
    REQUIRE(r != nullptr);
    CHECK(r->access == Access::kWrite);
    CHECK(contains(r->rule, "schemas/mappings/progres-referral-to-primero-case.yaml:"));
  }
  const auto* key = field(reqs, "services_section.progres_interventionnumber");
  CHECK(contains(key->rule, "(services_section[0].progres_interventionnumber <- copy intervention.progres_interventionnumber)"));
  const auto* case_id = field(reqs, "case_id");
  REQUIRE(case_id != nullptr);
  CHECK(case_id->access == Access::kRead);
  // One entry per field.
  for (const auto& r : reqs) {
    if (r.value) continue;
    CHECK(std::count_if(reqs.begin(), reqs.end(), [&](const auto& o) { return !o.value && o.field == r.field; }) == 1);
  }
}

TEST_CASE("1.1 requires every option value its lookups and constants can write, named by table and key") {
  const auto reqs = refbridge::mappings::progres_referral_to_primero_case_primero_requirements(profile("gambella"));
  CHECK(values(reqs, "sex") == std::vector<std::string>{"female <- profile table 'sex' key '125080000'",
                                                        "male <- profile table 'sex' key '125080001'",
                                                        "other_b25f252 <- profile table 'sex' key '125080002'",
                                                        "unknown_4b34795 <- profile table 'sex' key '125080003'"});
  // A value several keys map to once (its first key); the default of an on_missing: default lookup.
  CHECK(values(reqs, "services_section.service_type") ==
        std::vector<std::string>{"alternative_care <- profile table 'service_type' key 'Alternative Care'",
                                 "focuses_non_specialized_mhpss_care <- profile table 'service_type' key 'BIA'",
                                 "food <- profile table 'service_type' key 'Family Tracing and Reunification'"});
  const auto language = values(reqs, "language");
  CHECK(language.size() == 9);  // language1..language8, language10 and the default language6, each once
  CHECK(language.back() == "language6 <- profile table 'language' default");
  CHECK(values(reqs, "status") == std::vector<std::string>{"open <- profile constant 'case_status_on_create'"});
  CHECK(values(reqs, "services_section.service_referral") ==
        std::vector<std::string>{"external_referral <- profile constant 'service_referral'"});
  CHECK(values(reqs, "services_section.unhcr_referral_status") ==
        std::vector<std::string>{"pending <- profile constant 'unhcr_referral_status'"});
  CHECK(values(reqs, "services_section.service_request_agency") ==
        std::vector<std::string>{"UNHCR <- profile constant 'default_request_agency'"});
  // Free text and booleans carry no option value.
  CHECK(values(reqs, "address_current").empty());
  CHECK(values(reqs, "services_section.service_request_external").empty());
  for (const auto& r : reqs) {
    if (r.value) CHECK(contains(r.rule, "progres-referral-to-primero-case.yaml:"));
  }
}

TEST_CASE("the values follow the profile given at run time") {
  const auto gambella = refbridge::mappings::progres_referral_to_primero_case_primero_requirements(profile("gambella"));
  const auto other = refbridge::mappings::progres_referral_to_primero_case_primero_requirements(profile("example-country"));
  CHECK(values(gambella, "sex") != values(other, "sex"));
  // The fields do not depend on the profile.
  std::vector<std::string> a, b;
  for (const auto& r : gambella) if (!r.value) a.push_back(r.field);
  for (const auto& r : other) if (!r.value) b.push_back(r.field);
  CHECK(a == b);
}

TEST_CASE("1.2 and 2.1 list the case and service-row fields they read, 2.2 the fields it finds the referral by") {
  const auto gambella = profile("gambella");
  const auto decisions = refbridge::mappings::primero_decision_to_progres_primero_requirements(gambella);
  for (const char* f : {"case_id", "owned_by", "services_section.progres_interventionnumber",
                        "services_section.unhcr_referral_status", "services_section.unhcr_referral_rejection_reason",
                        "services_section.service_referral"}) {
    INFO(f);
    REQUIRE(field(decisions, f) != nullptr);
    CHECK(field(decisions, f)->access == Access::kRead);
  }
  CHECK(contains(field(decisions, "services_section.unhcr_referral_status")->rule,
                 "primero-decision-to-progres.yaml:"));
  const auto referrals = refbridge::mappings::primero_referral_to_progres_primero_requirements(gambella);
  for (const char* f : {"case_id", "sex", "language", "date_of_birth", "services_section.unique_id",
                        "services_section.service_type", "services_section.service_implementing_agency",
                        "associated_user_names"}) {
    INFO(f);
    REQUIRE(field(referrals, f) != nullptr);
  }
  CHECK(field(referrals, "contact.email") == nullptr);  // a user, not a case form field
  const auto to_primero = refbridge::mappings::progres_decision_to_primero_referral_primero_requirements(gambella);
  REQUIRE(to_primero.size() == 2);
  CHECK(to_primero[0].field == "case_id");
  CHECK(to_primero[1].field == "services_section.unique_id");
  for (const auto* reqs : {&decisions, &referrals, &to_primero}) {
    for (const auto& r : *reqs) CHECK_FALSE(r.value);  // read-only: no option value to check
  }
}

TEST_CASE("requirement helpers: one entry per field and value, absent profile data adds nothing, system fields") {
  std::vector<PrimeroRequirement> out;
  refbridge::add_primero_field(out, "sex", Access::kWrite, "a:1 (first)");
  refbridge::add_primero_field(out, "sex", Access::kRead, "a:2 (second)");
  refbridge::add_primero_value(out, "sex", "male", "literal", "a:3");
  refbridge::add_primero_value(out, "sex", "male", "literal", "a:4");
  REQUIRE(out.size() == 2);
  CHECK(out[0] == PrimeroRequirement{"sex", Access::kWrite, std::nullopt, "", "a:1 (first)"});
  CHECK(out[1] == PrimeroRequirement{"sex", Access::kWrite, std::string("male"), "literal", "a:3"});
  const refbridge::Profile empty;
  refbridge::add_primero_constant_value(out, empty, "module_id", "module_id", "a:5");
  refbridge::add_primero_lookup_values(out, empty, "sex", true, "sex", "a:6");
  CHECK(out.size() == 2);
  CHECK(refbridge::to_string(Access::kRead) == "read");
  for (const char* f : {"id", "status", "owned_by", "module_id", "last_updated_at", "associated_user_names",
                        "services_section.unique_id"}) {
    CHECK(refbridge::is_primero_system_field(f));
  }
  for (const char* f : {"case_id", "sex", "unique_id", "services_section.progres_interventionnumber", "statuses"}) {
    CHECK_FALSE(refbridge::is_primero_system_field(f));
  }
}
