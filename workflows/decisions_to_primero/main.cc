// refbridge-decisions-to-primero: workflow 2.2 (proGres decisions -> Primero referrals), one run
// then exit. Usage, secrets and exit status: workflows/common/workflow_main.h.

#include "decisions_to_primero.h"
#include "workflow_main.h"

#include "refbridge/mappings/progres_decision_to_primero_referral.h"

int main(int argc, char** argv) {
  using namespace refbridge;
  using namespace refbridge::workflows;
  namespace m = refbridge::mappings;
  const WorkflowDefinition workflow{
      .id = "2.2",
      .title = "refbridge workflow 2.2: proGres decisions -> Primero referrals",
      .mapping = {m::progres_decision_to_primero_referral_check_profile, m::progres_decision_to_primero_referral_unconfirmed_entries,
                  m::progres_decision_to_primero_referral_primero_requirements, m::progres_decision_to_primero_referral_primero_record_type},
      .run =
          [](WorkflowEnv& env) -> Result<RunReport> {
        const EngineDeps engine{env.ledger, env.config.sync, env.clock, env.log, env.sleep};
        return run_decisions_to_primero({env.ping, env.primero, env.profile, engine, env.config.ping_page_size});
      },
      .verify =
          [](WorkflowEnv& env, const VerifyOptions& options) {
        const EngineDeps engine{env.ledger, env.config.sync, env.clock, env.log, env.sleep};
        return verify_decisions_to_primero({env.ping, env.primero, env.profile, engine, env.config.ping_page_size}, options);
      },
  };
  return workflow_main(argc, argv, workflow);
}
