#pragma once
// Test support for the crash-safety tests: the final state of one workflow's world (the sandbox's
// PING and Primero stores and the workflow's SQLite ledger) as sorted text lines, normalised so that
// an interrupted-and-rerun run can be compared with an uninterrupted one line for line.
//
// Normalisation (what legitimately differs between two correct runs):
//   - members that are instants or per-run ids: see kVolatileMembers in final_state.cc
//     (last_updated_at, created_at, transaction ids, history times, ...);
//   - the ids of Primero cases the run created (random UUIDs): replaced everywhere, PING's transfer
//     history included, by "new-case:<unhcr_individual_no>";
//   - ledger rows: only (workflow, source_key, state, error_code, target_key); attempts and times
//     differ after a crash by design.
// Nothing else is dropped: a lost or duplicated case, service row, referral, ingested record,
// decision or status change shows as a missing or repeated line.

#include "sandbox.h"

#include <set>
#include <string>
#include <vector>

namespace refbridge::crash_test {

/// The record ids of the Primero cases the sandbox holds (`id` of each case).
std::set<std::string> primero_case_ids(const sandbox::Sandbox& box);

/// The normalised state, sorted. `seeded_case_ids`: the cases held before the workflow ran (their
/// ids are kept); `ledger_path`: the workflow's SQLite ledger file (read-only); `workflow`: "1.1"...
std::vector<std::string> final_state(const sandbox::Sandbox& box, const std::set<std::string>& seeded_case_ids,
                                     const std::string& ledger_path, const std::string& workflow,
                                     const std::string& deployment = {});

/// The lines of `expected` missing from `actual` ("- ...") and the extra ones ("+ ..."), counted
/// with multiplicity; empty when both are equal.
std::string state_difference(const std::vector<std::string>& expected, const std::vector<std::string>& actual);

}  // namespace refbridge::crash_test
