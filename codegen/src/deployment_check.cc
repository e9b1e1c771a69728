// Mapping specs against a deployment's configuration at generation time. See deployment_check.h.
#include "deployment_check.h"

namespace refbridge::codegen {

LocatedRequirements evaluate_plan(const RequirementPlan& plan, const Profile& profile) {
  using Kind = RequirementRecipe::Kind;
  using Access = PrimeroRequirement::Access;
  LocatedRequirements out;
  for (const auto& r : plan.recipes) {
    switch (r.kind) {
      case Kind::kField: add_primero_field(out.list, r.field, r.write ? Access::kWrite : Access::kRead, r.rule); break;
      case Kind::kConstant: add_primero_constant_value(out.list, profile, r.name, r.field, r.rule); break;
      case Kind::kLiteral: add_primero_value(out.list, r.field, r.name, "literal", r.rule); break;
      case Kind::kLookup: add_primero_lookup_values(out.list, profile, r.name, r.with_default, r.field, r.rule); break;
    }
    out.at.resize(out.list.size(), r.at);  // the entries this recipe added
  }
  return out;
}

void check_plan_against_deployment(const RequirementPlan& plan, const Profile& profile,
                                   const DeploymentOverlay& overlay, const std::string& overlay_path,
                                   mapping_detail::Diagnostics& diags) {
  if (plan.record_type.empty() || plan.record_type != overlay.source.record_type) return;
  const LocatedRequirements reqs = evaluate_plan(plan, profile);
  const PrimeroFormScope scope{overlay.source.record_type, overlay.source.module_id};
  for (const auto& gap : primero_configuration_gaps(overlay.config, reqs.list, scope)) {
    const PrimeroRequirement& r = reqs.list[gap.requirement];
    // The name the candidates list: the value, or the field's last part (no '.': npos + 1 == 0).
    const std::string name = r.value ? *r.value : r.field.substr(r.field.find('.') + 1);
    const std::string hint = mapping_detail::did_you_mean(name, gap.candidates);
    diags.error(reqs.at[gap.requirement], "deployment '" + overlay.source.name + "' (" + overlay_path +
                                              "): " + gap.message + "." + hint);
  }
}

}  // namespace refbridge::codegen
