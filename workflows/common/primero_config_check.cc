// The start-up check of a Primero instance's forms and lookups. See primero_config_check.h.
#include "primero_config_check.h"

#include <algorithm>
#include <map>
#include <set>

namespace refbridge::workflows {
namespace {

using primero::FormField;
using primero::FormSection;

bool is_true(const Nullable<bool>& b) { return b && *b; }

/// The sections that count (see the header) and every section (for nested subform sections).
struct FormsIndex {
  std::vector<const FormSection*> top;
  std::vector<const FormSection*> all;
  std::string scope;  // "the case forms of module primeromodule-cp"
};

FormsIndex index_forms(const primero::FormSectionList& forms, const PrimeroCheckSettings& s) {
  FormsIndex index;
  index.scope = "the " + s.record_type + " forms" + (s.module_id.empty() ? "" : " of module " + s.module_id);
  for (const auto& section : forms.data) {
    index.all.push_back(&section);
    if (is_true(section.is_nested)) continue;
    if (section.parent_form && *section.parent_form != s.record_type) continue;
    if (!s.module_id.empty() && section.module_ids &&
        std::find(section.module_ids->begin(), section.module_ids->end(), s.module_id) == section.module_ids->end()) {
      continue;
    }
    index.top.push_back(&section);
  }
  return index;
}

const FormField* field_in(const FormSection& section, std::string_view name) {
  if (!section.fields) return nullptr;
  for (const auto& f : *section.fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

/// The nested section holding the rows of subform field `sub`.
const FormSection* nested_section(const FormsIndex& index, const FormField& sub) {
  for (const FormSection* s : index.all) {
    if (sub.subform_section_id && s->id && *s->id == *sub.subform_section_id) return s;
  }
  for (const FormSection* s : index.all) {
    if (sub.subform_section_unique_id && s->unique_id == *sub.subform_section_unique_id) return s;
  }
  for (const FormSection* s : index.all) {
    if (is_true(s->is_nested) && s->unique_id == sub.name) return s;
  }
  return nullptr;
}

struct Resolved {
  const FormField* field = nullptr;
  std::string problem;  // when field is null
};

/// The form field of `path` ("name" or "subform.row_field").
Resolved resolve(const FormsIndex& index, std::string_view path) {
  const auto dot = path.find('.');
  const std::string_view head = path.substr(0, dot);
  const FormField* top = nullptr;
  for (const FormSection* s : index.top) {
    if ((top = field_in(*s, head)) != nullptr) break;
  }
  if (top == nullptr) {
    return {nullptr, dot == std::string_view::npos
                         ? "no field of " + index.scope + " has this name"
                         : "no field of " + index.scope + " is the subform '" + std::string(head) + "'"};
  }
  if (dot == std::string_view::npos) return {top, {}};
  const FormSection* nested = nested_section(index, *top);
  if (nested == nullptr) {
    return {nullptr, "the rows' section of subform '" + std::string(head) + "' is not among the forms Primero answered"};
  }
  const std::string_view row = path.substr(dot + 1);
  if (const FormField* f = field_in(*nested, row)) return {f, {}};
  return {nullptr, "the subform '" + std::string(head) + "' (section '" + nested->unique_id + "') has no field '" +
                       std::string(row) + "'"};
}

/// "lookup lookup-gender" -> "lookup-gender"; "" for any other source.
std::string lookup_of(const FormField& f) {
  if (!f.option_strings_source) return {};
  std::string_view src = *f.option_strings_source;
  constexpr std::string_view kPrefix = "lookup ";
  if (src.substr(0, kPrefix.size()) != kPrefix) return {};
  src.remove_prefix(kPrefix.size());
  while (!src.empty() && src.front() == ' ') src.remove_prefix(1);
  while (!src.empty() && src.back() == ' ') src.remove_suffix(1);
  return std::string(src);
}

std::string describe_field(const PrimeroRequirement& r) {
  return "field '" + r.field + "' (" + std::string(r.access == PrimeroRequirement::Access::kWrite ? "written" : "read") +
         " by " + r.rule + ")";
}

std::string describe_value(const PrimeroRequirement& r) {
  return "value '" + *r.value + "' of field '" + r.field + "' (" + r.value_source + ", written by " + r.rule + ")";
}

}  // namespace

PrimeroCheckSettings primero_check_settings(const WorkflowConfig& config, const Profile& profile,
                                            std::string_view record_type) {
  PrimeroCheckSettings s;
  s.record_type = std::string(record_type);
  s.require_form_check = config.primero_require_form_check;
  if (!config.primero_module_id.empty()) {
    s.module_id = config.primero_module_id;
  } else if (auto it = profile.constants.find("module_id"); it != profile.constants.end()) {
    s.module_id = it->second;
  } else {
    s.module_id = "primeromodule-cp";
  }
  return s;
}

std::vector<std::string> missing_primero_configuration(const primero::FormSectionList& forms,
                                                       const std::vector<primero::Lookup>& lookups,
                                                       std::span<const PrimeroRequirement> requirements,
                                                       const PrimeroCheckSettings& settings) {
  const FormsIndex index = index_forms(forms, settings);
  std::map<std::string, std::set<std::string>> options;  // lookup unique_id -> value ids
  for (const auto& l : lookups) {
    auto& ids = options[l.unique_id];
    if (l.values) {
      for (const auto& v : *l.values) ids.insert(v.id);
    }
  }
  std::vector<std::string> missing;
  std::set<std::string> lookups_reported;
  for (const auto& r : requirements) {
    const bool system = is_primero_system_field(r.field);
    const Resolved found = resolve(index, r.field);
    if (!r.value) {
      if (!found.field && !system) missing.push_back(describe_field(r) + ": " + found.problem);
      continue;
    }
    if (!found.field) continue;  // reported with the field, or a system field no form lists
    const FormField& f = *found.field;
    if (const std::string lookup = lookup_of(f); !lookup.empty()) {
      const auto it = options.find(lookup);
      if (it == options.end()) {
        if (lookups_reported.insert(lookup + "\n" + r.field).second) {
          missing.push_back("lookup '" + lookup + "' (the options of field '" + r.field + "', written by " + r.rule +
                            "): not among the lookups Primero answered");
        }
      } else if (it->second.count(*r.value) == 0) {
        missing.push_back(describe_value(r) + ": not an option of lookup '" + lookup + "'");
      }
    } else if (f.option_strings_text && !f.option_strings_text->empty()) {
      const auto& inline_options = *f.option_strings_text;
      const bool listed = std::any_of(inline_options.begin(), inline_options.end(),
                                      [&](const primero::LookupValue& v) { return v.id == *r.value; });
      if (!listed) missing.push_back(describe_value(r) + ": not one of the field's own options (option_strings_text)");
    }
  }
  return missing;
}

Result<void> check_primero_configuration(primero::Primero& api, std::span<const PrimeroRequirement> requirements,
                                         const PrimeroCheckSettings& settings, Logger& log, std::string_view workflow) {
  const std::string wf(workflow);
  // A 403/404: the instance does not let the API user read its configuration; an answer of
  // another shape than primero-api-v2.md §5.5a (another Primero version) cannot be compared.
  auto cannot_check = [&](const Error& e, const char* endpoint) -> Result<void> {
    const std::string what = e.code == ErrorCode::kInvalidResponse
                                 ? "Primero's answer to GET " + std::string(endpoint) + " is not in the expected shape (" +
                                       e.message + ")"
                                 : "Primero answered " + std::to_string(e.http_status) + " to GET " + endpoint + " (" +
                                       e.message + ")";
    if (settings.require_form_check) {
      return make_error(ErrorCode::kConfig, "workflow " + wf + ": the Primero configuration cannot be checked: " + what +
                                                "; give the API user's role the permission to view forms and lookups, "
                                                "or set primero.require_form_check: false");
    }
    log.warn("primero.config_check_skipped",
             {{LogKey::kWorkflow, wf},
              {LogKey::kHttpStatus, std::to_string(e.http_status)},
              {LogKey::kMessage, what + ": the fields and lookup values the mapping needs are NOT checked (set "
                                        "primero.require_form_check: true to refuse to run instead)"}});
    return ok();
  };
  auto unavailable = [](const Error& e) {
    return e.code == ErrorCode::kForbidden || e.code == ErrorCode::kNotFound || e.code == ErrorCode::kInvalidResponse;
  };

  primero::ListFormsRequest forms_request;
  forms_request.record_type = settings.record_type;
  if (!settings.module_id.empty()) forms_request.module_id = settings.module_id;
  auto forms = api.list_forms(forms_request);
  if (!forms) return unavailable(forms.error()) ? cannot_check(forms.error(), "/api/v2/forms") : forms.error();

  std::vector<primero::Lookup> lookups;
  const bool values = std::any_of(requirements.begin(), requirements.end(), [](const auto& r) { return r.value.has_value(); });
  if (values) {
    primero::ListLookupsRequest first;
    first.page = 1;
    first.per = settings.lookups_page_size;
    for (const auto& page : api.list_lookups_pages(first)) {
      if (!page) return unavailable(page.error()) ? cannot_check(page.error(), "/api/v2/lookups") : page.error();
      lookups.insert(lookups.end(), page.value().data.begin(), page.value().data.end());
    }
  }

  const auto missing = missing_primero_configuration(forms.value(), lookups, requirements, settings);
  if (missing.empty()) {
    log.info("primero.config_checked", {{LogKey::kWorkflow, wf}, {LogKey::kCount, std::to_string(requirements.size())}});
    return ok();
  }
  std::string message = "the Primero instance lacks " + std::to_string(missing.size()) + " thing" +
                        (missing.size() == 1 ? "" : "s") + " workflow " + wf + " needs (GET /api/v2/forms" +
                        (values ? " and /api/v2/lookups" : "") + ", " + "the " + settings.record_type + " forms" +
                        (settings.module_id.empty() ? "" : " of module " + settings.module_id) +
                        "); nothing was read or written. Add them in Primero, or fix the deployment profile:";
  for (const auto& m : missing) message += "\n  - " + m;
  return make_error(ErrorCode::kConfig, message);
}

}  // namespace refbridge::workflows
