#pragma once
// Workflow 2.2: proGres decisions on Primero referrals -> Primero referral status.
// Implements ../shared/docs/workflows.md §2.2 (field rules: openfn-primero-progres.md §7, §8.7,
// §8.8; the pilot's defects fixed: §12.10, §12.11; Primero PATCH semantics: primero-api-v2.md §6.5,
// state machine §6.7):
//  1. page through PING's referral decisions awaiting synchronisation (syncStatus=pending) with the
//     generated lazy page range; per decision fetch the detail (getReferralDecision) and validate
//     it against the PING schema (rule "schema");
//  2. transform with the generated mapping (schemas/mappings/progres-decision-to-primero-referral.yaml):
//     status through §8.7 (any other code, e.g. 125080003, is rejected naming the rule and the
//     code), rejected_reason "<§8.8 reason text>: <comment>" for rejections;
//  3. parse progres_orgreferralid "<case_id>#<12-character service suffix>" (rule
//     malformed-referral-id), find the case by exact case_id (case-not-found / ambiguous-match;
//     a Primero that ignores the filter is a kConfig failure), then its referral whose
//     service_record_id ends with the suffix (referral-not-found, not silently skipped as the
//     pilot did; ambiguous-referral);
//  4. a referral already in the decided status needs no PATCH (rerun after a crash); a referral
//     not in_progress cannot take the decision (transition-impossible, both statuses named);
//     otherwise PATCH it and READ IT BACK: Primero answers 200 while ignoring an impossible
//     transition (rule not-applied);
//  5. tell PING: synchronised with the Primero referral id (delivered), or failed with
//     "<rule>: <reason>" for a rejected decision so proGres staff see why.
// Every decision ends delivered / skipped / rejected / failed; one decision's failure never stops
// the others. Transient errors (transport, timeouts, 429, 5xx, ...) leave the decision pending in
// PING: failed, retried by a later run once its ledger backoff has passed (until then skipped
// "retry-backoff"); after sync.max_attempts failures it is rejected "retries-exhausted" and PING is
// told (sync failed). A failed PING acknowledgement makes the record failed; the next run finds the
// referral already updated and only acknowledges (no second PATCH).
// Ledger (shared engine, workflows/common/engine.h): key = source_id =
// progres_interoperabilityreferralid, target_key = the Primero referral id; in_flight (hash of the
// serialized ReferralUpdate) is recorded just before the PATCH. Decisions are processed
// concurrently (sync.concurrency), one PING page at a time. No cursor: PING's pending queue is
// the source (the ledger run ends with cursor "").

#include "engine.h"
#include "run_report.h"
#include "verify.h"

#include "refbridge/ping/client.h"
#include "refbridge/primero/client.h"
#include "refbridge/error.h"
#include "refbridge/profile.h"

#include <optional>
#include <string>
#include <string_view>

namespace refbridge::workflows {

/// What run_decisions_to_primero needs; nothing is owned. The APIs are the generated interfaces:
/// ping::PingClient / primero::PrimeroClient in production, ping::FakePing / primero::FakePrimero
/// (generated fake.h) in unit tests.
struct DecisionsToPrimeroDeps {
  ping::Ping& ping;
  primero::Primero& primero;
  const Profile& profile;
  const EngineDeps& engine;  ///< ledger, sync settings, clock, logger
  int page_size = 100;       ///< PING page size, 1..1000
};

/// Runs workflow 2.2 once (one ledger run "2.2", cursor ""). The report counts every decision seen
/// by its final state; when the run could not go on (PING listing failed: authentication,
/// unreachable, a repeated page token), the report is marked aborted and the decisions already
/// processed keep their outcomes.
RunReport run_decisions_to_primero(const DecisionsToPrimeroDeps& deps);

/// --verify for 2.2 (verify.h): for each decision the ledger says was delivered (key and source
/// progres_interoperabilityreferralid), PING's decision is read again and mapped, and the Primero
/// referral it designates must hold that status: missing (case or referral gone), duplicated
/// (ambiguous), different (another status, or the decision no longer maps). Only GET requests.
/// Errors: the ledger's, PING's and Primero's other than those findings (the verification stops).
Result<VerifyReport> verify_decisions_to_primero(const DecisionsToPrimeroDeps& deps, const VerifyOptions& options);

/// progres_orgreferralid split into its parts (workflows.md "Correlation keys").
struct OrgReferralId {
  std::string case_id;         ///< the Primero case_id (part before '#'), non-empty
  std::string service_suffix;  ///< the last 12 characters of the service unique_id
};

/// Parses "<case_id>#<12-character suffix>" (exactly one '#', a non-empty case_id, a suffix of
/// exactly 12 characters). Errors: kRejected, rule "malformed-referral-id", the reason naming what
/// is wrong (never quoting the value).
Result<OrgReferralId> parse_org_referral_id(std::string_view text);

/// True when a referral's service_record_id designates the service with `suffix`: it is at least
/// 12 characters long and ends with `suffix` (openfn-primero-progres.md §7 step 4; an empty
/// service_record_id never matches).
bool service_record_matches(const std::optional<std::string>& service_record_id, std::string_view suffix);

}  // namespace refbridge::workflows
