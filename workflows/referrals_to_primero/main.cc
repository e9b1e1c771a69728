// refbridge-referrals-to-primero: workflow 1.1 (proGres referrals -> Primero), one run then exit.
// Usage, secrets and exit status: workflows/common/workflow_main.h.

#include "referrals_to_primero.h"
#include "primero_config_check.h"
#include "workflow_main.h"

#include "mappings/progres_referral_to_primero_case.h"

int main(int argc, char** argv) {
  using namespace refbridge;
  using namespace refbridge::workflows;
  return workflow_main(argc, argv, "1.1", "refbridge workflow 1.1: proGres referrals -> Primero cases and services",
                       [](WorkflowEnv& env) -> Result<RunReport> {
                         REFBRIDGE_TRY(mappings::progres_referral_to_primero_case_check_profile(env.profile));
                         ping::PingClient ping(env.connections.ping());
                         primero::PrimeroClient primero(env.connections.primero());
                         // Before any record: the instance has every field and option value the mapping
                         // needs (primero_config_check.h); else exit 78 with the list, nothing written.
                         REFBRIDGE_TRY(check_primero_configuration(
                             primero, mappings::progres_referral_to_primero_case_primero_requirements(env.profile),
                             primero_check_settings(env.config, env.profile, mappings::progres_referral_to_primero_case_primero_record_type),
                             env.log, "1.1"));
                         const EngineDeps engine{env.ledger, env.config.sync, env.clock, env.log, env.sleep};
                         const ReferralsToPrimeroDeps deps{ping, primero, env.profile, engine,
                                                           env.config.ping_page_size};
                         return run_referrals_to_primero(deps);
                       });
}
