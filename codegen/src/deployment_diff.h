#pragma once
// Configuration drift: `refbridge-codegen diff OLD.yaml NEW.yaml --config schemas/codegen.yaml`
// on two imports of one instance (deployment overlays, deployment.h; e.g. before and after a
// Primero administrator edited the forms) classifies each change of the forms and lookups for the
// integration:
//   BREAKING    a field a mapping writes or reads was removed or retyped (form type, lookup,
//               multi-select, date/date-time), or an option value a mapping writes was removed
//               from its lookup or inline options — the workflows' start-up check would refuse to
//               run, or Primero would drop the member or answer 422;
//   compatible  anything else: new fields, options and subforms; removed or retyped fields and
//               values no mapping uses.
// Each line names the field (and value) and, for a breaking change, every mapping rule affected
// ("<spec>:<line> (<what>)"), then a summary. The mappings are the config's, evaluated with the
// profile of the config's deployment of the overlay's name (else `profile`).

#include "deployment.h"
#include "driver.h"

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace refbridge::codegen {

struct DriftChange {
  bool breaking = false;
  std::string subject;             ///< "services_section.progres_interventionnumber", "language = language6"
  std::string what;                ///< "field removed", "value removed from lookup lookup-language", ...
  std::vector<std::string> rules;  ///< the mapping rules needing it (breaking changes)
  [[nodiscard]] std::string line() const;
};

struct DriftReport {
  std::vector<DriftChange> changes;  ///< breaking first, then by subject
  [[nodiscard]] bool breaking() const;
  /// Every line() then "summary: N breaking, M compatible change(s)" (or "no changes").
  [[nodiscard]] std::string render() const;
};

/// Compares two configurations of one instance for `requirements` (evaluated plans of every
/// mapping of the overlays' record type) within `scope`.
DriftReport diff_configurations(const PrimeroConfiguration& old_config, const PrimeroConfiguration& new_config,
                                const PrimeroFormScope& scope, const std::vector<PrimeroRequirement>& requirements);

/// True when `file` is a deployment overlay (has x-refbridge-deployment).
bool is_deployment_overlay(const std::filesystem::path& file);

/// The diff subcommand on two overlays: loads both, the config's mappings (compiled for their
/// requirement plans) and the profile, prints the report; returns 1 when breaking, 0 otherwise,
/// 2 on an error (message on `err`).
int run_deployment_diff(const std::filesystem::path& root, const std::string& config_rel, const std::string& old_rel,
                        const std::string& new_rel, const std::string& profile_rel, std::ostream& out,
                        std::ostream& err);

}  // namespace refbridge::codegen
