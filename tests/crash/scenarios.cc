// See scenarios.h.
#include "scenarios.h"

#include <catch2/catch.hpp>

namespace refbridge::crash_test {

Scenario referrals_to_primero(int concurrency) {
  return {"1.1", REFBRIDGE_WF_1_1, [](sandbox::Sandbox& box) {
            REQUIRE(box.seed_ping_from_fixtures(REFBRIDGE_FIXTURES_DIR));
            REQUIRE(box.seed_synthetic_interventions(6, 11, 3));  // two children with three interventions each
            // An existing case for the second synthetic individual: the update path.
            REQUIRE(box.add_primero_case(R"({"id":"c7a5e0de-0000-4000-8000-000000000011","case_id":"c7a5e0de-0000-4000-8000-000000000111",)"
                R"("unhcr_individual_no":"SYN-IND-00000002","owned_by":"primero_api"})"));
          }, concurrency};
}

Scenario decisions_to_progres(int concurrency) {
  return {"1.2", REFBRIDGE_WF_1_2, [](sandbox::Sandbox& box) {
            REQUIRE(box.seed_synthetic_interventions(4, 12));
            REQUIRE(box.seed_synthetic_primero_cases(4, sandbox::SyntheticCaseKind::kDecisions, 12));
            // A decision on an intervention PING does not hold: rejected by the ingestion.
            REQUIRE(box.add_primero_case(
                R"({"id":"c7a5e0de-0000-4000-8000-000000000012","case_id":"c7a5e0de-0000-4000-8000-000000000112",)"
                R"("module_id":"primeromodule-cp","services_section":[{"unique_id":"0a0b0c0d-0000-4000-8000-0000000000aa",)"
                R"("progres_interventionnumber":"UNKNOWN-404","service_referral":"external_referral",)"
                R"("service_request_agency":"UNHCR","unhcr_referral_status":"accepted"}]})"));
          }, concurrency};
}

Scenario referrals_to_progres(int concurrency) {
  return {"2.1", REFBRIDGE_WF_2_1, [](sandbox::Sandbox& box) {
            REQUIRE(box.seed_primero_from_fixtures(REFBRIDGE_FIXTURES_DIR));
            REQUIRE(box.seed_synthetic_primero_cases(4, sandbox::SyntheticCaseKind::kReferralsToUnhcr, 21, 2));  // two referrals per case
          }, concurrency};
}

Scenario decisions_to_primero(int concurrency) {
  return {"2.2", REFBRIDGE_WF_2_2, [](sandbox::Sandbox& box) {
            REQUIRE(box.seed_primero_from_fixtures(REFBRIDGE_FIXTURES_DIR));
            REQUIRE(box.seed_ping_decisions_from_fixtures(REFBRIDGE_FIXTURES_DIR));
            auto cases = box.seed_synthetic_primero_cases(4, sandbox::SyntheticCaseKind::kReferralsToUnhcr, 22, 2);  // two per case
            REQUIRE(cases);
            std::vector<std::string> org_ids;
            for (const auto& c : cases.value()) org_ids.push_back(c.org_referral_id());
            REQUIRE(box.seed_synthetic_decisions(org_ids, 22));
          }, concurrency};
}

}  // namespace refbridge::crash_test
