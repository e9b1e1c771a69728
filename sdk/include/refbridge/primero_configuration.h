#pragma once
// A Primero instance's form and lookup configuration (GET /api/v2/forms and GET /api/v2/lookups,
// ../shared/docs/primero-api-v2.md §5.5a), reduced to what decides whether a record member is
// kept and a select value accepted, and the comparison of a mapping's requirements
// (refbridge/primero_requirements.h) against it.
//
// One comparison, two users, so they cannot disagree:
//  - the workflows' start-up check (workflows/common/primero_config_check.h) converts the live
//    answers into a PrimeroConfiguration and reports primero_configuration_gaps();
//  - the generator (refbridge-codegen import-primero / generate / diff, codegen/src/deployment_*.h)
//    reads an exported or imported configuration and reports the same gaps at the mapping spec's
//    line and column.
//
// What "present" means (the rules of the start-up check):
//  - the sections that count: parent_form is the record type (or absent), not nested (is_nested
//    not true), module_ids list the module (or are absent, or the module is empty);
//  - a field "name": a field of one of those sections; "subform.row_field": a field of the nested
//    section of the subform field `subform` (found by subform_section_id = its id, else
//    subform_section_unique_id = its unique_id, else a nested section whose unique_id is the
//    subform field's name: Primero's convention, services_section);
//  - a value of a field: with option_strings_source "lookup <unique_id>", an id of that lookup's
//    values; with inline option_strings_text, one of their ids; other fields (free text,
//    User / Agency / Location sources) take any value;
//  - fields Primero keeps without a form field (is_primero_system_field) need no form; their
//    values are checked where a form lists them.

#include "refbridge/error.h"
#include "refbridge/primero_requirements.h"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace refbridge {

/// One field of a form section (a member of FormSection.fields, §5.5a).
struct PrimeroFormField {
  std::string name;                                  ///< the record's JSON member ("sex", "services_section")
  std::string type;                                  ///< text_field, numeric_field, select_box, subform, ... ("" absent)
  std::optional<std::string> option_strings_source;  ///< "lookup lookup-gender", "User", "Location", ...
  std::optional<std::vector<std::string>> option_ids;  ///< ids of inline option_strings_text, when given
  std::optional<std::int64_t> subform_section_id;      ///< subform: the id of its rows' section
  std::optional<std::string> subform_section_unique_id;  ///< subform: the unique_id of its rows' section
  bool required = false;           ///< required in the UI (Primero's API does not enforce it)
  bool multi_select = false;       ///< select_box: the member holds an array of option ids
  bool date_include_time = false;  ///< date_field: a date-time rather than a date
  std::string label;               ///< display_name.en ("" absent): documentation only

  bool operator==(const PrimeroFormField&) const = default;
};

/// One form section (a member of GET /api/v2/forms' data).
struct PrimeroFormSection {
  std::optional<std::int64_t> id;
  std::string unique_id;
  std::optional<std::string> parent_form;              ///< the record type ("case"); absent = any
  std::optional<std::vector<std::string>> module_ids;  ///< absent = every module
  bool is_nested = false;                              ///< the rows' section of a subform
  std::vector<PrimeroFormField> fields;

  bool operator==(const PrimeroFormSection&) const = default;
};

/// An instance's forms and lookups.
struct PrimeroConfiguration {
  std::vector<PrimeroFormSection> sections;
  /// Lookup unique_id -> its value ids in order ("lookup-gender" -> male, female, ...).
  std::map<std::string, std::vector<std::string>> lookups;

  bool operator==(const PrimeroConfiguration&) const = default;
};

/// Which forms count: the record type's, of one module.
struct PrimeroFormScope {
  std::string record_type = "case";
  std::string module_id;  ///< empty = every module
};

/// What the configuration lacks of one requirement.
struct PrimeroConfigurationGap {
  enum class Kind {
    kField,   ///< the field (or its subform, or the subform's rows' section) is missing
    kLookup,  ///< the field's lookup is not among the lookups
    kValue,   ///< the value is not an option of the field's lookup or inline options
  };
  Kind kind = Kind::kField;
  std::size_t requirement = 0;  ///< index into the requirements compared
  /// One line naming the field (or lookup and value, with its profile source) and the rule:
  /// "field 'x' (written by <rule>): no field of the case forms of module m has this name".
  std::string message;
  /// What the instance has instead, for a "did you mean": the field names of the scope (kField),
  /// the lookup's value ids (kValue); empty otherwise.
  std::vector<std::string> candidates;
};

/// "lookup lookup-gender" -> "lookup-gender"; "" for any other source (User, Location, ...).
std::string primero_lookup_of(const PrimeroFormField& field);

/// The form field of `path` ("name" or "subform.row_field") in `scope`; nullptr when none (a
/// system field no form lists included). `problem` (when given) receives why it is missing.
const PrimeroFormField* find_primero_field(const PrimeroConfiguration& config, const PrimeroFormScope& scope,
                                           std::string_view path, std::string* problem = nullptr);

/// The nested section holding the rows of subform field `subform` (rules above); nullptr when none.
const PrimeroFormSection* primero_subform_section(const PrimeroConfiguration& config, const PrimeroFormField& subform);

/// The sections that count for `scope`, in answer order.
std::vector<const PrimeroFormSection*> primero_top_sections(const PrimeroConfiguration& config,
                                                            const PrimeroFormScope& scope);

/// Every gap of `requirements` in `config`, in requirement order (a missing lookup once per
/// field). Pure: the core of both checks.
std::vector<PrimeroConfigurationGap> primero_configuration_gaps(const PrimeroConfiguration& config,
                                                                std::span<const PrimeroRequirement> requirements,
                                                                const PrimeroFormScope& scope);

/// Parses the JSON bodies of GET /api/v2/forms and GET /api/v2/lookups ({"data": [...]}, §5.5a;
/// a lookups body may be one page or all pages concatenated as one {"data": [...]}).
/// Errors: kInvalidInput "<origin>: <JSON path>: <what>" (no member values in the message).
Result<PrimeroConfiguration> parse_primero_configuration(std::string_view forms_json, std::string_view lookups_json,
                                                         std::string_view origin);

}  // namespace refbridge
