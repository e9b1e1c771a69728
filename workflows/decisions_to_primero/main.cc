// refbridge-decisions-to-primero: workflow 2.2 (proGres decisions -> Primero referrals), one run
// then exit. Usage, secrets and exit status: workflows/common/workflow_main.h.

#include "decisions_to_primero.h"
#include "primero_config_check.h"
#include "workflow_main.h"

#include "mappings/progres_decision_to_primero_referral.h"

int main(int argc, char** argv) {
  using namespace refbridge;
  using namespace refbridge::workflows;
  return workflow_main(argc, argv, "2.2", "refbridge workflow 2.2: proGres decisions -> Primero referrals",
                       [](WorkflowEnv& env) -> Result<RunReport> {
                         REFBRIDGE_TRY(mappings::progres_decision_to_primero_referral_check_profile(env.profile));
                         for (const auto& line : mappings::progres_decision_to_primero_referral_unconfirmed_entries(env.profile)) {
                           env.log.warn("profile.unconfirmed", {{LogKey::kWorkflow, "2.2"}, {LogKey::kMessage, line}});
                         }
                         ping::PingClient ping(env.connections.ping());
                         primero::PrimeroClient primero(env.connections.primero());
                         // Before any record: the instance has every field and option value the mapping
                         // needs (primero_config_check.h); else exit 78 with the list, nothing written.
                         REFBRIDGE_TRY(check_primero_configuration(
                             primero, mappings::progres_decision_to_primero_referral_primero_requirements(env.profile),
                             primero_check_settings(env.config, env.profile, mappings::progres_decision_to_primero_referral_primero_record_type),
                             env.log, "2.2"));
                         const EngineDeps engine{env.ledger, env.config.sync, env.clock, env.log, env.sleep};
                         const DecisionsToPrimeroDeps deps{ping, primero, env.profile, engine, env.config.ping_page_size};
                         return run_decisions_to_primero(deps);
                       });
}
