#pragma once
// The start-up check of a Primero instance's configuration (../shared/docs/workflows.md "Common
// rules": each workflow checks, through /api/v2/forms and /api/v2/lookups where the instance allows
// it, that every field and lookup value its mapping writes exists, refusing to run with the list
// when not). Primero silently drops a member that names no field of the record type's forms — a
// lost correlation key with no error — and answers 422 for a select value its lookup lacks
// (primero-api-v2.md §1, §3, §5.5a). Each workflow calls check_primero_configuration() with its
// mapping's <function>_primero_requirements(profile) (refbridge/primero_requirements.h) before it
// reads or writes any record; a failure stops the run with nothing written (kConfig: exit 78).
//
// What "present" means (the comparison is refbridge::primero_configuration_gaps, shared with the
// generator's deployment check, so both agree):
//  - forms: the sections of GET /api/v2/forms?record_type=<record type>&module_id=<module> whose
//    parent_form is the record type (or absent), that are not nested (is_nested not true) and whose
//    module_ids list the module (or are absent);
//  - a field "name": a field of one of those sections; a field "subform.row_field": a field of the
//    nested section of the subform field `subform` of one of those sections (found by
//    subform_section_id = its id, else subform_section_unique_id = its unique_id, else a nested
//    section whose unique_id is the subform field's name, Primero's convention: services_section);
//  - a value of a field: when the field's option_strings_source is "lookup <unique_id>", an id of
//    that lookup's values (GET /api/v2/lookups, every page); when the field has inline
//    option_strings_text, one of their ids; other fields (free text, User/Agency/Location sources)
//    take any value and are not checked;
//  - fields Primero keeps without a form field (refbridge::is_primero_system_field: status,
//    owned_by, module_id, ..., a subform row's unique_id) need no form; their values are checked
//    where a form lists them.
// The lookups are read only when some requirement has a value.

#include "config.h"

#include "refbridge/primero/client.h"
#include "refbridge/error.h"
#include "refbridge/log.h"
#include "refbridge/primero_configuration.h"
#include "refbridge/primero_requirements.h"
#include "refbridge/profile.h"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace refbridge::workflows {

struct PrimeroCheckSettings {
  std::string record_type = "case";  ///< the forms' parent_form (the mapping's <function>_primero_record_type)
  std::string module_id;             ///< the module whose forms count; empty = every module
  /// A 403 or 404 on /api/v2/forms or /api/v2/lookups, or an answer not in the §5.5a shape
  /// (kInvalidResponse): false -> one WARN line "primero.config_check_skipped" and the run goes
  /// on; true -> kConfig.
  bool require_form_check = false;
  int lookups_page_size = 1000;      ///< `per` of /api/v2/lookups (Primero's maximum)
};

/// The settings of a workflow: `record_type` as given; module_id = `primero.module_id`, else the
/// profile's constant module_id, else "primeromodule-cp"; require_form_check = `primero.require_form_check`.
PrimeroCheckSettings primero_check_settings(const WorkflowConfig& config, const Profile& profile,
                                            std::string_view record_type);

/// The live answers as the shared configuration (refbridge/primero_configuration.h).
PrimeroConfiguration to_primero_configuration(const primero::FormSectionList& forms,
                                              const std::vector<primero::Lookup>& lookups);

/// What `forms` and `lookups` lack of `requirements`, one line per missing field, lookup or value,
/// each naming the field (or lookup and value, with the profile table or constant it comes from)
/// and the mapping rule needing it; empty when all is there. Pure: the messages of
/// refbridge::primero_configuration_gaps over to_primero_configuration(forms, lookups).
std::vector<std::string> missing_primero_configuration(const primero::FormSectionList& forms,
                                                       const std::vector<primero::Lookup>& lookups,
                                                       std::span<const PrimeroRequirement> requirements,
                                                       const PrimeroCheckSettings& settings);

/// The check (see the file comment): reads the forms (one call) and, when a requirement has a
/// value, every page of the lookups, then compares. `workflow` ("1.1") names the run in the log
/// and the message. Logs "primero.config_checked" (INFO, counts) when all is present.
/// Errors: kConfig listing everything missing (missing_primero_configuration, one item a line);
/// kConfig when an endpoint answers 403/404 or an unreadable body and settings.require_form_check
/// (otherwise a WARN and ok); other errors of the calls unchanged (kUnauthorized 77, transport and
/// 5xx 69: the run stops).
Result<void> check_primero_configuration(primero::Primero& api, std::span<const PrimeroRequirement> requirements,
                                         const PrimeroCheckSettings& settings, Logger& log, std::string_view workflow);

}  // namespace refbridge::workflows
