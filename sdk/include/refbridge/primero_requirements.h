#pragma once
// What a mapping needs from a Primero instance's configuration: the form fields it writes or reads
// and the option values it can write into select fields (../shared/docs/workflows.md "Common
// rules": Primero silently drops a member that names no field of the record type's forms — a lost
// correlation key with no error — and answers 422 for a select value its lookup lacks;
// primero-api-v2.md §1, §3, §5.5a).
// Each generated transform has <function>_primero_requirements(profile) (the mapping compiler,
// spec key `primero_forms:`; codegen/src/mapping_requirements.h) built with the add_* helpers below;
// the workflows check the list at start-up against /api/v2/forms and /api/v2/lookups
// (workflows/common/primero_config_check.h).

#include "refbridge/profile.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace refbridge {

/// One field, or one value of one field, that a mapping needs in the Primero instance.
struct PrimeroRequirement {
  enum class Access { kWrite, kRead };

  /// Field path within the record, by JSON names: "sex", or "<subform>.<row field>" for a field of
  /// a subform row ("services_section.progres_interventionnumber").
  std::string field;
  /// kWrite: a rule sets it; kRead: a rule, require, gate or the workflow reads it.
  Access access = Access::kWrite;
  /// A value the mapping can write into `field`; when the instance's field is a select (a lookup
  /// or inline options) it must be one of its option ids. std::nullopt: the entry is the field.
  std::optional<std::string> value;
  /// Where `value` comes from: "profile table 'sex' key '125080002'", "profile table 'language'
  /// default", "profile constant 'module_id'", "literal"; empty without a value.
  std::string value_source;
  /// The mapping rule needing it: "<spec file>:<line> (<what>)", e.g.
  /// "schemas/mappings/progres-referral-to-primero-case.yaml:167 (sex <- lookup sex[...], on_missing: omit)".
  std::string rule;

  bool operator==(const PrimeroRequirement&) const = default;
};

/// "write", "read".
std::string_view to_string(PrimeroRequirement::Access access) noexcept;

/// Appends the field requirement unless `out` already requires `field` (the first rule is kept).
void add_primero_field(std::vector<PrimeroRequirement>& out, std::string field, PrimeroRequirement::Access access,
                       std::string rule);

/// Appends a write of `value` into `field` unless `out` already has that field and value.
void add_primero_value(std::vector<PrimeroRequirement>& out, std::string field, std::string value,
                       std::string value_source, std::string rule);

/// add_primero_value() of `profile`'s constant `constant`; nothing when the profile lacks it
/// (<mapping>_check_profile reports that).
void add_primero_constant_value(std::vector<PrimeroRequirement>& out, const Profile& profile, std::string_view constant,
                                std::string field, std::string rule);

/// add_primero_value() of every entry value of `profile`'s lookup table `table` (keys in order; a
/// value several keys map to is added once, with its first key), then of the table default when
/// `with_default` and the table has one. Nothing when the profile lacks the table.
void add_primero_lookup_values(std::vector<PrimeroRequirement>& out, const Profile& profile, std::string_view table,
                               bool with_default, std::string field, std::string rule);

/// True for the fields Primero reads and writes without a form field, so that no form need list
/// them: its core and record-information fields (id, status, record_state, created_at, owned_by,
/// module_id, workflow, case_status_reopened, last_updated_at, enabled, associated_user_names,
/// assigned_user_names, owned_by_agency_id, created_by, last_updated_by; Primero's
/// app/services/permitted_field_service.rb) and the row id "unique_id" of any subform
/// ("services_section.unique_id"). Their values are still checked where a form does list them
/// (e.g. status in basic_identity, lookup-case-status).
bool is_primero_system_field(std::string_view field) noexcept;

}  // namespace refbridge
