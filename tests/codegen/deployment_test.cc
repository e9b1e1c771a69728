// Primero deployments (codegen/src/deployment*.h): the golden overlay of a small export, the
// overlay read back, the merge onto the base schema, the generation-time mapping check against an
// administrator's edits of the sandbox configuration, and the drift diff on pairs of imports.
#include "deployment_check.h"
#include "deployment_diff.h"
#include "deployment_import.h"
#include "deployment_models.h"
#include "driver.h"
#include "mapping_compiler.h"
#include "schema_loader.h"

#include "deployment/export_edit.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace refbridge;
using namespace refbridge::codegen;
using refbridge::test::slurp_file;

namespace {

const fs::path kSource(REFBRIDGE_SOURCE_DIR);
const fs::path kDir = kSource / "tests/codegen/deployment";

DeploymentSource small_source() {
  return {"small", "the small test export", "2026-01-02T03:04:05Z", "", "case", "primeromodule-cp"};
}

ir::Api base_primero() {
  auto api = load_api(kSource, "schemas/primero/openapi.yaml", "primero", "refbridge::primero");
  REQUIRE(api);
  return api.value();
}

/// A fresh directory under the temp dir (removed by the caller's scope end is not needed: unique per pid).
fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("refbridge-deployment-" + std::to_string(::getpid()) + "-" + name);
  fs::create_directories(dir);
  return dir;
}

/// The overlay of the sandbox's configuration after `forms` / `lookups` edits, written to `path`.
void write_overlay(const fs::path& path, const std::string& forms, const std::string& lookups,
                   const std::string& exported_at) {
  const DeploymentSource src{"gambella", "the sandbox", exported_at, "", "case", "primeromodule-cp"};
  const ir::Api base = base_primero();
  auto text = overlay_from_bodies(forms, lookups, src, &base);
  REQUIRE(text);
  std::ofstream(path, std::ios::binary) << text.value();
}

const std::string kForms = slurp_file((kSource / "tools/sandbox/config/forms.json").string());
const std::string kLookups = slurp_file((kSource / "tools/sandbox/config/lookups.json").string());

/// Diagnostics of the repository's mappings against the overlay at `overlay` with the Gambella profile.
Result<void> check_repo_mappings(const fs::path& overlay) {
  auto cfg = load_config(kSource / "schemas/codegen.yaml");
  REQUIRE(cfg);
  auto apis = load_apis(kSource, cfg.value());
  REQUIRE(apis);
  std::vector<RequirementPlan> plans;
  for (const auto& m : cfg.value().mappings) {
    RequirementPlan plan;
    REQUIRE(generate_mapping(kSource, m.spec, m.profiles, m.out, apis.value(), cfg.value().include_root, &plan));
    plans.push_back(std::move(plan));
  }
  DeploymentConfig d{"gambella", overlay.string(), "primero", "schemas/profiles/gambella.yaml",
                     "refbridge::primero::gambella", "generated/deployments/primero_gambella"};
  return check_deployment_mappings(kSource, d, plans);
}

}  // namespace

TEST_CASE("import-primero writes the golden overlay of a small export", "[deployment]") {
  const ir::Api base = base_primero();
  auto text = overlay_from_bodies(slurp_file((kDir / "forms.json").string()), slurp_file((kDir / "lookups.json").string()),
                                  small_source(), &base);
  REQUIRE(text);
  INFO("regenerate: refbridge-codegen import-primero --name small --forms tests/codegen/deployment/forms.json "
       "--lookups tests/codegen/deployment/lookups.json --instance 'the small test export' --exported-at "
       "2026-01-02T03:04:05Z --out tests/codegen/deployment/expected_overlay.yaml");
  CHECK(text.value() == slurp_file((kDir / "expected_overlay.yaml").string()));
  // The source note names the instance, the export time and the input's hash.
  CHECK(text.value().find("input_sha256: \"" +
                          sha256_hex(slurp_file((kDir / "forms.json").string()) +
                                     slurp_file((kDir / "lookups.json").string())) +
                          "\"") != std::string::npos);
}

TEST_CASE("an overlay reads back as the configuration that counts for its scope", "[deployment]") {
  auto overlay = load_overlay(kDir / "expected_overlay.yaml", "expected_overlay.yaml");
  REQUIRE(overlay);
  auto parsed = parse_primero_configuration(slurp_file((kDir / "forms.json").string()),
                                            slurp_file((kDir / "lookups.json").string()), "small");
  REQUIRE(parsed);
  CHECK(overlay.value().config == scoped_configuration(parsed.value(), {"case", "primeromodule-cp"}));
  CHECK(overlay.value().source.exported_at == "2026-01-02T03:04:05Z");
  // The GBV-only section, the incident form and the unused lookup are not part of the case forms.
  CHECK(overlay.value().config.sections.size() == 3);
  CHECK(overlay.value().config.lookups.count("lookup-unused") == 0);
}

TEST_CASE("the merged deployment model types the instance's fields and keeps the base's", "[deployment]") {
  auto overlay = load_api(kDir, "expected_overlay.yaml", "small", "refbridge::primero::small");
  REQUIRE(overlay);
  auto merged = merge_deployment(base_primero(), overlay.value(), "Case", "primero_small", "refbridge::primero::small");
  REQUIRE(merged);
  std::map<std::string, const ir::Model*> models;
  for (const auto& m : merged.value().models()) models[m.name()] = &m;
  REQUIRE(models.count("Case"));
  REQUIRE(models.count("Service"));
  CHECK_FALSE(models.count("Referral"));  // only what Case reaches
  auto field = [&](const std::string& model, const std::string& name) -> const ir::Field* {
    for (const auto& f : models.at(model)->fields()) {
      if (f.json_name() == name) return &f;
    }
    return nullptr;
  };
  REQUIRE(field("Case", "consent"));
  CHECK(field("Case", "consent")->type().kind() == ir::TypeRef::BOOLEAN);
  CHECK(field("Case", "registered_at")->type().kind() == ir::TypeRef::DATE_TIME);
  CHECK(field("Case", "tally")->type().kind() == ir::TypeRef::ANY);
  CHECK(field("Case", "location_current")->type().kind() == ir::TypeRef::STRING);
  // Option ids that would give one C++ enumerator ("other", "Other") stay text, with the reason.
  CHECK(field("Case", "religion")->type().kind() == ir::TypeRef::STRING);
  CHECK(field("Case", "religion")->description().find("'other' and 'Other' give one C++ name") != std::string::npos);
  CHECK(field("Case", "sex")->type().kind() == ir::TypeRef::ENUM);  // base string refined
  CHECK(field("Case", "language")->type().element().kind() == ir::TypeRef::ENUM);
  CHECK(field("Case", "age")->type().kind() == ir::TypeRef::INT32);  // the base's bounds kept
  CHECK(field("Case", "date_of_birth")->type().kind() == ir::TypeRef::DATE);
  CHECK(field("Case", "heading") == nullptr);   // a separator holds no value
  CHECK(field("Case", "gbv_field") == nullptr);  // another module's form
  CHECK(field("Service", "unhcr_referral_status")->type().kind() == ir::TypeRef::ENUM);
  CHECK(field("Service", "unique_id")->lowercase());  // the base's row id rules kept
}

TEST_CASE("the repository's mappings pass against the committed Gambella overlay", "[deployment]") {
  CHECK(check_repo_mappings(kSource / "schemas/primero/deployments/gambella.yaml"));
}

TEST_CASE("a field the instance lacks or a profile value its lookup lacks is a spec:line:col error",
          "[deployment]") {
  const fs::path dir = scratch("check");
  write_overlay(dir / "edited.yaml",
                refbridge::test::rename_field(kForms, "services_section", "progres_interventionnumber",
                                              "progres_intervention_number"),
                refbridge::test::remove_value(kLookups, "lookup-service-type", "food"), "2026-12-05T08:00:00Z");
  auto r = check_repo_mappings(dir / "edited.yaml");
  REQUIRE_FALSE(r);
  const std::string& msg = r.error().message;
  INFO(msg);
  CHECK(msg.find("schemas/mappings/progres-referral-to-primero-case.yaml:223:3: deployment 'gambella'") !=
        std::string::npos);
  CHECK(msg.find("field 'services_section.progres_interventionnumber' (written by") != std::string::npos);
  CHECK(msg.find("Did you mean 'progres_intervention_number'?") != std::string::npos);
  CHECK(msg.find("value 'food' of field 'services_section.service_type' (profile table 'service_type' key "
                 "'Family Tracing and Reunification'") != std::string::npos);
  CHECK(msg.find("not an option of lookup 'lookup-service-type'") != std::string::npos);
  // The decision mapping reads the same field: reported at its own rule.
  CHECK(msg.find("schemas/mappings/primero-decision-to-progres.yaml:") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("drift: a removed field and lookup value the mappings use are breaking, an addition is not",
          "[deployment]") {
  const fs::path dir = scratch("diff");
  write_overlay(dir / "before.yaml", kForms, kLookups, "2026-12-04T21:00:00Z");
  std::string forms = refbridge::test::remove_field(kForms, "services_section", "progres_interventionnumber");
  forms = refbridge::test::add_text_field(forms, "basic_identity", "unhcr_case_worker_phone");
  write_overlay(dir / "after.yaml", forms, refbridge::test::remove_value(kLookups, "lookup-language", "language6"),
                "2026-12-05T08:00:00Z");
  std::ostringstream out, err;
  const int rc = run_deployment_diff(kSource, "schemas/codegen.yaml", (dir / "before.yaml").string(),
                                     (dir / "after.yaml").string(), "", out, err);
  INFO(out.str() << err.str());
  CHECK(rc == 1);
  const std::string text = out.str();
  CHECK(text.find("BREAKING: services_section.progres_interventionnumber: field removed; used by "
                  "schemas/mappings/progres-referral-to-primero-case.yaml:223") != std::string::npos);
  CHECK(text.find("BREAKING: language = language6: value removed from lookup lookup-language; used by "
                  "schemas/mappings/progres-referral-to-primero-case.yaml:197") != std::string::npos);
  CHECK(text.find("compatible: unhcr_case_worker_phone: field added: text_field") != std::string::npos);
  CHECK(text.find("summary: 2 breaking, 1 compatible change(s)") != std::string::npos);

  // Compatible only: a new field, a new option, and a removed field no mapping uses.
  std::string forms2 = refbridge::test::add_text_field(kForms, "basic_identity", "unhcr_case_worker_phone");
  forms2 = refbridge::test::remove_field(forms2, "basic_identity", "name_other");
  write_overlay(dir / "after2.yaml", forms2, kLookups, "2026-12-05T09:00:00Z");
  std::ostringstream out2, err2;
  CHECK(run_deployment_diff(kSource, "schemas/codegen.yaml", (dir / "before.yaml").string(),
                            (dir / "after2.yaml").string(), "", out2, err2) == 0);
  INFO(out2.str() << err2.str());
  CHECK(out2.str().find("BREAKING") == std::string::npos);
  CHECK(out2.str().find("compatible: name_other: field removed") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("an export not in the §5.5a shape is an error naming the body and the JSON path, not a value",
          "[deployment]") {
  const std::string lookups = R"({"data":[]})";
  auto no_name = parse_primero_configuration(
      R"({"data":[{"unique_id":"basic_identity","fields":[{"type":"text_field","display_name":{"en":"Secret Name"}}]}]})",
      lookups, "export");
  REQUIRE_FALSE(no_name);
  CHECK(no_name.error().code == ErrorCode::kInvalidInput);
  CHECK(no_name.error().message == "export (forms): $.data[0].fields[0].name: missing (a string is required)");
  auto not_a_list = parse_primero_configuration(R"({"data":{}})", lookups, "export");
  REQUIRE_FALSE(not_a_list);
  CHECK(not_a_list.error().message == "export (forms): $.data: expected a list");
  auto bad_values = parse_primero_configuration(R"({"data":[]})", R"({"data":[{"unique_id":"l","values":"x"}]})",
                                                "export");
  REQUIRE_FALSE(bad_values);
  CHECK(bad_values.error().message == "export (lookups): $.data[0].values: expected a list");
  CHECK_FALSE(parse_primero_configuration("not json", lookups, "export"));
}

TEST_CASE("the committed Gambella overlay is the import of the sandbox's default configuration", "[deployment]") {
  const DeploymentSource src{"gambella", "the refbridge sandbox's default configuration (tools/sandbox/config)",
                             "2026-12-04T21:00:00Z", "", "case", "primeromodule-cp"};
  const ir::Api base = base_primero();
  auto text = overlay_from_bodies(kForms, kLookups, src, &base);
  REQUIRE(text);
  INFO("re-import: refbridge-codegen import-primero --name gambella --forms tools/sandbox/config/forms.json --lookups "
       "tools/sandbox/config/lookups.json --instance \"the refbridge sandbox's default configuration "
       "(tools/sandbox/config)\" --exported-at 2026-12-04T21:00:00Z, then generate");
  CHECK(text.value() == slurp_file((kSource / "schemas/primero/deployments/gambella.yaml").string()));
}
