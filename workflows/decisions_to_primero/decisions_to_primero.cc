// Workflow 2.2. See decisions_to_primero.h for the steps and their source.
#include "decisions_to_primero.h"
#include "record_life.h"

#include "refbridge/mappings/progres_decision_to_primero_referral.h"
#include "refbridge/ping/validate.h"
#include "refbridge/primero/serde.h"
#include "refbridge/primero/validate.h"
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

/// The Primero referral a decision designates, with its case.
struct Target {
  std::string case_id;         ///< Primero case_id
  std::string case_record_id;  ///< Primero case `id` (URL id)
  primero::Referral referral;  ///< as listed before any write
};

/// What --verify expects in Primero for one decision: the status, and where.
struct Expected {
  std::string status;
  Target target;
};

/// A delivered decision that cannot be followed to its referral any more: missing when the case or
/// referral is gone, duplicated when it is ambiguous, different when the decision itself no longer
/// maps (edited in proGres since); other errors (Primero or PING unreadable) stop the verification.
Result<VerifyFinding> finding_for(const LedgerRecord& row, const Error& e) {
  if (e.code == ErrorCode::kNotFound) return VerifyFinding{row.source_key, Verdict::kDifferent, "PING no longer has the decision"};
  if (e.code != ErrorCode::kRejected) return e;
  const bool gone = e.rule == "case-not-found" || e.rule == "referral-not-found";
  const bool twice = e.rule == "ambiguous-match" || e.rule == "ambiguous-referral";
  return VerifyFinding{row.source_key, gone ? Verdict::kMissing : twice ? Verdict::kDuplicated : Verdict::kDifferent,
                       e.rule + ": " + e.message};
}

/// The steps of 2.2 (record_life.h runs them); decisions on one Primero case are ordered
/// (QueueItem::order_key = the case part of progres_orgreferralid).
class DecisionSteps final : public QueueSteps {
 public:
  explicit DecisionSteps(const DecisionsToPrimeroDeps& deps) : d_(deps) {}

  Result<StepResult> deliver(const QueueItem& item, WriteGate& gate, RecordOutcome& out) override {
    REFBRIDGE_TRY(auto decision, fetch(item.key));
    StepResult r;
    if (decision.syncStatus && *decision.syncStatus != ping::SyncStatusValue::kPending && !item.by_hand) {
      r.state = RecordState::kSkipped;
      r.rule = "not-pending";
      r.reason = "the decision's sync status is " + std::string(decision.syncStatus->text()) + ", not pending";
      return r;
    }
    REFBRIDGE_TRY(r.target_key, write(decision, gate, out));
    return r;
  }

  // Step 5: synchronised with the Primero referral id, or failed with "<rule>: <reason>" (ids and
  // codes only) so proGres staff see why.
  Result<void> acknowledge(const QueueItem& item, const RecordOutcome& out) override {
    ping::SyncStatusUpdate body;
    if (out.state == RecordState::kDelivered) {
      body.syncStatus = ping::SyncStatusValue::kSynchronised;
      body.primeroReferralId = out.target_key;
    } else {
      body.syncStatus = ping::SyncStatusValue::kFailed;
      body.reason = out.rule + ": " + out.reason;
    }
    REFBRIDGE_TRY(d_.ping.update_sync_status({.referralId = item.key, .body = body}));
    return ok();
  }

  // A hand retry: deliver() re-reads the decision by its id.
  Result<QueueItem> retry_item(const LedgerRecord& row) override {
    return QueueItem{.key = row.source_key, .source_id = row.source_key, .order_key = "decision:" + row.source_key};
  }

  std::optional<SourceStatus> source_status(const LedgerRecord& row) override {
    auto decision = d_.ping.get_referral_decision({.referralId = row.source_key});
    if (!decision || !decision.value().syncStatus || *decision.value().syncStatus == ping::SyncStatusValue::kPending) {
      return std::nullopt;
    }
    const auto& status = *decision.value().syncStatus;
    return SourceStatus{status == ping::SyncStatusValue::kSynchronised, "sync status", std::string(status.text())};
  }

  void log(const RecordOutcome& out) override { log_outcome(d_.engine.log, kWorkflow, out); }

  // --verify (verify.h): the referral the decision designates holds the status it maps to now.
  Result<VerifyFinding> verify(const LedgerRecord& row) {
    auto checked = [&]() -> Result<Expected> {
      REFBRIDGE_TRY(auto d, fetch(row.source_key));
      REFBRIDGE_TRY(auto update, transform(d));
      REFBRIDGE_TRY(auto org_id, parse_org_referral_id(d.progres_orgreferralid.value_or("")));
      REFBRIDGE_TRY(auto target, find_target(org_id));
      return Expected{std::string(update.status.text()), std::move(target)};
    }();
    if (!checked) return finding_for(row, checked.error());
    const auto& [wanted, target] = checked.value();
    const std::string held(target.referral.status.text());
    if (held != wanted) {
      return VerifyFinding{row.source_key, Verdict::kDifferent,
                           "referral " + target.referral.id + " of case " + target.case_id + " is " + held +
                               ", the decision says " + wanted};
    }
    return VerifyFinding{row.source_key, Verdict::kOk, {}};
  }

 private:
  // Steps 1-4; returns the Primero referral id the decision now holds on. `out.ids` gets the ids.
  Result<std::string> write(const ping::InteroperabilityReferral& decision, WriteGate& gate, RecordOutcome& out) {
    REFBRIDGE_TRY(auto update, transform(decision));
    REFBRIDGE_TRY(auto org_id, parse_org_referral_id(decision.progres_orgreferralid.value_or("")));
    REFBRIDGE_TRY(auto target, find_target(org_id));
    out.ids["case_id"] = target.case_id;
    out.ids["case_record_id"] = target.case_record_id;
    out.ids["referral_id"] = target.referral.id;
    out.ids["status"] = std::string(update.status.text());
    REFBRIDGE_TRY(auto action, apply(target, update, gate));
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
    REFBRIDGE_TRY(auto list, target_answer(d_.primero.list_cases({.page = 1, .per = kCaseLookupPageSize, .case_id = case_id})));
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
    REFBRIDGE_TRY(auto list, target_answer(d_.primero.list_case_referrals({.id = record_id})));
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
  Result<std::string> apply(const Target& target, const primero::ReferralUpdate& update, WriteGate& gate) {
    const std::string current(target.referral.status.text());
    const std::string wanted(update.status.text());
    if (current == wanted) return std::string("already-applied");  // e.g. a rerun after a crash
    if (target.referral.status != primero::ReferralStatus::kInProgress) {
      return make_rejection("transition-impossible", "Primero referral " + target.referral.id + " is " + current +
                                                         "; only an in_progress referral can become " + wanted +
                                                         " (primero-api-v2.md §6.7)");
    }
    REFBRIDGE_TRY(gate.before_write(content_hash(json::serialize(update))));
    primero::UpdateCaseReferralRequest req{.id = target.case_record_id, .referral_id = target.referral.id};
    req.body.data = update;
    REFBRIDGE_TRY(target_answer(d_.primero.update_case_referral(req)));
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
    REFBRIDGE_TRY(auto list, target_answer(d_.primero.list_case_referrals({.id = target.case_record_id})));
    for (const auto& r : list.data) {
      if (r.id == target.referral.id) return std::string(r.status.text());
    }
    return make_rejection("not-applied", "referral " + target.referral.id + " is no longer listed on case " + target.case_id);
  }

  const DecisionsToPrimeroDeps& d_;
};

/// The order key of a decision: the Primero case it designates (the part of
/// progres_orgreferralid before '#'), else the decision itself.
std::string case_order_key(const ping::ReferralDecisionSummary& s) {
  const std::string org = s.progres_orgreferralid ? *s.progres_orgreferralid : std::string();
  const auto hash = org.find('#');
  return hash == std::string::npos || hash == 0 ? "decision:" + s.progres_interoperabilityreferralid : org.substr(0, hash);
}

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

Result<VerifyReport> verify_decisions_to_primero(const DecisionsToPrimeroDeps& deps, const VerifyOptions& options) {
  DecisionSteps steps(deps);
  return verify_delivered(deps.engine.ledger, std::string(kWorkflow), options,
                          [&](const LedgerRecord& row) { return steps.verify(row); });
}

RunReport run_decisions_to_primero(const DecisionsToPrimeroDeps& deps) {
  const std::string workflow(kWorkflow);
  return run_with_ledger(deps.engine, workflow, [&](RecordBook& book, RunReport& report) -> Result<std::string> {
    DecisionSteps steps(deps);
    ping::ListReferralDecisionsRequest request;
    request.syncStatus = ping::SyncStatusValue::kPending;
    request.pageSize = deps.page_size;
    REFBRIDGE_TRY(run_queue(deps.engine, book, report, steps, deps.ping.list_referral_decisions_pages(std::move(request)),
                            [](const ping::ReferralDecisionSummary& s) {
                              QueueItem item;
                              item.key = s.progres_interoperabilityreferralid;
                              item.source_id = s.progres_interoperabilityreferralid;
                              item.order_key = case_order_key(s);
                              return item;
                            }));
    return std::string();  // no cursor: PING's pending queue is the source
  });
}

}  // namespace refbridge::workflows
