#pragma once
// Seeding the sandbox's Primero server: from the OpenFn Primero fixtures (cases and referrals
// exactly as another Primero stored them) and synthetic load for benchmarks. Internal to the
// sandbox; the public entry points are Sandbox::seed_primero_from_fixtures() and
// Sandbox::seed_synthetic_primero_cases() (sandbox.h).

#include "primero_store.h"
#include "sandbox.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace refbridge {
class Logger;
}

namespace refbridge::sandbox::detail {

/// The record id of the fixture case that getPrimeroReferral.json's referrals belong to.
inline constexpr std::string_view kFixtureReferralCaseId = "406b539a-e662-425e-810b-47e4fa7da496";

/// `text` without the commas that directly precede (whitespace aside) a '}' or ']' outside JSON
/// strings; `removed` receives how many were dropped. A derived copy: the fixture stays as it is.
std::string repair_trailing_commas(std::string_view text, int& removed);

/// Seeds from `fixtures_dir` (never `other-branches/`): getPrimeroCases.json (repaired, with the
/// notice "getPrimeroCases.json: repaired N trailing commas (invalid JSON in the fixture)"),
/// case_583069e.json, then getPrimeroReferral.json (attached to the case of its record_id,
/// kFixtureReferralCaseId). Records keep their ids, statuses and time stamps. A missing or invalid
/// file, or a record already held, is a notice ("<file>: <reason>", ids only). Every notice and
/// the counts are logged on `logger` (may be null). Errors: kIo when `fixtures_dir` is not a directory.
refbridge::Result<PrimeroSeedReport> seed_primero_fixtures(PrimeroStore& store, const std::filesystem::path& fixtures_dir,
                                                           refbridge::Logger* logger);

/// Creates `n` synthetic referrals (service rows) of `kind` on ceil(n / per_case) cases, per_case
/// per case (the last case fewer), see Sandbox::seed_synthetic_primero_cases, through the same
/// paths as POST /api/v2/cases and POST .../referrals, as `api_user`; returns one element per
/// referral, in order. Ids are name-based UUIDs of (kind, seed, case number) for the case and of
/// (kind, seed, referral number) for its rows and referrals, so the same call twice creates
/// nothing new and returns the same list. Errors: kInvalidInput for n outside 0..1,000,000 or
/// per_case outside 1..1000; kInternal when the store refuses a record.
refbridge::Result<std::vector<SyntheticCase>> seed_synthetic_cases(PrimeroStore& store, int n, SyntheticCaseKind kind,
                                                                   std::uint64_t seed, const std::string& api_user,
                                                                   refbridge::Logger* logger, int per_case = 1);

}  // namespace refbridge::sandbox::detail
