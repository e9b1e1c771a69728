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

/// `{"interventions":[rows]}` with `n` flat rows (one per intervention; a second row for about a
/// third of them adds a second language), each passing workflow 1.1's mapping: accepted type
/// (§8.1), individual with progres_id, registration group, given and family names, date of birth
/// (UTC midnight, age 1..17) and sex code, §8.3 languages, one specific need.
/// Ids depend on i (from 1) only: number "SYN-<i>" (what Primero's synthetic decision cases of
/// primero_seed.h carry), individual "SYN-IND-<i, 8 digits>"; `seed` draws the contents.
rapidjson::Document synthetic_intervention_rows(int n, std::uint64_t seed);

/// `{"interventions":[InteroperabilityReferral...]}` with one decision per id: accepted
/// (125080000) or rejected (125080001, reason code 125080000..125080002, a fixed comment), chosen
/// by `seed`; progres_interoperabilityreferralid is the name-based GUID the sandbox gives an
/// ingested referral with that progres_orgreferralid, so a decision lands on that referral.
rapidjson::Document synthetic_decision_records(const std::vector<std::string>& org_referral_ids, std::uint64_t seed);

/// `n` progres_orgreferralid values "<case uuid>#<12 hex>", name-based from (`seed`, i).
std::vector<std::string> synthetic_org_referral_ids(int n, std::uint64_t seed);

}  // namespace refbridge::sandbox::detail
