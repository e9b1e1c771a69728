// Workflow 1.1. See referrals_to_primero.h for the steps and their source.
#include "referrals_to_primero.h"
#include "case_targets.h"
#include "record_life.h"

#include "refbridge/mappings/progres_referral_to_primero_case.h"
#include "refbridge/ping/validate.h"
#include "refbridge/primero/serde.h"
#include "refbridge/primero/validate.h"
#include "refbridge/crash_point.h"
#include "refbridge/mapping_runtime.h"
#include "refbridge/validation.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace refbridge::workflows {
namespace {

constexpr const char* kWorkflow = "1.1";
constexpr int kCaseLookupPageSize = 50;  // more than one exact match is already "ambiguous"

using mappings::ProgresReferralToPrimeroCaseInput;

/// A record whose data breaks its schema's rules is rejected (rule "schema") with every violation's
/// path and rule; values are never quoted (they may be personal data). `what` names the document.
Result<void> reject_violations(const std::vector<Violation>& violations, std::string_view what) {
  if (violations.empty()) return ok();
  return make_rejection("schema", std::string(what) + " violates its schema: " + to_string(violations));
}

/// The ids a delivered record reports.
struct Delivery {
  std::string case_id;
  std::string record_id;
  std::string action;  // "created" or "updated"
};

/// The steps of 1.1 (record_life.h runs them); the case a record updates is found by the
/// individual, and records of one individual are ordered (QueueItem::order_key).
class ReferralSteps final : public QueueSteps {
 public:
  ReferralSteps(const ReferralsToPrimeroDeps& deps, RecordBook& book) : d_(deps), targets_(book) {}

  Result<StepResult> deliver(const QueueItem& item, WriteGate& gate, RecordOutcome& /*out*/) override {
    REFBRIDGE_TRY(auto input, fetch(item));
    if (!is_pending(input.intervention) && !item.by_hand) {
      StepResult skip;
      skip.state = RecordState::kSkipped;
      skip.rule = "not-pending";
      skip.reason = "the intervention's transfer status is no longer pending";
      return skip;
    }
    REFBRIDGE_TRY(auto delivered, write(input, gate));
    crash_point("1.1.case-written");  // tests/crash: Primero holds the case, the ledger says in_flight
    StepResult r;
    r.target_key = delivered.case_id;
    r.ids["case_id"] = delivered.case_id;
    r.ids["case_record_id"] = delivered.record_id;
    r.ids["action"] = delivered.action;
    return r;
  }

  // Step 7: transferred with the Primero ids, or failed with the rule and reason.
  Result<void> acknowledge(const QueueItem& item, const RecordOutcome& out) override {
    ping::TransferStatusUpdate body;
    if (out.state == RecordState::kDelivered) {
      body.transferStatus = ping::TransferStatusValue::kTransferred;
      body.primeroCaseId = id_of(out, "case_id");
      body.primeroRecordId = id_of(out, "case_record_id");
    } else {
      body.transferStatus = ping::TransferStatusValue::kFailed;
      body.reason = out.rule + ": " + out.reason;  // tell proGres why, so a person can correct and re-send
    }
    REFBRIDGE_TRY(d_.ping.update_transfer_status({.interventionId = item.source_id, .body = body}));
    return ok();
  }

  // A hand retry: the intervention names its individual (the listing's progres_individualid).
  Result<QueueItem> retry_item(const LedgerRecord& row) override {
    REFBRIDGE_TRY(auto intervention, d_.ping.get_intervention({.interventionId = row.source_id}));
    if (!intervention.progres_individual.has_value() || intervention.progres_individual->empty()) {
      return make_rejection("schema", "PING intervention " + row.source_id + " names no progres_individual");
    }
    QueueItem item{.key = row.source_key, .source_id = row.source_id, .order_key = *intervention.progres_individual,
                   .parent_id = *intervention.progres_individual};
    item.ids["intervention_id"] = row.source_id;
    return item;
  }

  std::optional<SourceStatus> source_status(const LedgerRecord& row) override {
    auto intervention = d_.ping.get_intervention({.interventionId = row.source_id});
    if (!intervention || is_pending(intervention.value())) return std::nullopt;
    const auto& status = *intervention.value().transferStatus;
    return SourceStatus{status == ping::TransferStatusValue::kTransferred, "transfer status", std::string(status.text())};
  }

  void log(const RecordOutcome& out) override {
    const std::string event = "record." + std::string(to_string(out.state));
    if (out.state == RecordState::kDelivered) {
      d_.engine.log.info(event, {{LogKey::kWorkflow, kWorkflow},
                                 {LogKey::kInterventionNumber, out.key},
                                 {LogKey::kCaseId, id_of(out, "case_id")},
                                 {LogKey::kState, id_of(out, "action")}});
    } else {
      d_.engine.log.warn(event, {{LogKey::kWorkflow, kWorkflow},
                                 {LogKey::kInterventionNumber, out.key},
                                 {LogKey::kRule, out.rule},
                                 {LogKey::kMessage, out.reason}});
    }
  }

 private:
  static std::string id_of(const RecordOutcome& out, const char* k) {
    auto it = out.ids.find(k);
    return it == out.ids.end() ? std::string() : it->second;
  }

  static bool is_pending(const ping::Intervention& intervention) {
    return !intervention.transferStatus || *intervention.transferStatus == ping::TransferStatusValue::kPending;
  }

  // Step 2: one aggregated record per intervention.
  Result<ProgresReferralToPrimeroCaseInput> fetch(const QueueItem& item) {
    ProgresReferralToPrimeroCaseInput in;
    REFBRIDGE_TRY(in.intervention, d_.ping.get_intervention({.interventionId = item.source_id}));
    REFBRIDGE_TRY(in.individual, d_.ping.get_individual({.individualId = item.parent_id}));
    REFBRIDGE_TRY(auto languages, d_.ping.list_individual_languages({.individualId = item.parent_id}));
    REFBRIDGE_TRY(auto needs, d_.ping.list_individual_specific_needs({.individualId = item.parent_id}));
    in.languages = std::move(languages.items);
    in.specific_needs = std::move(needs.items);
    REFBRIDGE_TRY(reject_violations(ping::validate(in.intervention), "PING intervention"));
    REFBRIDGE_TRY(reject_violations(ping::validate(in.individual), "PING individual"));
    return in;
  }

  // Steps 3-4: the generated transform, then the generated validator on its output, so that a
  // body Primero would answer 422 for is rejected here with the rule that it breaks.
  Result<primero::Case> transform(const ProgresReferralToPrimeroCaseInput& in, WriteMode mode) {
    const MappingContext ctx{mode, &d_.engine.clock};
    REFBRIDGE_TRY(auto body, mappings::progres_referral_to_primero_case(in, d_.profile, ctx));
    REFBRIDGE_TRY(reject_violations(primero::validate(body), "Primero case body"));
    return body;
  }

  // Steps 3-6.
  Result<Delivery> write(const ProgresReferralToPrimeroCaseInput& in, WriteGate& gate) {
    // Validate and gate before touching Primero: a rejected record costs no Primero call.
    REFBRIDGE_TRY(auto create_body, transform(in, WriteMode::kCreate));
    const std::string hash = content_hash(json::serialize(create_body));
    const std::string& individual_no = in.individual.progres_id;
    REFBRIDGE_TRY(auto target, find_case(individual_no));
    REFBRIDGE_TRY(gate.before_write(hash));
    if (!target) {
      REFBRIDGE_TRY(auto created, target_answer(d_.primero.create_case({.body = primero::CaseEnvelope{.data = std::move(create_body)}})));
      if (!created || !created->data.id || !created->data.case_id) {
        return make_error(ErrorCode::kInvalidResponse, "createCase: Primero answered without the new case's id");
      }
      const CaseRef ref{*created->data.id, *created->data.case_id};
      // The next referral of this child finds the case here, whether or not Primero's search
      // already shows it. A ledger failure now is a failure of this record (redone: the search
      // finds the case by then, or this remembers it).
      REFBRIDGE_TRY(targets_.remember(individual_no, ref));
      return Delivery{ref.case_id, ref.record_id, "created"};
    }
    REFBRIDGE_TRY(auto update_body, transform(in, WriteMode::kUpdate));
    REFBRIDGE_TRY(target_answer(d_.primero.update_case({.id = target->record_id, .body = primero::CaseEnvelope{.data = std::move(update_body)}})));
    return Delivery{target->case_id, target->record_id, "updated"};
  }

  // Step 5: the one case of the individual: the case refbridge created for it (the ledger's
  // targets, case_targets.h) and Primero's exact unhcr_individual_no search, together. Two
  // different cases -> rejected ambiguous-match.
  Result<std::optional<CaseRef>> find_case(const std::string& individual_no) {
    REFBRIDGE_TRY(auto remembered, targets_.recall(individual_no));
    REFBRIDGE_TRY(auto matches, search_cases(individual_no));
    std::vector<CaseRef> found;
    for (const auto& c : matches) {
      if (!c.id) return make_error(ErrorCode::kInvalidResponse, "listCases: a case without id");
      found.push_back(CaseRef{*c.id, c.case_id.value_or("")});
    }
    if (remembered && std::none_of(found.begin(), found.end(), [&](const CaseRef& r) { return r.record_id == remembered->record_id; })) {
      found.push_back(*remembered);  // created by an earlier record; Primero's search does not show it yet
    }
    if (found.size() > 1) {
      return make_rejection("ambiguous-match", std::to_string(found.size()) + " Primero cases have unhcr_individual_no " +
                                                   individual_no + "; merge them in Primero, then re-queue");
    }
    if (found.empty()) return std::optional<CaseRef>();
    return std::optional<CaseRef>(found.front());
  }

  // The exact match on unhcr_individual_no. The server filter is exact in Primero; the client
  // checks it too, because a role that cannot read the field makes Primero ignore the filter
  // silently (primero-api-v2.md §5.1) and an update would then hit an arbitrary case.
  Result<std::vector<primero::Case>> search_cases(const std::string& individual_no) {
    REFBRIDGE_TRY(auto list, target_answer(d_.primero.list_cases({.page = 1, .per = kCaseLookupPageSize,
                                                                  .unhcr_individual_no = individual_no})));
    std::vector<primero::Case> exact;
    for (auto& c : list.data) {
      if (c.unhcr_individual_no != individual_no) {
        return make_error(ErrorCode::kConfig,
                          "Primero ignored the unhcr_individual_no filter (the API user's role must be able to read "
                          "that field); refusing to guess which case to update");
      }
      exact.push_back(std::move(c));
    }
    const std::int64_t total = list.metadata ? list.metadata->total : static_cast<std::int64_t>(exact.size());
    if (total > static_cast<std::int64_t>(exact.size())) {
      return make_rejection("ambiguous-match", std::to_string(total) +
                                                   " Primero cases have unhcr_individual_no " + individual_no);
    }
    return exact;
  }

  const ReferralsToPrimeroDeps& d_;
  CaseTargets targets_;
};

}  // namespace

RunReport run_referrals_to_primero(const ReferralsToPrimeroDeps& deps) {
  return run_with_ledger(deps.engine, kWorkflow, [&](RecordBook& book, RunReport& report) -> Result<std::string> {
    ReferralSteps steps(deps, book);
    ping::ListOutgoingReferralsRequest request;
    request.transferStatus = ping::TransferStatusValue::kPending;
    request.pageSize = deps.page_size;
    REFBRIDGE_TRY(run_queue(deps.engine, book, report, steps, deps.ping.list_outgoing_referrals_pages(std::move(request)),
                            [](const ping::ReferralSummary& s) {
                              QueueItem item;
                              item.key = s.progres_interventionnumber;
                              item.source_id = s.progres_lpinterventionid;
                              item.parent_id = s.progres_individualid;
                              item.order_key = s.progres_individualid;  // one individual, one case: never two at once
                              item.ids["intervention_id"] = s.progres_lpinterventionid;
                              return item;
                            }));
    return std::string();
  });
}

}  // namespace refbridge::workflows
