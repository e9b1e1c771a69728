// The start-up check of the Primero configuration (workflows/common/primero_config_check.h) against
// the generated FakePrimero answering forms and lookups in the shapes of primero-api-v2.md §5.5a,
// with the generated requirements of the shipped mappings and the Gambella profile: all present;
// a missing correlation field; a lookup lacking a value the profile maps to; 403 -> WARN and go on,
// or kConfig with require_form_check; module filter, subform resolution, inline options, paging;
// and the new `primero:` configuration keys.
#include "config.h"
#include "exit_status.h"
#include "primero_config_check.h"

#include "refbridge/mappings/primero_decision_to_progres.h"
#include "refbridge/mappings/progres_referral_to_primero_case.h"
#include "refbridge/primero/fake.h"
#include "refbridge/primero/serde.h"
#include "refbridge/json.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

using namespace refbridge;
using namespace refbridge::workflows;

namespace {

// A Gambella-like configuration: every field and option the 1.1 mapping writes, plus a GBV-only
// section. services_section's rows are section 99 (subform_section_id).
const std::string kForms = R"({"data":[
 {"id":1,"unique_id":"basic_identity","parent_form":"case","is_nested":false,"module_ids":["primeromodule-cp"],"fields":[
  {"name":"case_id","type":"text_field"},{"name":"status","type":"select_box","option_strings_source":"lookup lookup-case-status"},
  {"name":"name_first","type":"text_field","required":true},{"name":"name_middle","type":"text_field"},
  {"name":"name_last","type":"text_field"},{"name":"name_nickname","type":"text_field"},
  {"name":"sex","type":"select_box","option_strings_source":"lookup lookup-gender"},{"name":"age","type":"numeric_field"},
  {"name":"date_of_birth","type":"date_field"},{"name":"unhcr_id_no","type":"text_field"},
  {"name":"unhcr_individual_no","type":"text_field"},{"name":"address_current","type":"textarea"},
  {"name":"telephone_current","type":"text_field"}]},
 {"id":2,"unique_id":"other_identity_details","parent_form":"case","module_ids":["primeromodule-cp"],"fields":[
  {"name":"language","type":"select_box","multi_select":true,"option_strings_source":"lookup lookup-language"}]},
 {"id":3,"unique_id":"record_owner","parent_form":"case","module_ids":["primeromodule-cp"],"fields":[
  {"name":"owned_by","type":"select_box","option_strings_source":"User"},{"name":"module_id","type":"text_field"}]},
 {"id":4,"unique_id":"services","parent_form":"case","module_ids":["primeromodule-cp"],"fields":[
  {"name":"services_section","type":"subform","subform_section_id":99}]},
 {"id":5,"unique_id":"gbv_only","parent_form":"case","module_ids":["primeromodule-gbv"],"fields":[
  {"name":"gbv_field","type":"text_field"}]},
 {"id":99,"unique_id":"services_section","parent_form":"case","is_nested":true,"module_ids":[],"fields":[
  {"name":"service_response_type","type":"select_box","option_strings_source":"lookup lookup-service-response-type"},
  {"name":"service_type","type":"select_box","option_strings_source":"lookup lookup-service-type"},
  {"name":"service_response_day_time","type":"date_field","date_include_time":true},
  {"name":"service_request_external","type":"tick_box"},{"name":"service_request_title","type":"text_field"},
  {"name":"service_request_agency","type":"text_field"},{"name":"service_request_phone","type":"text_field"},
  {"name":"service_request_email","type":"text_field"},{"name":"service_referral_notes","type":"textarea"},
  {"name":"service_implementing_agency","type":"select_box","option_strings_source":"Agency"},
  {"name":"service_referral","type":"select_box","option_strings_text":[{"id":"external_referral","display_text":{"en":"External"}},{"id":"internal_referral","display_text":{"en":"Internal"}}]},
  {"name":"unhcr_referral_status","type":"select_box","option_strings_source":"lookup lookup-unhcr-referral-status"},
  {"name":"unhcr_referral_rejection_reason","type":"textarea"},
  {"name":"progres_interventionnumber","type":"text_field"}]}]})";

std::string lookup(const std::string& id, const std::vector<std::string>& values) {
  std::string out = R"({"id":1,"unique_id":")" + id + R"(","name":{"en":")" + id + R"("},"values":[)";
  for (std::size_t i = 0; i < values.size(); ++i) {
    out += (i ? "," : "") + std::string(R"({"id":")") + values[i] + R"(","display_text":{"en":"x"}})";
  }
  return out + "]}";
}

std::vector<std::string> default_lookups() {
  return {lookup("lookup-case-status", {"open", "closed", "transferred"}),
          lookup("lookup-gender", {"female", "male", "other_b25f252", "unknown_4b34795"}),
          lookup("lookup-language", {"language1", "language2", "language3", "language4", "language5", "language6",
                                     "language7", "language8", "language10"}),
          lookup("lookup-service-response-type", {"care_plan", "service_provision"}),
          lookup("lookup-service-type", {"alternative_care", "focuses_non_specialized_mhpss_care", "food"}),
          lookup("lookup-unhcr-referral-status", {"pending", "accepted", "rejected"})};
}

std::string without(std::string text, const std::string& part) {
  const auto at = text.find(part);
  REQUIRE(at != std::string::npos);
  return text.erase(at, part.size());
}

/// `text` read as the generated client does: a body off the schema is kInvalidResponse.
template <class T>
Result<T> answer(const std::string& text) {
  auto r = json::parse<T>(text);
  if (!r) return make_error(ErrorCode::kInvalidResponse, "response does not follow the schema: " + r.error().message, 200);
  return r;
}

/// FakePrimero answering `forms` (or `forms_error`) and `lookups` paged by the request's per.
struct Instance {
  std::string forms = kForms;
  std::vector<std::string> lookups = default_lookups();
  std::optional<Error> forms_error, lookups_error;
  primero::FakePrimero api;
  Instance() {
    api.list_forms_handler = [this](const primero::ListFormsRequest&) -> Result<primero::FormSectionList> {
      if (forms_error) return *forms_error;
      return answer<primero::FormSectionList>(forms);
    };
    api.list_lookups_handler = [this](const primero::ListLookupsRequest& req) -> Result<primero::LookupList> {
      if (lookups_error) return *lookups_error;
      const std::size_t per = static_cast<std::size_t>(req.per.value_or(20)), page = static_cast<std::size_t>(req.page.value_or(1));
      std::string data;
      for (std::size_t i = (page - 1) * per; i < std::min(lookups.size(), page * per); ++i) data += (data.empty() ? "" : ",") + lookups[i];
      return answer<primero::LookupList>(R"({"data":[)" + data + R"(],"metadata":{"total":)" +
                                              std::to_string(lookups.size()) + R"(,"per":)" + std::to_string(per) +
                                              R"(,"page":)" + std::to_string(page) + "}}");
    };
  }
};

Profile gambella() {
  auto p = load_profile(REFBRIDGE_PROFILE_PATH);
  if (!p) FAIL(p.error().describe());
  return std::move(p).value();
}

PrimeroCheckSettings settings(bool require = false) {
  PrimeroCheckSettings s;
  s.module_id = "primeromodule-cp";
  s.require_form_check = require;
  s.lookups_page_size = 4;  // several pages
  return s;
}

struct Run {
  Result<void> result = ok();
  std::string log;
};

Run check_1_1(Instance& instance, bool require = false) {
  std::ostringstream out;
  Logger log(out);
  const auto reqs = mappings::progres_referral_to_primero_case_primero_requirements(gambella());
  Run run;
  run.result = check_primero_configuration(instance.api, reqs, settings(require), log, "1.1");
  run.log = out.str();
  return run;
}

bool has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("all fields and option values present: ok, forms read for the module, every lookup page read") {
  Instance instance;
  const Run run = check_1_1(instance);
  INFO((run.result ? std::string() : run.result.error().message));
  REQUIRE(run.result);
  REQUIRE(instance.api.list_forms_calls.size() == 1);
  CHECK(instance.api.list_forms_calls[0].record_type == "case");
  CHECK(instance.api.list_forms_calls[0].module_id == "primeromodule-cp");
  CHECK(instance.api.list_lookups_calls.size() == 2);  // 6 lookups, 4 per page
  CHECK(has(run.log, "primero.config_checked"));
}

TEST_CASE("a missing correlation field: kConfig naming the field and the mapping rule, exit 78") {
  Instance instance;
  instance.forms = without(kForms, R"(,
  {"name":"progres_interventionnumber","type":"text_field"})");
  const Run run = check_1_1(instance);
  REQUIRE_FALSE(run.result);
  const Error& e = run.result.error();
  CHECK(e.code == ErrorCode::kConfig);
  CHECK(exit_status_for_error(e) == kExitConfig);
  INFO(e.message);
  CHECK(has(e.message, "lacks 1 thing workflow 1.1 needs"));
  CHECK(has(e.message, "field 'services_section.progres_interventionnumber' (written by "
                       "schemas/mappings/progres-referral-to-primero-case.yaml:"));
  CHECK(has(e.message, "(services_section[0].progres_interventionnumber <- copy intervention.progres_interventionnumber))"));
  CHECK(has(e.message, "the subform 'services_section' (section 'services_section') has no field 'progres_interventionnumber'"));
}

TEST_CASE("a lookup lacking a value the profile maps to: kConfig naming the table, the value and the lookup") {
  Instance instance;
  instance.lookups[1] = lookup("lookup-gender", {"female", "male", "unknown_4b34795"});
  const Run run = check_1_1(instance);
  REQUIRE_FALSE(run.result);
  const std::string& m = run.result.error().message;
  INFO(m);
  CHECK(run.result.error().code == ErrorCode::kConfig);
  CHECK(has(m, "value 'other_b25f252' of field 'sex' (profile table 'sex' key '125080002', written by "
               "schemas/mappings/progres-referral-to-primero-case.yaml:"));
  CHECK(has(m, "): not an option of lookup 'lookup-gender'"));
  CHECK(has(m, "lacks 1 thing"));
}

TEST_CASE("everything missing is listed at once: fields, a missing lookup, inline options, a constant's value") {
  Instance instance;
  instance.forms = without(without(kForms, R"({"name":"name_nickname","type":"text_field"},)"),
                           R"({"id":"external_referral","display_text":{"en":"External"}},)");
  instance.lookups.erase(instance.lookups.begin() + 2);  // lookup-language
  instance.lookups[0] = lookup("lookup-case-status", {"closed"});
  const Run run = check_1_1(instance);
  REQUIRE_FALSE(run.result);
  const std::string& m = run.result.error().message;
  INFO(m);
  CHECK(has(m, "lacks 4 things"));
  CHECK(has(m, "\n  - field 'name_nickname' (written by "));
  CHECK(has(m, "no field of the case forms of module primeromodule-cp has this name"));
  CHECK(has(m, "\n  - lookup 'lookup-language' (the options of field 'language', written by "));
  CHECK(has(m, "\n  - value 'external_referral' of field 'services_section.service_referral' (profile constant "
               "'service_referral', written by "));
  CHECK(has(m, "not one of the field's own options"));
  CHECK(has(m, "\n  - value 'open' of field 'status' (profile constant 'case_status_on_create'"));
}

TEST_CASE("403 on the forms: one WARN line and the run goes on; with require_form_check: kConfig") {
  Instance instance;
  instance.forms_error = make_error(ErrorCode::kForbidden, "Forbidden", 403);
  const Run lenient = check_1_1(instance);
  REQUIRE(lenient.result);
  CHECK(has(lenient.log, "primero.config_check_skipped"));
  CHECK(has(lenient.log, "403"));
  CHECK(std::count(lenient.log.begin(), lenient.log.end(), '\n') == 1);
  CHECK(instance.api.list_lookups_calls.empty());

  const Run strict = check_1_1(instance, /*require=*/true);
  REQUIRE_FALSE(strict.result);
  CHECK(strict.result.error().code == ErrorCode::kConfig);
  CHECK(has(strict.result.error().message, "primero.require_form_check"));
  CHECK(has(strict.result.error().message, "403"));
}

TEST_CASE("403 on the lookups, 404 or an unreadable answer on the forms are treated alike, other failures stop the run") {
  Instance instance;
  instance.lookups_error = make_error(ErrorCode::kForbidden, "Forbidden", 403);
  CHECK(check_1_1(instance).result);
  CHECK_FALSE(check_1_1(instance, true).result);
  instance.forms_error = make_error(ErrorCode::kNotFound, "Not Found", 404);
  CHECK(check_1_1(instance).result);
  instance.forms_error.reset();
  instance.forms = R"({"data":[{"unique_id":"basic_identity","fields":{"en":[]}}]})";  // another shape
  CHECK(check_1_1(instance).result);
  CHECK(check_1_1(instance, true).result.error().code == ErrorCode::kConfig);
  instance.forms_error = make_error(ErrorCode::kServerError, "Internal Server Error", 500);
  const Run failed = check_1_1(instance);
  REQUIRE_FALSE(failed.result);
  CHECK(failed.result.error().code == ErrorCode::kServerError);
  instance.forms_error = make_error(ErrorCode::kUnauthorized, "refused", 401);
  CHECK(exit_status_for_error(check_1_1(instance).result.error()) == kExitNoPermission);
}

TEST_CASE("only the module's forms count, and a subform's rows are found by their section's unique_id too") {
  Instance instance;
  // name_nickname only in a section of the GBV module: missing for the CP module, present for any.
  instance.forms = without(kForms, R"({"name":"name_nickname","type":"text_field"},)");
  const auto at = instance.forms.find(R"({"name":"gbv_field","type":"text_field"})");
  instance.forms.replace(at, std::string(R"({"name":"gbv_field","type":"text_field"})").size(),
                         R"({"name":"name_nickname","type":"text_field"})");
  const Run cp = check_1_1(instance);
  REQUIRE_FALSE(cp.result);
  CHECK(has(cp.result.error().message, "field 'name_nickname'"));
  std::ostringstream out;
  Logger log(out);
  PrimeroCheckSettings any_module = settings();
  any_module.module_id.clear();
  CHECK(check_primero_configuration(instance.api,
                                    mappings::progres_referral_to_primero_case_primero_requirements(gambella()),
                                    any_module, log, "1.1"));
  // Without subform_section_id, Primero's convention (the nested section named like the field) finds the rows.
  Instance by_name;
  by_name.forms = without(kForms, R"(,"subform_section_id":99)");
  CHECK(check_1_1(by_name).result);
  const auto nested = by_name.forms.find(R"("unique_id":"services_section")");
  by_name.forms.replace(nested, std::string(R"("unique_id":"services_section")").size(), R"("unique_id":"service_rows")");
  const Run lost = check_1_1(by_name);
  REQUIRE_FALSE(lost.result);
  CHECK(has(lost.result.error().message, "the rows' section of subform 'services_section' is not among the forms"));
}

TEST_CASE("a read-only workflow (1.2) checks its read fields and does not read the lookups") {
  Instance instance;
  std::ostringstream out;
  Logger log(out);
  const auto reqs = mappings::primero_decision_to_progres_primero_requirements(gambella());
  REQUIRE(check_primero_configuration(instance.api, reqs, settings(), log, "1.2"));
  CHECK(instance.api.list_lookups_calls.empty());
  instance.forms = without(kForms, R"({"name":"unhcr_referral_status","type":"select_box","option_strings_source":"lookup lookup-unhcr-referral-status"},)");
  auto r = check_primero_configuration(instance.api, reqs, settings(), log, "1.2");
  REQUIRE_FALSE(r);
  CHECK(has(r.error().message, "field 'services_section.unhcr_referral_status' (read by "
                               "schemas/mappings/primero-decision-to-progres.yaml:"));
  CHECK(has(r.error().message, "(GET /api/v2/forms, the case forms of module primeromodule-cp)"));
}

TEST_CASE("settings: module from primero.module_id, else the profile's constant, else primeromodule-cp") {
  WorkflowConfig config;
  Profile profile;
  CHECK(primero_check_settings(config, profile, "case").module_id == "primeromodule-cp");
  profile.constants["module_id"] = "primeromodule-pcm";
  CHECK(primero_check_settings(config, profile, "case").module_id == "primeromodule-pcm");
  config.primero_module_id = "primeromodule-x";
  config.primero_require_form_check = true;
  const auto s = primero_check_settings(config, profile, "case");
  CHECK(s.module_id == "primeromodule-x");
  CHECK(s.require_form_check);
  CHECK(s.record_type == "case");
}

TEST_CASE("configuration: primero.version chooses the login mode, require_form_check and module_id are read") {
  const auto dir = std::filesystem::temp_directory_path() / ("refbridge-check-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ::setenv("REFBRIDGE_PRIMERO_PASSWORD", "pw-for-the-test", 1);
  ::setenv("REFBRIDGE_PING_TOKEN", "token-for-the-test", 1);
  auto load = [&](const std::string& primero_extra) {
    const auto path = (dir / "c.yaml").string();
    std::ofstream(path) << "profile: p.yaml\nledger: l.sqlite\nping:\n  base_url: https://ping.example.org\n"
                           "primero:\n  base_url: https://primero.example.org\n  user: api\n  auth: token\n"
                        << primero_extra;
    return load_config(path);
  };
  auto none = load("");
  REQUIRE(none);
  CHECK(none.value().primero_login == PrimeroLoginMode::kAuto);
  CHECK_FALSE(none.value().primero_require_form_check);
  auto old = load("  version: 2.10.3\n");
  REQUIRE(old);
  CHECK(old.value().primero_login == PrimeroLoginMode::kJwt);
  auto recent = load("  version: \"2.15\"\n  require_form_check: true\n  module_id: primeromodule-cp\n");
  REQUIRE(recent);
  CHECK(recent.value().primero_login == PrimeroLoginMode::kSession);
  CHECK(recent.value().primero_require_form_check);
  CHECK(recent.value().primero_module_id == "primeromodule-cp");
  auto bad = load("  version: three\n");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == ErrorCode::kConfig);
  CHECK(has(bad.error().message, "primero.version"));
  std::filesystem::remove_all(dir);
}
