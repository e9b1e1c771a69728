#pragma once
// The generation-time deployment check: every mapping spec's Primero requirements
// (requirement_plan.h), evaluated with the deployment's profile exactly as the generated
// <function>_primero_requirements(profile) does (the SDK's add_primero_* helpers), compared with
// the deployment overlay's configuration by refbridge::primero_configuration_gaps — the comparison
// the workflows' start-up check makes (workflows/common/primero_config_check.h) — so a field the
// instance lacks, or a profile lookup value its lookup lacks, fails `refbridge-codegen generate`
// as "spec:line:col: ..." with a "did you mean" instead of failing the workflow in production.

#include "deployment.h"
#include "mapping_diagnostics.h"
#include "requirement_plan.h"

#include "refbridge/primero_requirements.h"
#include "refbridge/profile.h"

#include <string>
#include <vector>

namespace refbridge::codegen {

/// A plan evaluated with one profile: the requirements, and for each the spec position of its rule.
struct LocatedRequirements {
  std::vector<PrimeroRequirement> list;
  std::vector<ir::SourceLocation> at;  ///< parallel to `list`
};

/// The plan's requirements with `profile`: equal to the generated <function>_primero_requirements(profile).
LocatedRequirements evaluate_plan(const RequirementPlan& plan, const Profile& profile);

/// Reports every gap of `plan` (with `profile`) in `overlay` into `diags`, at the rule's position:
/// "deployment '<name>' (<overlay_path>): <gap message>. Did you mean 'x'?". A plan of another
/// record type than the overlay's, or without primero_forms, is not checked.
void check_plan_against_deployment(const RequirementPlan& plan, const Profile& profile,
                                   const DeploymentOverlay& overlay, const std::string& overlay_path,
                                   mapping_detail::Diagnostics& diags);

}  // namespace refbridge::codegen
