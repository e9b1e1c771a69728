// refbridge-referrals-to-progres: workflow 2.1 (Primero referrals to UNHCR -> proGres), one run then
// exit. Usage, secrets and exit status: workflows/common/workflow_main.h.

#include "referrals_to_progres.h"
#include "primero_config_check.h"
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
                         // Before any record: the instance has every field and option value the mapping
                         // needs (primero_config_check.h); else exit 78 with the list, nothing written.
                         REFBRIDGE_TRY(check_primero_configuration(
                             primero, mappings::primero_referral_to_progres_primero_requirements(env.profile),
                             primero_check_settings(env.config, env.profile, mappings::primero_referral_to_progres_primero_record_type),
                             env.log, "2.1"));
                         const EngineDeps engine{env.ledger, env.config.sync, env.clock, env.log, env.sleep};
                         const ReferralsToProgresDeps deps{ping, primero, env.profile, env.config.unhcr, engine};
                         return run_referrals_to_progres(deps);
                       });
}
