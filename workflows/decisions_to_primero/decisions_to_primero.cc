// Workflow 2.2. See decisions_to_primero.h for the steps and their source.
#include "decisions_to_primero.h"
#include "page_loop.h"
#include "unlisted_rows.h"

#include "mappings/progres_decision_to_primero_referral.h"
#include "ping/validate.h"
#include "primero/serde.h"
#include "primero/validate.h"
#include "refbridge/json.h"
#include "refbridge/crash_point.h"
#include "refbridge/mapping_runtime.h"
#include "refbridge/validation.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace refbridge::workflows {
namespace {

constexpr std::string_view kWorkflow = "2.2";
constexpr int kCaseLookupPageSize = 50;  // more than one exact match is already "ambiguous"
constexpr std::size_t kSuffixLength = 12;

/// A document that breaks its schema's rules is rejected (rule "schema") with every violation's
/// path and rule; values are never quoted. `what` names the document.
Result<void> reject_violations(const std::vector<Violation>& violations, std::string_view what) {
  if (violations.empty()) return ok();
  return make_rejection("schema", std::string(what) + " violates its schema: " + to_string(violations));
}

/// Errors that mean the decision itself cannot be applied as it is (reported to PING, not
/// retried): business rules, Primero refusing the body (422). An answer that cannot be read
/// (kInvalidResponse: truncated, malformed, wrong shape) is a transient failure, retried next run
/// (tests/faults); a persistent one ends retries-exhausted after sync.max_attempts.
bool is_rejection(const Error& e) { return e.code == ErrorCode::kRejected || e.code == ErrorCode::kUnprocessable; }

/// The Primero referral a decision designates, with its case.
struct Target {
  std::string case_id;         ///< Primero case_id
  std::string case_record_id;  ///< Primero case `id` (URL id)
  primero::Referral referral;  ///< as listed before any write
};

class DecisionProcessor {
 public:
  DecisionProcessor(const DecisionsToPrimeroDeps& deps, RecordBook& book) : d_(deps), book_(book) {}

  RecordOutcome process(const ping::ReferralDecisionSummary& summary) {
    RecordOutcome out;
    out.key = summary.progres_interoperabilityreferralid;
    out.source_id = summary.progres_interoperabilityreferralid;
    if (!book_.claim(out.key)) {
      return report_only(std::move(out), RecordState::kSkipped, "listed-twice", "PING listed the decision twice in one run");
    }
    auto ticket = book_.open(out.key, out.source_id);
    if (!ticket) return report_only(std::move(out), RecordState::kFailed, "ledger", ticket.error().describe());
    if (book_.backing_off(ticket.value())) {
      return report_only(std::move(out), RecordState::kSkipped, "retry-backoff",
                         "failed before; next attempt not before " +
                             DateTime::from_utc(*ticket.value().row.next_attempt_at).text);
    }
    return process(ticket.value(), std::move(out));
  }

  /// A ledger row left failed or in flight whose decision PING no longer lists as pending
  /// (unlisted_rows.h): synchronised -> delivered; failed -> rejected with the row's rule (the
  /// rejection was reported, its answer lost); still pending or unreadable -> left for later.
  std::optional<RecordOutcome> reconcile(const LedgerRecord& row) {
    auto decision = d_.ping.get_referral_decision({.referralId = row.source_key});
    if (!decision || !decision.value().syncStatus || *decision.value().syncStatus == ping::SyncStatusValue::kPending) {
      return std::nullopt;
    }
    auto ticket = book_.open(row.source_key, row.source_id);
    if (!ticket) return std::nullopt;
    ticket.value().attempted = true;  // reading the outcome back is not a new delivery attempt
    RecordOutcome out = unlisted_outcome(row, *decision.value().syncStatus == ping::SyncStatusValue::kSynchronised,
                                         "sync status", decision.value().syncStatus->text());
    book_.settle(ticket.value(), out);
    log_outcome(d_.engine.log, kWorkflow, out);
    return out;
  }

 private:
  RecordOutcome process(RecordTicket& ticket, RecordOutcome out) {
    auto decision = fetch(out.key);
    if (!decision) return finish_error(ticket, std::move(out), decision.error());
    if (decision.value().syncStatus && *decision.value().syncStatus != ping::SyncStatusValue::kPending) {
      out.state = RecordState::kSkipped;
      out.rule = "not-pending";
      out.reason = "the decision's sync status is " + std::string(decision.value().syncStatus->text()) + ", not pending";
      return settle(ticket, std::move(out));
    }
    auto applied = deliver(decision.value(), ticket, out);
    if (!applied) return finish_error(ticket, std::move(out), applied.error());

    out.target_key = applied.value();
    out.state = RecordState::kDelivered;  // what the acknowledgement says; the ledger knows it first (tests/crash)
    if (auto w = book_.acknowledging(ticket, out); !w) return finish_error(ticket, std::move(out), w.error());
    auto acked = mark_synchronised(out.key, applied.value());
    crash_point("2.2.acknowledged");  // tests/crash: PING says synchronised, the ledger in_flight
    if (!acked) {
      // Primero has the decision; PING still says pending, so the next run finds the referral in
      // the decided status, sends no second PATCH and repeats only this acknowledgement.
      out.state = RecordState::kFailed;
      out.rule = std::string(to_string(acked.error().code));
      out.reason = "applied in Primero but the PING sync status update failed: " + acked.error().describe();
      return settle(ticket, std::move(out));
    }
    out.state = RecordState::kDelivered;
    return settle(ticket, std::move(out));
  }

  // Steps 1-4; returns the Primero referral id the decision now holds on. `out.ids` gets the ids.
  Result<std::string> deliver(const ping::InteroperabilityReferral& decision, RecordTicket& ticket, RecordOutcome& out) {
    REFBRIDGE_TRY(auto update, transform(decision));
    REFBRIDGE_TRY(auto org_id, parse_org_referral_id(decision.progres_orgreferralid.value_or("")));
    REFBRIDGE_TRY(auto target, find_target(org_id));
    out.ids["case_id"] = target.case_id;
    out.ids["case_record_id"] = target.case_record_id;
    out.ids["referral_id"] = target.referral.id;
    out.ids["status"] = std::string(update.status.text());
    REFBRIDGE_TRY(auto action, apply(target, update, ticket));
    out.ids["action"] = std::move(action);
    return target.referral.id;
  }

  // Step 1: the detail, checked against the PING schema.
  Result<ping::InteroperabilityReferral> fetch(const std::string& referral_id) {
    REFBRIDGE_TRY(auto decision, d_.ping.get_referral_decision({.referralId = referral_id}));
    REFBRIDGE_TRY(reject_violations(ping::validate(decision), "PING referral decision"));
    return decision;
  }

  // Step 2: the generated transform (§8.7, §8.8), then the generated validator on its output.
  Result<primero::ReferralUpdate> transform(const ping::InteroperabilityReferral& decision) {
    const MappingContext ctx{WriteMode::kUpdate, &d_.engine.clock};
    REFBRIDGE_TRY(auto update, mappings::progres_decision_to_primero_referral({.decision = decision}, d_.profile, ctx));
    REFBRIDGE_TRY(reject_violations(primero::validate(update), "Primero referral update"));
    return update;
  }

  // Step 3: the case by exact case_id, then its referral by service suffix.
  Result<Target> find_target(const OrgReferralId& org_id) {
    REFBRIDGE_TRY(auto record_id, find_case(org_id.case_id));
    REFBRIDGE_TRY(auto referral, find_referral(org_id, record_id));
    return Target{org_id.case_id, std::move(record_id), std::move(referral)};
  }

  // Exactly one case with this case_id; returns its record id. The client checks the filter too:
  // a role that cannot read the field makes Primero ignore it silently (primero-api-v2.md §5.1),
  // and a PATCH would then hit an arbitrary case's referral.
  Result<std::string> find_case(const std::string& case_id) {
    REFBRIDGE_TRY(auto list, d_.primero.list_cases({.page = 1, .per = kCaseLookupPageSize, .case_id = case_id}));
    for (const auto& c : list.data) {
      if (c.case_id.value_or("") != case_id) {
        return make_error(ErrorCode::kConfig,
                          "Primero ignored the case_id filter (the API user's role must be able to read that field); "
                          "refusing to guess which case the decision belongs to");
      }
    }
    const auto total = list.metadata ? list.metadata->total : static_cast<std::int64_t>(list.data.size());
    if (list.data.empty() || total == 0) {
      return make_rejection("case-not-found", "no Primero case has case_id " + case_id);
    }
    if (list.data.size() > 1 || total > 1) {
      return make_rejection("ambiguous-match", std::to_string(std::max<std::int64_t>(total, std::int64_t(list.data.size()))) +
                                                   " Primero cases have case_id " + case_id + "; merge them in Primero");
    }
    if (!list.data.front().id) return make_error(ErrorCode::kInvalidResponse, "listCases: a case without id");
    return std::string(*list.data.front().id);
  }

  // Exactly one referral of the case whose service_record_id ends with the suffix.
  Result<primero::Referral> find_referral(const OrgReferralId& org_id, const std::string& record_id) {
    REFBRIDGE_TRY(auto list, d_.primero.list_case_referrals({.id = record_id}));
    std::vector<primero::Referral> matches;
    for (auto& r : list.data) {
      if (service_record_matches(r.service_record_id.as_optional(), org_id.service_suffix)) matches.push_back(std::move(r));
    }
    if (matches.empty()) {
      return make_rejection("referral-not-found", "case " + org_id.case_id + " has no referral whose service_record_id ends with " +
                                                      org_id.service_suffix);
    }
    if (matches.size() > 1) {
      std::string ids;
      for (const auto& r : matches) ids += (ids.empty() ? "" : ", ") + r.id;
      return make_rejection("ambiguous-referral", std::to_string(matches.size()) + " referrals of case " + org_id.case_id +
                                                      " match service suffix " + org_id.service_suffix + ": " + ids);
    }
    return std::move(matches.front());
  }

  // Step 4. Returns the action: "already-applied" (no PATCH) or "updated" (PATCH confirmed).
  Result<std::string> apply(const Target& target, const primero::ReferralUpdate& update, RecordTicket& ticket) {
    const std::string current(target.referral.status.text());
    const std::string wanted(update.status.text());
    if (current == wanted) return std::string("already-applied");  // e.g. a rerun after a crash
    if (target.referral.status != primero::ReferralStatus::kInProgress) {
      return make_rejection("transition-impossible", "Primero referral " + target.referral.id + " is " + current +
                                                         "; only an in_progress referral can become " + wanted +
                                                         " (primero-api-v2.md §6.7)");
    }
    REFBRIDGE_TRY(book_.in_flight(ticket, content_hash(json::serialize(update))));
    primero::UpdateCaseReferralRequest req{.id = target.case_record_id, .referral_id = target.referral.id};
    req.body.data = update;
    REFBRIDGE_TRY(d_.primero.update_case_referral(req));
    crash_point("2.2.referral-patched");  // tests/crash: Primero holds the decision, the ledger says in_flight
    // Primero answers 200 with the unchanged referral when it ignores a transition (§6.5): trust
    // only a fresh read.
    REFBRIDGE_TRY(auto after, read_status(target));
    if (after != wanted) {
      return make_rejection("not-applied", "Primero answered the PATCH of referral " + target.referral.id +
                                               " but the referral is " + after + ", not " + wanted);
    }
    return std::string("updated");
  }

  // The referral's status as Primero lists it now.
  Result<std::string> read_status(const Target& target) {
    REFBRIDGE_TRY(auto list, d_.primero.list_case_referrals({.id = target.case_record_id}));
    for (const auto& r : list.data) {
      if (r.id == target.referral.id) return std::string(r.status.text());
    }
    return make_rejection("not-applied", "referral " + target.referral.id + " is no longer listed on case " + target.case_id);
  }

  // Step 5, success.
  Result<void> mark_synchronised(const std::string& referral_id, const std::string& primero_referral_id) {
    ping::SyncStatusUpdate body;
    body.syncStatus = ping::SyncStatusValue::kSynchronised;
    body.primeroReferralId = primero_referral_id;
    REFBRIDGE_TRY(d_.ping.update_sync_status({.referralId = referral_id, .body = body}));
    return ok();
  }

  // Step 5, rejection: tell proGres why ("<rule>: <reason>", ids and codes only).
  Result<void> mark_failed(const std::string& referral_id, const std::string& reason) {
    ping::SyncStatusUpdate body;
    body.syncStatus = ping::SyncStatusValue::kFailed;
    body.reason = reason;
    REFBRIDGE_TRY(d_.ping.update_sync_status({.referralId = referral_id, .body = body}));
    return ok();
  }

  RecordOutcome finish_error(RecordTicket& ticket, RecordOutcome out, const Error& e) {
    if (!is_rejection(e)) {
      out.state = RecordState::kFailed;
      out.rule = std::string(to_string(e.code));
      out.reason = e.describe();
      return settle(ticket, std::move(out));
    }
    out.state = RecordState::kRejected;
    out.rule = e.code == ErrorCode::kRejected ? e.rule : std::string(to_string(e.code));
    out.reason = e.code == ErrorCode::kRejected ? e.message : e.describe();
    // The ledger knows the rejection before PING does: a crash after PING's update cannot lose it (tests/crash).
    if (auto w = book_.acknowledging(ticket, out); !w) return finish_error(ticket, std::move(out), w.error());
    if (auto r = mark_failed(out.key, out.rule + ": " + out.reason); !r) {
      // PING did not take the rejection: the decision stays pending and the next run reports it.
      out.state = RecordState::kFailed;
      out.reason += " (and the PING sync status update failed: " + r.error().describe() + ")";
    }
    return settle(ticket, std::move(out));
  }

  /// An outcome that leaves the ledger untouched (nothing was attempted).
  RecordOutcome report_only(RecordOutcome out, RecordState state, std::string rule, std::string reason) {
    out.state = state;
    out.rule = std::move(rule);
    out.reason = std::move(reason);
    log_outcome(d_.engine.log, kWorkflow, out);
    return out;
  }

  /// Writes the outcome to the ledger (which may turn a failure into retries-exhausted; PING is
  /// then told, as for any rejection) and logs it.
  RecordOutcome settle(RecordTicket& ticket, RecordOutcome out) {
    const bool was_failed = out.state == RecordState::kFailed;
    book_.settle(ticket, out);
    if (was_failed && out.state == RecordState::kRejected) {
      // Best effort: when PING does not take it, the decision stays pending and the next run
      // (the ledger row now rejected, so not backing off) reaches this point again.
      (void)mark_failed(out.key, out.rule + ": " + out.reason);
    }
    log_outcome(d_.engine.log, kWorkflow, out);
    return out;
  }

  const DecisionsToPrimeroDeps& d_;
  RecordBook& book_;
};

}  // namespace

Result<OrgReferralId> parse_org_referral_id(std::string_view text) {
  const auto hash = text.find('#');
  if (text.empty()) return make_rejection("malformed-referral-id", "progres_orgreferralid is absent or empty");
  if (hash == std::string_view::npos || text.find('#', hash + 1) != std::string_view::npos) {
    return make_rejection("malformed-referral-id",
                          "progres_orgreferralid is not \"<case_id>#<12-character service suffix>\" (it must hold exactly "
                          "one '#')");
  }
  if (hash == 0) return make_rejection("malformed-referral-id", "progres_orgreferralid has no case_id before '#'");
  const auto suffix = text.substr(hash + 1);
  if (suffix.size() != kSuffixLength) {
    return make_rejection("malformed-referral-id", "the service suffix of progres_orgreferralid has " +
                                                       std::to_string(suffix.size()) + " characters, not 12");
  }
  return OrgReferralId{std::string(text.substr(0, hash)), std::string(suffix)};
}

bool service_record_matches(const std::optional<std::string>& service_record_id, std::string_view suffix) {
  return service_record_id && service_record_id->size() >= kSuffixLength && !suffix.empty() &&
         service_record_id->ends_with(suffix);
}

RunReport run_decisions_to_primero(const DecisionsToPrimeroDeps& deps) {
  const std::string workflow(kWorkflow);
  return run_with_ledger(deps.engine, workflow, [&](RecordBook& book, RunReport& report) -> Result<std::string> {
    DecisionProcessor processor(deps, book);
    ping::ListReferralDecisionsRequest request;
    request.syncStatus = ping::SyncStatusValue::kPending;
    request.pageSize = deps.page_size;
    REFBRIDGE_TRY(process_pages(deps.engine, workflow, deps.ping.list_referral_decisions_pages(std::move(request)), report,
                                [&processor](const auto& summary) { return processor.process(summary); }));
    REFBRIDGE_TRY(reconcile_unlisted(book, report, [&processor](const LedgerRecord& row) { return processor.reconcile(row); }));
    return std::string();  // no cursor: PING's pending queue is the source
  });
}

}  // namespace refbridge::workflows
