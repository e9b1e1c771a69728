// The start-up check of a Primero instance's forms and lookups. See primero_config_check.h.
#include "primero_config_check.h"

#include <algorithm>
#include <cstdint>
#include <optional>

namespace refbridge::workflows {
namespace {

bool is_true(const Nullable<bool>& b) { return b && *b; }

std::optional<std::string> text(const Nullable<std::string>& s) {
  return s ? std::optional<std::string>(*s) : std::nullopt;
}

std::optional<std::int64_t> number(const Nullable<std::int64_t>& n) {
  return n ? std::optional<std::int64_t>(*n) : std::nullopt;
}

PrimeroFormField to_field(const primero::FormField& f) {
  PrimeroFormField out;
  out.name = f.name;
  out.type = f.type ? *f.type : std::string();
  out.option_strings_source = text(f.option_strings_source);
  if (f.option_strings_text) {
    std::vector<std::string> ids;
    for (const auto& v : *f.option_strings_text) ids.push_back(v.id);
    out.option_ids = std::move(ids);
  }
  out.subform_section_id = number(f.subform_section_id);
  out.subform_section_unique_id = text(f.subform_section_unique_id);
  out.required = is_true(f.required);
  out.multi_select = is_true(f.multi_select);
  out.date_include_time = is_true(f.date_include_time);
  return out;
}

}  // namespace

PrimeroConfiguration to_primero_configuration(const primero::FormSectionList& forms,
                                              const std::vector<primero::Lookup>& lookups) {
  PrimeroConfiguration config;
  for (const auto& section : forms.data) {
    PrimeroFormSection s;
    s.id = number(section.id);
    s.unique_id = section.unique_id;
    s.parent_form = text(section.parent_form);
    if (section.module_ids) s.module_ids = *section.module_ids;
    s.is_nested = is_true(section.is_nested);
    if (section.fields) {
      for (const auto& f : *section.fields) s.fields.push_back(to_field(f));
    }
    config.sections.push_back(std::move(s));
  }
  for (const auto& l : lookups) {
    auto& ids = config.lookups[l.unique_id];
    if (l.values) {
      for (const auto& v : *l.values) ids.push_back(v.id);
    }
  }
  return config;
}

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
  const PrimeroFormScope scope{settings.record_type, settings.module_id};
  std::vector<std::string> missing;
  for (auto& gap : primero_configuration_gaps(to_primero_configuration(forms, lookups), requirements, scope)) {
    missing.push_back(std::move(gap.message));
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
