#pragma once
// The sandbox's Primero configuration: the forms and lookups of one instance, in the shapes
// GET /api/v2/forms and GET /api/v2/lookups answer (primero-api-v2.md §5.5a), and what a record
// write does with them (§1 "Unknown fields", §3 InvalidRecordJson, §5.3, §5.4). Internal to the
// sandbox; the public knobs are SandboxOptions::primero_forms_json / primero_lookups_json.
//
// Default: tools/sandbox/config/forms.json and lookups.json, embedded at build time: the stock
// primeromodule-cp case forms the project uses (record_owner, basic_identity,
// protection_concerns, consent, closure_form, services + its nested services_section, notes +
// notes_section) and stock lookups (lookup-gender, lookup-nationality, lookup-language,
// lookup-service-type, ...), extended as schemas/profiles/gambella.yaml's deployment is: the
// service-row fields progres_interventionnumber, unhcr_referral_status,
// unhcr_referral_rejection_reason, service_request_* and the option ids the profile writes and
// reads (food, other_b25f252, language6, ...).
//
// Immutable once loaded: safe to read from any thread.

#include "refbridge/error.h"
#include "support.h"

#include <rapidjson/document.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace refbridge::sandbox::detail {

/// One form field as far as a record write cares (§5.5a).
struct PrimeroField {
  std::string name;  ///< the record's JSON key
  std::string type;  ///< text_field, textarea, numeric_field, date_field, select_box, radio_button, tick_box, subform, ...
  bool multi_select = false;       ///< select_box: an array of option ids
  bool date_include_time = false;  ///< date_field: a date-time, else a date
  bool not_future_date = false;    ///< date_validation "not_future_date": a year after this one is refused
  /// The option ids a value must be one of: a lookup's values (option_strings_source "lookup X")
  /// or option_strings_text. nullopt = not checked (no options, or a record source such as User,
  /// Agency, Location).
  std::optional<std::set<std::string, std::less<>>> options;
  /// subform: the fields of its nested section (subform_section_id), by name.
  std::map<std::string, PrimeroField, std::less<>> row_fields;
};

class PrimeroConfig {
 public:
  /// The embedded default (tools/sandbox/config/*.json). Aborts if they do not load (a build bug).
  static const PrimeroConfig& stock();
  static std::string_view stock_forms_json();
  static std::string_view stock_lookups_json();

  /// Loads a configuration from the JSON that GET /api/v2/forms and GET /api/v2/lookups answer:
  /// {"data":[...]} (a lookups `metadata` is ignored) or a bare array. Every `option_strings_source`
  /// "lookup X" must name a lookup of `lookups_json`; a subform field's subform_section_id must
  /// name a form's integer `id`. Errors: kConfig naming the problem.
  static refbridge::Result<PrimeroConfig> load(std::string_view forms_json, std::string_view lookups_json);

  /// A top-level field of the case record type (forms with parent_form "case" that are not
  /// nested), or nullptr.
  [[nodiscard]] const PrimeroField* case_field(std::string_view name) const;
  /// The option ids of lookup `unique_id`, or nullptr when there is no such lookup.
  [[nodiscard]] const std::set<std::string, std::less<>>* lookup_values(std::string_view unique_id) const;

  /// GET /api/v2/forms[?record_type=&module_id=] (§5.5a): {"data":[form...]}, not paginated;
  /// forms whose parent_form / module_ids do not match a given filter are left out.
  [[nodiscard]] std::string forms_answer(const std::optional<std::string>& record_type,
                                         const std::optional<std::string>& module_id) const;
  /// GET /api/v2/lookups (§5.5a): {"data":[lookup...], "metadata":{total, per, page}}; `page` >= 1,
  /// `per` >= 0 (already clamped by the caller to at most 1000).
  [[nodiscard]] std::string lookups_answer(long long page, long long per) const;

 private:
  struct Form {
    std::string json;  ///< the form as served, compact
    std::string parent_form;
    std::vector<std::string> module_ids;
  };
  std::vector<Form> forms_;
  std::vector<std::string> lookups_json_;  ///< each lookup as served, compact
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> lookups_;
  std::map<std::string, PrimeroField, std::less<>> case_fields_;
};

/// What clean_case_data() makes of a write.
struct CleanedRecord {
  rapidjson::Document data{rapidjson::kObjectType};  ///< the members kept, values normalised
  std::vector<std::string> invalid;                   ///< JSON pointers for the 422 (§3), in member order
  std::vector<std::string> dropped;                   ///< names of the members dropped (top level: "x"; rows: "services_section/0/x")
};

/// Applies the configuration to a POST/PATCH case `data` object as Primero does (§1, §5.3, §5.4):
/// members that name no case field are dropped (also inside subform rows; `unique_id` and
/// `_destroy` stay); `id` is kept (checked as a lower-case UUID when `check_id`); server-maintained
/// members (created_at, last_updated_at, short_id, ...) are dropped. Kept values are checked by
/// field type (text: string; numeric_field: int32 integer; tick_box: boolean; radio_button: string
/// or boolean; select_box: string, or an array of strings when multi_select; date_field: "YYYY-MM-DD"
/// or, with date_include_time, an ISO-8601 date-time; subform: an array of objects; null is
/// accepted everywhere) and against their options (lookup or inline); a subform row's unique_id
/// must be a lower-case UUID. Date-times are normalised to UTC "YYYY-MM-DDThh:mm:ss.sssZ"
/// ("2024-05-03T10:30:00+02:00" -> "2024-05-03T08:30:00.000Z"). Each violation is one pointer to
/// the member ("/sex", "/services_section/0/service_type").
CleanedRecord clean_case_data(const PrimeroConfig& config, const rapidjson::Value& data, bool check_id);

}  // namespace refbridge::sandbox::detail
