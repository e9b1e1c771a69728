// refbridge-decisions-to-progres: workflow 1.2 (Primero decisions -> proGres), one run then exit.
// Usage, secrets and exit status: workflows/common/workflow_main.h.

#include "decisions_to_progres.h"
#include "primero_config_check.h"
#include "workflow_main.h"

#include "mappings/primero_decision_to_progres.h"

int main(int argc, char** argv) {
  using namespace refbridge;
  using namespace refbridge::workflows;
  return workflow_main(argc, argv, "1.2", "refbridge workflow 1.2: Primero decisions -> proGres",
                       [](WorkflowEnv& env) -> Result<RunReport> {
                         REFBRIDGE_TRY(mappings::primero_decision_to_progres_check_profile(env.profile));
                         for (const auto& line : mappings::primero_decision_to_progres_unconfirmed_entries(env.profile)) {
                           env.log.warn("profile.unconfirmed", {{LogKey::kWorkflow, "1.2"}, {LogKey::kMessage, line}});
                         }
                         ping::PingClient ping(env.connections.ping());
                         primero::PrimeroClient primero(env.connections.primero());
                         // Before any record: the instance has every field and option value the mapping
                         // needs (primero_config_check.h); else exit 78 with the list, nothing written.
                         REFBRIDGE_TRY(check_primero_configuration(
                             primero, mappings::primero_decision_to_progres_primero_requirements(env.profile),
                             primero_check_settings(env.config, env.profile, mappings::primero_decision_to_progres_primero_record_type),
                             env.log, "1.2"));
                         const EngineDeps engine{env.ledger, env.config.sync, env.clock, env.log, env.sleep};
                         const DecisionsToProgresDeps deps{ping, primero, env.profile, engine};
                         return run_decisions_to_progres(deps);
                       });
}
