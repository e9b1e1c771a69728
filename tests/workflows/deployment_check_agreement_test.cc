// The generation-time deployment check (codegen/src/deployment_check.h) and the workflows'
// start-up check (workflows/common/primero_config_check.h) agree on the same configuration: the
// sandbox's default Primero configuration passes both, and with a field the 1.1 mapping writes
// removed from the export both fail, naming it.
#include "primero_config_check.h"

#include "deployment/export_edit.h"
#include "deployment_check.h"
#include "deployment_import.h"
#include "driver.h"
#include "mapping_compiler.h"
#include "refbridge/mappings/progres_referral_to_primero_case.h"
#include "refbridge/primero/serde.h"
#include "refbridge/json.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace refbridge;

namespace {

const fs::path kSource(REFBRIDGE_SOURCE_DIR);
const std::string kForms = test::slurp_file((kSource / "tools/sandbox/config/forms.json").string());
const std::string kLookups = test::slurp_file((kSource / "tools/sandbox/config/lookups.json").string());

Profile gambella() {
  auto p = load_profile((kSource / "schemas/profiles/gambella.yaml").string());
  REQUIRE(p);
  return p.value();
}

/// The workflows' check: the bodies as the generated client reads them, the generated requirements.
std::vector<std::string> startup_check(const std::string& forms, const std::string& lookups) {
  auto f = json::parse<primero::FormSectionList>(forms);
  REQUIRE(f);
  auto l = json::parse<primero::LookupList>(lookups);
  REQUIRE(l);
  const Profile profile = gambella();
  const auto reqs = mappings::progres_referral_to_primero_case_primero_requirements(profile);
  workflows::PrimeroCheckSettings settings;
  settings.module_id = "primeromodule-cp";
  return workflows::missing_primero_configuration(f.value(), l.value().data, reqs, settings);
}

/// The generator's check of the same mapping spec against the overlay of the same bodies.
std::string generation_check(const std::string& forms, const std::string& lookups) {
  using namespace refbridge::codegen;
  auto text = overlay_from_bodies(forms, lookups, {"gambella", "the sandbox", "2026-12-05T08:00:00Z", "", "case",
                                                   "primeromodule-cp"},
                                  nullptr);
  REQUIRE(text);
  const fs::path path = fs::temp_directory_path() / ("refbridge-agreement-" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(path, std::ios::binary) << text.value();
  auto overlay = load_overlay(path, "gambella.yaml");
  fs::remove(path);
  REQUIRE(overlay);
  auto cfg = load_config(kSource / "schemas/codegen.yaml");
  REQUIRE(cfg);
  auto apis = load_apis(kSource, cfg.value());
  REQUIRE(apis);
  RequirementPlan plan;
  REQUIRE(generate_mapping(kSource, "schemas/mappings/progres-referral-to-primero-case.yaml",
                           std::vector<std::string>{"schemas/profiles/gambella.yaml"}, "generated/mappings",
                           apis.value(), cfg.value().include_root, &plan));
  // The plan evaluated with the profile is exactly what the generated function returns.
  CHECK(evaluate_plan(plan, gambella()).list ==
        mappings::progres_referral_to_primero_case_primero_requirements(gambella()));
  mapping_detail::Diagnostics diags;
  check_plan_against_deployment(plan, gambella(), overlay.value(), "gambella.yaml", diags);
  return diags.render();
}

}  // namespace

TEST_CASE("both checks accept the sandbox's default configuration", "[deployment]") {
  CHECK(startup_check(kForms, kLookups).empty());
  CHECK(generation_check(kForms, kLookups).empty());
}

TEST_CASE("a field removed from the export makes both checks fail, naming it", "[deployment]") {
  const std::string forms = test::remove_field(kForms, "services_section", "progres_interventionnumber");
  const auto startup = startup_check(forms, kLookups);
  const std::string generation = generation_check(forms, kLookups);
  REQUIRE(startup.size() == 1);
  CHECK(startup[0].find("field 'services_section.progres_interventionnumber'") != std::string::npos);
  CHECK(generation.find("field 'services_section.progres_interventionnumber'") != std::string::npos);
  // The same finding: the generator's line carries the start-up check's message at the rule's position.
  CHECK(generation.find(startup[0]) != std::string::npos);
  CHECK(generation.rfind("schemas/mappings/progres-referral-to-primero-case.yaml:223:3: ", 0) == 0);
}

TEST_CASE("a profile value removed from a lookup makes both checks fail, naming it", "[deployment]") {
  const std::string lookups = test::remove_value(kLookups, "lookup-language", "language6");
  const auto startup = startup_check(kForms, lookups);
  const std::string generation = generation_check(kForms, lookups);
  REQUIRE_FALSE(startup.empty());
  for (const auto& line : startup) CHECK(generation.find(line) != std::string::npos);
  CHECK(generation.find("value 'language6' of field 'language'") != std::string::npos);
}
