// The mapping compiler's `primero_forms:` (codegen/src/mapping_requirements.h): the emitted
// <function>_primero_requirements() and <function>_primero_record_type for a spec that writes the
// record and reads it through its sources (golden statements), a spec without primero_forms, and
// the generation-time diagnostics of tests/mapping/broken/forms_*.yaml.
#include "mapping_compiler.h"
#include "schema_loader.h"

#include <catch2/catch.hpp>

#include <string>

using refbridge::codegen::generate_mapping;

namespace {

const std::filesystem::path kRoot = REFBRIDGE_SOURCE_DIR;
constexpr const char* kProfile = "tests/mapping/broken/profile.yaml";

const std::map<std::string, refbridge::codegen::ir::Api>& apis() {
  static const auto all = [] {
    std::map<std::string, refbridge::codegen::ir::Api> m;
    for (const auto& [name, spec] : {std::pair{"ping", "schemas/ping/openapi.yaml"},
                                     std::pair{"primero", "schemas/primero/openapi.yaml"},
                                     std::pair{"t", "tests/mapping/broken/target_api.yaml"}}) {
      auto api = refbridge::codegen::load_api(kRoot, spec, name, std::string("refbridge::") + name);
      if (!api) FAIL(api.error().message);
      m.emplace(name, std::move(api).value());
    }
    return m;
  }();
  return all;
}

/// The generated .h and .cc of `spec` concatenated, or the diagnostics.
std::string generated(const std::string& spec) {
  auto r = generate_mapping(kRoot, "tests/mapping/broken/" + spec, kProfile, "out", apis());
  if (!r) return "ERROR " + r.error().message;
  return r.value()[1].content + r.value()[0].content;
}

std::string field(const std::string& path, const char* access, const std::string& rule) {
  return "refbridge::add_primero_field(out, \"" + path + "\", refbridge::PrimeroRequirement::Access::" + access +
         ", \"tests/mapping/broken/forms_base.yaml:" + rule + "\");";
}

}  // namespace

TEST_CASE("primero_forms: every field written or read and every option value, each with its rule (golden)") {
  const std::string out = generated("forms_base.yaml");
  INFO(out);
  REQUIRE(out.rfind("ERROR", 0) == std::string::npos);
  CHECK(out.find("inline constexpr std::string_view forms_base_primero_record_type = \"case\";") != std::string::npos);
  CHECK(out.find("std::vector<refbridge::PrimeroRequirement> forms_base_primero_requirements(const refbridge::Profile& "
                 "profile);") != std::string::npos);
  const std::string body = out.substr(out.find("forms_base_primero_requirements(const refbridge::Profile& profile) {"));
  const std::vector<std::string> expected = {
      // declared reads first, then require, then the rules in spec order
      field("services_section.service_referral", "kRead", "14 (read by the workflow: the workflow selects rows by it)"),
      field("case_id", "kRead", "19 (require reads case.case_id)"),
      field("unhcr_individual_no", "kWrite", "21 (unhcr_individual_no <- copy individual.progres_id)"),
      field("sex", "kWrite", "22 (sex <- lookup sex[individual.progres_sex], on_missing: omit)"),
      "refbridge::add_primero_lookup_values(out, profile, \"sex\", false, \"sex\", "
      "\"tests/mapping/broken/forms_base.yaml:22 (sex <- lookup sex[individual.progres_sex], on_missing: omit)\");",
      field("status", "kWrite", "23 (status <- constant greeting)"),
      "refbridge::add_primero_constant_value(out, profile, \"greeting\", \"status\", "
      "\"tests/mapping/broken/forms_base.yaml:23 (status <- constant greeting)\");",
      field("name_first", "kWrite", "24 (name_first <- copy case.name_first)"),
      field("services_section.service_type", "kWrite", "25 (services_section[0].service_type <- literal alternative_care)"),
      "refbridge::add_primero_value(out, \"services_section.service_type\", \"alternative_care\", \"literal\", "
      "\"tests/mapping/broken/forms_base.yaml:25 (services_section[0].service_type <- literal alternative_care)\");",
      // read through `service` and written: one entry, a write
      field("services_section.service_request_agency", "kWrite",
            "26 (services_section[0].service_request_agency <- copy service.service_request_agency, else constant greeting)"),
      "refbridge::add_primero_constant_value(out, profile, \"greeting\", \"services_section.service_request_agency\", "
      "\"tests/mapping/broken/forms_base.yaml:26 (services_section[0].service_request_agency <- copy "
      "service.service_request_agency, else constant greeting)\");",
      // a boolean member: the field only, no option value
      field("services_section.service_request_external", "kWrite",
            "27 (services_section[0].service_request_external <- literal true)"),
  };
  std::size_t at = 0;
  for (const auto& statement : expected) {
    INFO(statement);
    const std::size_t found = body.find("  " + statement + "\n", at);
    REQUIRE(found != std::string::npos);  // present, and after the one before
    at = found;
  }
  CHECK(body.find("service.service_request_agency\", refbridge::PrimeroRequirement::Access::kRead") == std::string::npos);
  CHECK(body.find("\"true\"") == std::string::npos);
}

TEST_CASE("primero_forms: a spec without it emits an empty requirement list and record type") {
  const std::string out = generated("base.yaml");
  REQUIRE(out.rfind("ERROR", 0) == std::string::npos);
  CHECK(out.find("inline constexpr std::string_view base_mapping_primero_record_type = \"\";") != std::string::npos);
  CHECK(out.find("base_mapping_primero_requirements(const refbridge::Profile& profile) {\n  (void)profile;\n  return {};\n}") !=
        std::string::npos);
}

TEST_CASE("primero_forms: an unknown record model") {
  CHECK(generated("forms_unknown_model.yaml") ==
        "ERROR tests/mapping/broken/forms_unknown_model.yaml:10:3: primero_forms: no model 'Cases' in API 'primero'. "
        "Did you mean 'Case'?");
}

TEST_CASE("primero_forms: a source path that is no subform, and a source that is not the record") {
  CHECK(generated("forms_bad_source.yaml") ==
        "ERROR tests/mapping/broken/forms_bad_source.yaml:11:23: primero_forms sources: 'services' is not a subform (a "
        "list of models) of primero.Case.\n"
        "tests/mapping/broken/forms_bad_source.yaml:11:42: primero_forms sources: source 'individual' (ping.Individual) "
        "is not the record primero.Case");
}

TEST_CASE("primero_forms: read paths that name no field of the record or of its subform row") {
  CHECK(generated("forms_bad_read.yaml") ==
        "ERROR tests/mapping/broken/forms_bad_read.yaml:13:5: primero_forms reads: 'services_section.service_refferal' "
        "is not <field> or <subform>.<row field> of primero.Case. Did you mean 'service_referral'?\n"
        "tests/mapping/broken/forms_bad_read.yaml:14:5: primero_forms reads: 'name_first.x' is not <field> or "
        "<subform>.<row field> of primero.Case");
}
