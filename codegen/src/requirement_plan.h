#pragma once
// The Primero requirements of a mapping spec as data (the same entries, in the same order, as the
// emitted <function>_primero_requirements(profile); mapping_requirements.h), so the generator can
// evaluate them against a deployment profile and check them against a deployment's configuration
// at generation time (deployment_check.h) instead of at the workflows' start-up.

#include "ir.pb.h"

#include <string>
#include <vector>

namespace refbridge::codegen {

/// One entry of <function>_primero_requirements(profile), before the profile is known.
struct RequirementRecipe {
  enum class Kind {
    kField,     ///< refbridge::add_primero_field(field, write ? kWrite : kRead, rule)
    kConstant,  ///< add_primero_constant_value(profile, name, field, rule)
    kLiteral,   ///< add_primero_value(field, name, "literal", rule)
    kLookup,    ///< add_primero_lookup_values(profile, name, with_default, field, rule)
  };
  Kind kind = Kind::kField;
  std::string field;          ///< "sex", "services_section.progres_interventionnumber"
  bool write = false;         ///< kField: written (else read)
  std::string name;           ///< constant name, literal value or lookup table
  bool with_default = false;  ///< kLookup: the table default too (on_missing: default)
  std::string rule;           ///< "<spec file>:<line> (<what>)"
  ir::SourceLocation at;      ///< the spec position a diagnostic points at
};

/// A mapping's requirements: empty without `primero_forms:`.
struct RequirementPlan {
  std::string spec;         ///< repository-relative spec path
  std::string record_type;  ///< primero_forms.record.record_type ("case"); empty without it
  std::vector<RequirementRecipe> recipes;
};

}  // namespace refbridge::codegen
