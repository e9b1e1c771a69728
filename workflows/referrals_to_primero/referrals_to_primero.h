#pragma once
// Workflow 1.1: proGres referrals -> Primero cases and services.
// Implements ../shared/docs/workflows.md §1.1 step by step:
//  1. page through PING's outgoing referral interventions awaiting transfer (transferStatus=pending)
//     with the generated lazy page range (a page token PING repeats aborts the run, never loops);
//  2. per intervention, fetch the detail, the individual, its languages and specific needs
//     (one aggregated record: the old flat feed's language x need duplicates cannot arise);
//  3-4. validate and transform with the generated mapping (schemas/mappings/
//     progres-referral-to-primero-case.yaml): accepted-type gate, required fields, lookups;
//  5. find the Primero case by exact unhcr_individual_no: none -> create, one -> update,
//     more than one -> rejected (ambiguous match);
//  6. the service row's unique_id is derived from progres_interventionnumber, so a re-delivery
//     updates the same row; an update never sends owned_by, status or module_id;
//  7. update the intervention's transfer status in PING: transferred (with the Primero case_id
//     and record id) or failed (with the rejection reason).
// Every record ends delivered / skipped / rejected / failed; one record's failure never stops the
// others. A failed record keeps its PING transfer status "pending" and is retried by a later run
// once its ledger backoff has passed (until then: skipped "retry-backoff"); after
// sync.max_attempts failures it is rejected "retries-exhausted" and PING is told.
// Ledger (shared engine, workflows/common/engine.h): key = progres_interventionnumber, source_id =
// the intervention GUID, target_key = the Primero case_id; in_flight is recorded before the first
// Primero write, so a crash between the write and the PING acknowledgement is redone (the write is
// keyed: same case, same service unique_id). Interventions are processed concurrently
// (sync.concurrency), one PING page at a time. No cursor: PING's pending queue is the source.

#include "engine.h"
#include "run_report.h"
#include "verify.h"

#include "refbridge/ping/client.h"
#include "refbridge/primero/client.h"
#include "refbridge/log.h"
#include "refbridge/profile.h"
#include "refbridge/time.h"

namespace refbridge::workflows {

/// What run_referrals_to_primero needs; nothing is owned. The APIs are the generated interfaces:
/// ping::PingClient / primero::PrimeroClient in production, ping::FakePing / primero::FakePrimero
/// (generated fake.h) in unit tests.
struct ReferralsToPrimeroDeps {
  ping::Ping& ping;
  primero::Primero& primero;
  const Profile& profile;
  const EngineDeps& engine;  ///< ledger, sync settings, clock, logger
  int page_size = 100;       ///< PING page size, 1..1000
};

/// Runs workflow 1.1 once (one ledger run "1.1"). The report counts every intervention seen by its
/// final state; when the run could not go on (PING listing failed: authentication, unreachable),
/// the report is marked aborted and the records already processed keep their outcomes.
RunReport run_referrals_to_primero(const ReferralsToPrimeroDeps& deps);

/// --verify for 1.1 (verify.h): for each intervention the ledger says was delivered (key
/// progres_interventionnumber, target_key the Primero case_id), the case exists, no other case has
/// its unhcr_individual_no, and it has exactly one service row with that progres_interventionnumber.
/// Only GET requests (listCases, getCase). Errors: the ledger's and Primero's (the verification stops).
Result<VerifyReport> verify_referrals_to_primero(primero::Primero& primero, Ledger& ledger, const VerifyOptions& options);

}  // namespace refbridge::workflows
