#pragma once
// Workflow 1.2: Primero decisions on proGres referrals -> proGres (through PING's ingestion API).
// Implements ../shared/docs/workflows.md §1.2 (field rules: openfn-primero-progres.md §5, §8.6;
// fixes of §10 and §12.6-§12.8) on the shared engine (workflows/common/engine.h):
//  0. start: follow the ingestion transactions that earlier runs left `submitted` (resume_submitted),
//     then retry the due `failed` / `in_flight` ledger rows: re-fetch the case (getCase by the
//     ledger's source_id), re-select the row by intervention number and stage it like a new record
//     (a row that is no longer selected -> skipped "no-longer-selected");
//  1. read the cases updated since the cursor, minus sync.cursor_overlap, every page
//     (read_updated_cases, sync.primero_page_size per page; memory: one page);
//  2. select the services_section rows with progres_interventionnumber non-empty,
//     service_referral "external_referral" and unhcr_referral_status accepted or rejected. The
//     requesting agency is NOT tested: partner staff set it to their own agency (§12.6), and a row
//     without an intervention number is not a proGres referral (§12.7);
//  3. transform with the generated mapping (schemas/mappings/primero-decision-to-progres.yaml),
//     check with the generated PING validator (rule "schema"), hash the serialized body; a body
//     already delivered -> skipped "already-sent" (send once per change: an unrelated case edit
//     sends nothing, a changed decision or reason is sent again); a body PING already rejected ->
//     skipped "already-rejected"; a failed record still backing off -> skipped "retry-backoff";
//     mapping refusals -> rejected with the mapping's rule;
//  4. ingest the rest in batches of sync.ingestion_batch_size (ingestReferralDecisions, then the
//     transaction until final: ingestion.h), then move the cursor to the page's newest
//     last_updated_at (only once every record of the page reached a ledger state).
// Ledger: key "<case_id>/<progres_interventionnumber>" (PING's recordKey for decisions), source_id
// the case record id, target_key PING's recordKey. A case holding several selected rows for one
// intervention number with different decisions is rejected "ambiguous-decision" (pilot Flow A
// appended duplicate rows, §12.4): the person fixing the case in Primero decides which is right.
// A record re-read later in the same run (its case was edited meanwhile) is processed again only
// when its decision body changed; otherwise it already has its outcome for this run.
// Logs and reasons carry record keys, ids, rules and codes only (never names, notes or reasons'
// free text: the rejection reason the caseworker typed is sent, never logged).

#include "engine.h"
#include "run_report.h"

#include "refbridge/ping/client.h"
#include "refbridge/primero/client.h"
#include "refbridge/profile.h"

#include <optional>
#include <string>

namespace refbridge::workflows {

/// What run_decisions_to_progres needs; nothing is owned. The APIs are the generated interfaces:
/// ping::PingClient / primero::PrimeroClient in production, ping::FakePing / primero::FakePrimero
/// in unit tests.
struct DecisionsToProgresDeps {
  ping::Ping& ping;
  primero::Primero& primero;
  const Profile& profile;
  const EngineDeps& engine;  ///< ledger, sync settings (cursor, paging, batching, retries), clock, logger, sleeper
};

/// The ledger key of one decision: "<case_id>/<progres_interventionnumber>" (the recordKey PING
/// answers for decisions, schemas/ping/openapi.yaml IngestionRecordResult).
std::string decision_key(const std::string& case_id, const std::string& intervention_number);

/// The row of `service` if workflow 1.2 sends its decision (step 2 of the file comment):
/// progres_interventionnumber non-empty, service_referral == "external_referral",
/// unhcr_referral_status "accepted" or "rejected". The agency is deliberately not tested (§12.6).
bool is_selected_decision(const primero::Service& service);

/// Runs workflow 1.2 once (one ledger run "1.2"). Every decision seen ends in exactly one state in
/// the report and the ledger. The report is marked aborted when the run could not go on (the
/// cursor is unreadable, or listing Primero cases failed: authentication, unreachable API); the
/// records already processed keep their outcomes and the cursor stays at the last finished page.
RunReport run_decisions_to_progres(const DecisionsToProgresDeps& deps);

}  // namespace refbridge::workflows
