// refbridge-referrals-to-progres: workflow 2.1 (Primero referrals to UNHCR -> proGres), one run then
// exit. Usage, secrets and exit status: workflows/common/workflow_main.h.

#include "referrals_to_progres.h"
#include "workflow_main.h"

#include "mappings/primero_referral_to_progres.h"

int main(int argc, char** argv) {
  using namespace refbridge;
  using namespace refbridge::workflows;
  return workflow_main(argc, argv, "2.1", "refbridge workflow 2.1: Primero referrals -> proGres",
                       [](WorkflowEnv& env) -> Result<RunReport> {
                         REFBRIDGE_TRY(mappings::primero_referral_to_progres_check_profile(env.profile));
                         for (const auto& line : mappings::primero_referral_to_progres_unconfirmed_entries(env.profile)) {
                           env.log.warn("profile.unconfirmed", {{LogKey::kWorkflow, "2.1"}, {LogKey::kMessage, line}});
                         }
                         ping::PingClient ping(env.connections.ping());
                         primero::PrimeroClient primero(env.connections.primero());
                         const EngineDeps engine{env.ledger, env.config.sync, env.clock, env.log, env.sleep};
                         const ReferralsToProgresDeps deps{ping, primero, env.profile, env.config.unhcr, engine};
                         return run_referrals_to_progres(deps);
                       });
}
