// refbridge-referrals-to-primero: workflow 1.1 (proGres referrals -> Primero), one run then exit.
// Usage, secrets and exit status: workflows/common/workflow_main.h.

#include "referrals_to_primero.h"
#include "workflow_main.h"

#include "refbridge/mappings/progres_referral_to_primero_case.h"

int main(int argc, char** argv) {
  using namespace refbridge;
  using namespace refbridge::workflows;
  namespace m = refbridge::mappings;
  const WorkflowDefinition workflow{
      .id = "1.1",
      .title = "refbridge workflow 1.1: proGres referrals -> Primero cases and services",
      .mapping = {m::progres_referral_to_primero_case_check_profile, m::progres_referral_to_primero_case_unconfirmed_entries,
                  m::progres_referral_to_primero_case_primero_requirements, m::progres_referral_to_primero_case_primero_record_type},
      .run =
          [](WorkflowEnv& env) -> Result<RunReport> {
        const EngineDeps engine{env.ledger, env.config.sync, env.clock, env.log, env.sleep};
        return run_referrals_to_primero({env.ping, env.primero, env.profile, engine, env.config.ping_page_size});
      },
      .verify =
          [](WorkflowEnv& env, const VerifyOptions& options) {
        return verify_referrals_to_primero(env.primero, env.ledger, options);
      },
  };
  return workflow_main(argc, argv, workflow);
}
