// refbridge-referrals-to-progres: workflow 2.1 (Primero referrals to UNHCR -> proGres), one run then
// exit. Usage, secrets and exit status: workflows/common/workflow_main.h.

#include "referrals_to_progres.h"
#include "verify_ingested.h"
#include "workflow_main.h"

#include "refbridge/mappings/primero_referral_to_progres.h"

int main(int argc, char** argv) {
  using namespace refbridge;
  using namespace refbridge::workflows;
  namespace m = refbridge::mappings;
  const WorkflowDefinition workflow{
      .id = "2.1",
      .title = "refbridge workflow 2.1: Primero referrals -> proGres",
      .mapping = {m::primero_referral_to_progres_check_profile, m::primero_referral_to_progres_unconfirmed_entries,
                  m::primero_referral_to_progres_primero_requirements, m::primero_referral_to_progres_primero_record_type},
      .run =
          [](WorkflowEnv& env) -> Result<RunReport> {
        const EngineDeps engine{env.ledger, env.config.sync, env.clock, env.log, env.sleep};
        return run_referrals_to_progres({env.ping, env.primero, env.profile, env.config.unhcr, engine});
      },
      .verify =
          [](WorkflowEnv& env, const VerifyOptions& options) { return verify_ingested(env.ping, env.ledger, "2.1", options); },
  };
  return workflow_main(argc, argv, workflow);
}
