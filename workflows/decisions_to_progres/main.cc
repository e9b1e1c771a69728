// refbridge-decisions-to-progres: workflow 1.2 (Primero decisions -> proGres), one run then exit.
// Usage, secrets and exit status: workflows/common/workflow_main.h.

#include "decisions_to_progres.h"
#include "verify_ingested.h"
#include "workflow_main.h"

#include "refbridge/mappings/primero_decision_to_progres.h"

int main(int argc, char** argv) {
  using namespace refbridge;
  using namespace refbridge::workflows;
  namespace m = refbridge::mappings;
  const WorkflowDefinition workflow{
      .id = "1.2",
      .title = "refbridge workflow 1.2: Primero decisions -> proGres",
      .mapping = {m::primero_decision_to_progres_check_profile, m::primero_decision_to_progres_unconfirmed_entries,
                  m::primero_decision_to_progres_primero_requirements, m::primero_decision_to_progres_primero_record_type},
      .run =
          [](WorkflowEnv& env) -> Result<RunReport> {
        const EngineDeps engine{env.ledger, env.config.sync, env.clock, env.log, env.sleep};
        return run_decisions_to_progres({env.ping, env.primero, env.profile, engine});
      },
      .verify =
          [](WorkflowEnv& env, const VerifyOptions& options) { return verify_ingested(env.ping, env.ledger, "1.2", options); },
  };
  return workflow_main(argc, argv, workflow);
}
