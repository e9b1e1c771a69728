// A mapping's requirements against a Primero configuration. See refbridge/primero_configuration.h.
#include "refbridge/primero_configuration.h"

#include <algorithm>
#include <set>

namespace refbridge {
namespace {

std::string scope_text(const PrimeroFormScope& s) {
  return "the " + s.record_type + " forms" + (s.module_id.empty() ? "" : " of module " + s.module_id);
}

const PrimeroFormField* field_in(const PrimeroFormSection& section, std::string_view name) {
  for (const auto& f : section.fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::vector<std::string> names_in(const std::vector<const PrimeroFormSection*>& sections) {
  std::vector<std::string> out;
  for (const auto* s : sections) {
    for (const auto& f : s->fields) out.push_back(f.name);
  }
  return out;
}

std::string describe_field(const PrimeroRequirement& r) {
  return "field '" + r.field + "' (" + std::string(r.access == PrimeroRequirement::Access::kWrite ? "written" : "read") +
         " by " + r.rule + ")";
}

std::string describe_value(const PrimeroRequirement& r) {
  return "value '" + *r.value + "' of field '" + r.field + "' (" + r.value_source + ", written by " + r.rule + ")";
}

}  // namespace

std::string primero_lookup_of(const PrimeroFormField& f) {
  if (!f.option_strings_source) return {};
  std::string_view src = *f.option_strings_source;
  constexpr std::string_view kPrefix = "lookup ";
  if (src.substr(0, kPrefix.size()) != kPrefix) return {};
  src.remove_prefix(kPrefix.size());
  while (!src.empty() && src.front() == ' ') src.remove_prefix(1);
  while (!src.empty() && src.back() == ' ') src.remove_suffix(1);
  return std::string(src);
}

std::vector<const PrimeroFormSection*> primero_top_sections(const PrimeroConfiguration& config,
                                                            const PrimeroFormScope& scope) {
  std::vector<const PrimeroFormSection*> top;
  for (const auto& section : config.sections) {
    if (section.is_nested) continue;
    if (section.parent_form && *section.parent_form != scope.record_type) continue;
    if (!scope.module_id.empty() && section.module_ids &&
        std::find(section.module_ids->begin(), section.module_ids->end(), scope.module_id) ==
            section.module_ids->end()) {
      continue;
    }
    top.push_back(&section);
  }
  return top;
}

const PrimeroFormSection* primero_subform_section(const PrimeroConfiguration& config, const PrimeroFormField& sub) {
  for (const auto& s : config.sections) {
    if (sub.subform_section_id && s.id && *s.id == *sub.subform_section_id) return &s;
  }
  for (const auto& s : config.sections) {
    if (sub.subform_section_unique_id && s.unique_id == *sub.subform_section_unique_id) return &s;
  }
  for (const auto& s : config.sections) {
    if (s.is_nested && s.unique_id == sub.name) return &s;
  }
  return nullptr;
}

const PrimeroFormField* find_primero_field(const PrimeroConfiguration& config, const PrimeroFormScope& scope,
                                           std::string_view path, std::string* problem) {
  const auto top_sections = primero_top_sections(config, scope);
  const auto dot = path.find('.');
  const std::string_view head = path.substr(0, dot);
  const PrimeroFormField* top = nullptr;
  for (const PrimeroFormSection* s : top_sections) {
    if ((top = field_in(*s, head)) != nullptr) break;
  }
  auto missing = [&](std::string why) -> const PrimeroFormField* {
    if (problem != nullptr) *problem = std::move(why);
    return nullptr;
  };
  if (top == nullptr) {
    return missing(dot == std::string_view::npos
                       ? "no field of " + scope_text(scope) + " has this name"
                       : "no field of " + scope_text(scope) + " is the subform '" + std::string(head) + "'");
  }
  if (dot == std::string_view::npos) return top;
  const PrimeroFormSection* nested = primero_subform_section(config, *top);
  if (nested == nullptr) {
    return missing("the rows' section of subform '" + std::string(head) + "' is not among the forms Primero answered");
  }
  const std::string_view row = path.substr(dot + 1);
  if (const PrimeroFormField* f = field_in(*nested, row)) return f;
  return missing("the subform '" + std::string(head) + "' (section '" + nested->unique_id + "') has no field '" +
                 std::string(row) + "'");
}

std::vector<PrimeroConfigurationGap> primero_configuration_gaps(const PrimeroConfiguration& config,
                                                                std::span<const PrimeroRequirement> requirements,
                                                                const PrimeroFormScope& scope) {
  using Kind = PrimeroConfigurationGap::Kind;
  std::vector<PrimeroConfigurationGap> gaps;
  std::set<std::string> lookups_reported;
  for (std::size_t i = 0; i < requirements.size(); ++i) {
    const PrimeroRequirement& r = requirements[i];
    std::string problem;
    const PrimeroFormField* f = find_primero_field(config, scope, r.field, &problem);
    if (!r.value) {
      if (f == nullptr && !is_primero_system_field(r.field)) {
        std::vector<std::string> candidates;
        const auto dot = r.field.find('.');
        const PrimeroFormField* sub = dot == std::string::npos
                                          ? nullptr
                                          : find_primero_field(config, scope, r.field.substr(0, dot));
        const PrimeroFormSection* rows = sub != nullptr ? primero_subform_section(config, *sub) : nullptr;
        candidates = rows != nullptr ? names_in({rows}) : names_in(primero_top_sections(config, scope));
        gaps.push_back({Kind::kField, i, describe_field(r) + ": " + problem, std::move(candidates)});
      }
      continue;
    }
    if (f == nullptr) continue;  // reported with the field, or a system field no form lists
    if (const std::string lookup = primero_lookup_of(*f); !lookup.empty()) {
      const auto it = config.lookups.find(lookup);
      if (it == config.lookups.end()) {
        if (lookups_reported.insert(lookup + "\n" + r.field).second) {
          gaps.push_back({Kind::kLookup, i,
                          "lookup '" + lookup + "' (the options of field '" + r.field + "', written by " + r.rule +
                              "): not among the lookups Primero answered",
                          {}});
        }
      } else if (std::find(it->second.begin(), it->second.end(), *r.value) == it->second.end()) {
        gaps.push_back({Kind::kValue, i, describe_value(r) + ": not an option of lookup '" + lookup + "'", it->second});
      }
    } else if (f->option_ids && !f->option_ids->empty()) {
      const auto& ids = *f->option_ids;
      if (std::find(ids.begin(), ids.end(), *r.value) == ids.end()) {
        gaps.push_back({Kind::kValue, i,
                        describe_value(r) + ": not one of the field's own options (option_strings_text)", ids});
      }
    }
  }
  return gaps;
}

}  // namespace refbridge
