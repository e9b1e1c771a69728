#pragma once
// Load generation for benchmarks: synthetic flat proGres intervention rows (seeded like the
// flow A fixtures) and synthetic proGres decisions on incoming referrals. Every value is made up
// ("Synth<i>", example.org addresses, 555 phone numbers); the same (count, seed) always gives the
// same documents. Internal to the sandbox; see Sandbox::seed_synthetic_interventions().

#include <rapidjson/document.h>

#include <cstdint>
#include <string>
#include <vector>

namespace refbridge::sandbox::detail {

/// `{"interventions":[rows]}` with flat rows for `n` interventions (one row each; a second row for
/// about a third of the individuals adds a second language), each passing workflow 1.1's mapping: accepted type
/// (§8.1), individual with progres_id, registration group, given and family names, date of birth
/// (UTC midnight, age 1..17) and sex code, §8.3 languages, one specific need.
/// Ids depend on i (from 1) and `per_child` only: number "SYN-<i>" (what Primero's synthetic
/// decision cases of primero_seed.h carry), individual "SYN-IND-<c, 8 digits>" with
/// c = (i - 1) / per_child + 1, so ceil(n / per_child) individuals hold per_child interventions
/// each (the last one fewer when n is not a multiple), as in real proGres data (issue "No
/// duplicate, ever": the pilot fixtures hold 11 interventions of 10 individuals). The rows of one
/// individual carry the same individuals.* members and languages (those of its first
/// intervention); its j-th intervention (0-based) takes the accepted type after the previous one's
/// in the §8.1 list, so up to 4 interventions of a child have distinct types. `seed` draws the
/// contents; per_child 1 gives exactly the rows of one individual per intervention. per_child < 1
/// is taken as 1.
rapidjson::Document synthetic_intervention_rows(int n, std::uint64_t seed, int per_child = 1);

/// `{"interventions":[InteroperabilityReferral...]}` with one decision per id: accepted
/// (125080000) or rejected (125080001, reason code 125080000..125080002, a fixed comment), chosen
/// by `seed`; progres_interoperabilityreferralid is the name-based GUID the sandbox gives an
/// ingested referral with that progres_orgreferralid, so a decision lands on that referral.
rapidjson::Document synthetic_decision_records(const std::vector<std::string>& org_referral_ids, std::uint64_t seed);

/// `n` progres_orgreferralid values "<case uuid>#<12 hex>", name-based from (`seed`, i).
std::vector<std::string> synthetic_org_referral_ids(int n, std::uint64_t seed);

}  // namespace refbridge::sandbox::detail
