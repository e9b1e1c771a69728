#pragma once
// Workflow 2.1: Primero referrals to UNHCR -> proGres (through PING's ingestion API).
// Implements ../shared/docs/workflows.md §2.1 (field rules: openfn-primero-progres.md §6.2, §8.2,
// §8.4, §8.5b; fixes of §10 and §12.8, §12.9; Primero referrals and users: primero-api-v2.md
// §6.1, §6.2, §7.1) on the shared engine (workflows/common/engine.h):
//  0. start: follow the ingestion transactions that earlier runs left `submitted`
//     (resume_submitted), then retry the due `failed` / `in_flight` ledger rows: re-fetch the case
//     (getCase by the ledger's source_id = case record id) and its referrals, re-select the
//     referral by its key and stage it like a new record (no longer selected -> skipped
//     "no-longer-selected");
//  1. read the cases updated since the cursor, minus sync.cursor_overlap, every page
//     (read_updated_cases, sync.primero_page_size per page, associated_user_names = the configured
//     unhcr.user_names; memory: one page);
//  2. per case (concurrently, BoundedExecutor(sync.concurrency)): listCaseReferrals; keep the
//     referrals to UNHCR (is_referral_to_unhcr) with status in_progress. Key: referral_key()
//     "<case_id>#<last 12 characters of service_record_id>"; a referral whose service row cannot
//     be found (service_record_id empty, shorter than 12 characters, or no services_section row
//     with that unique_id) is rejected "no-service-row" under the key
//     "<case_id>#referral-<referral id>". Send once ever (README / gh-pages: only the original
//     referral request is exchanged): a key the ledger has delivered is skipped "already-delivered"
//     without touching the ledger; a body PING already rejected, unchanged, is skipped
//     "already-rejected"; a failed record still backing off is skipped "retry-backoff";
//  3. the referring user's contact (referral.transitioned_by, else case.owned_by) from listUsers
//     (user_name = ...), cached per run; not found -> the user unhcr.fallback_contact_user when set
//     and found, else an empty contact (the mapping's profile constants fill it); a 403 (no
//     user-management permission) is logged once and every contact is then the empty one; any
//     other listUsers error fails the record (retried next run);
//  4. transform with the generated mapping (schemas/mappings/primero-referral-to-progres.yaml;
//     refusals -> rejected with the mapping's rule), check with the generated PING validator (rule
//     "schema"), hash the serialized body, ingest in batches of sync.ingestion_batch_size
//     (ingestReferrals, then the transaction until final: ingestion.h), then move the cursor to the
//     page's newest last_updated_at (only once every record of the page reached a ledger state).
// A case whose referrals cannot be listed is recorded as failed under "<case_id>#referrals"
// (source_id its record id), so the cursor can move on without losing its referrals: the retry of
// that row processes every referral of the case and then settles it skipped "referrals-read".
// Ledger: source_id the case record id, target_key PING's recordKey. The report's ids carry
// case_id, referral_id and service_id.
// Logs and reasons carry record keys, ids, rules and codes only: never user names, contact
// details, names or notes.

#include "config.h"
#include "engine.h"
#include "run_report.h"

#include "refbridge/ping/client.h"
#include "refbridge/primero/client.h"
#include "refbridge/profile.h"

#include <string>

namespace refbridge::workflows {

/// What run_referrals_to_progres needs; nothing is owned. The APIs are the generated interfaces:
/// ping::PingClient / primero::PrimeroClient in production, ping::FakePing / primero::FakePrimero
/// in unit tests.
struct ReferralsToProgresDeps {
  ping::Ping& ping;
  primero::Primero& primero;
  const Profile& profile;
  const UnhcrIdentity& unhcr;  ///< user names (case filter, recipients), agencies, fallback contact user
  const EngineDeps& engine;    ///< ledger, sync settings (cursor, paging, batching, retries), clock, logger, sleeper
};

/// The correlation key of a referral to UNHCR (workflows.md "Correlation keys"; PING's
/// progres_orgreferralid): "<case_id>#<last 12 characters of service_record_id>". The caller
/// ensures service_record_id has at least 12 characters (otherwise the whole id is used).
std::string referral_key(const std::string& case_id, const std::string& service_record_id);

/// True when `referral` of case `c` is addressed to UNHCR, whatever its status (step 2):
/// transitioned_to is one of unhcr.user_names, or transitioned_to_agency is one of unhcr.agencies,
/// or the referred services_section row (unique_id == service_record_id, non-empty) has
/// service_implementing_agency in unhcr.agencies (the pilot's rule, openfn-primero-progres.md
/// §6.1 step 3). Comparisons are exact (case-sensitive), as Primero stores the values.
bool is_referral_to_unhcr(const primero::Referral& referral, const primero::Case& c, const UnhcrIdentity& unhcr);

/// Runs workflow 2.1 once (one ledger run "2.1"). Every referral to UNHCR seen ends in exactly one
/// state in the report and the ledger (step 2 skips excepted: they leave the ledger untouched).
/// The report is marked aborted when the run could not go on (the cursor is unreadable, the ledger
/// failed, or listing Primero cases failed: authentication, unreachable API); records already
/// processed keep their outcomes and the cursor stays at the last finished page.
RunReport run_referrals_to_progres(const ReferralsToProgresDeps& deps);

}  // namespace refbridge::workflows
