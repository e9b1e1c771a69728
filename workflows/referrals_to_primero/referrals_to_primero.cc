// Workflow 1.1. See referrals_to_primero.h for the steps and their source.
#include "referrals_to_primero.h"
#include "page_loop.h"
#include "unlisted_rows.h"

#include "mappings/progres_referral_to_primero_case.h"
#include "ping/validate.h"
#include "primero/serde.h"
#include "primero/validate.h"
#include "refbridge/crash_point.h"
#include "refbridge/mapping_runtime.h"
#include "refbridge/validation.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace refbridge::workflows {
namespace {

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

class ReferralProcessor {
 public:
  ReferralProcessor(const ReferralsToPrimeroDeps& deps, RecordBook& book) : d_(deps), book_(book) {}

  RecordOutcome process(const ping::ReferralSummary& summary) {
    RecordOutcome out;
    out.key = summary.progres_interventionnumber;
    out.source_id = summary.progres_lpinterventionid;
    out.ids["intervention_id"] = summary.progres_lpinterventionid;
    if (!book_.claim(out.key)) return report_only(std::move(out), RecordState::kSkipped, "listed-twice",
                                                  "PING listed the intervention twice in one run");
    auto ticket = book_.open(out.key, out.source_id);
    if (!ticket) return report_only(std::move(out), RecordState::kFailed, "ledger", ticket.error().describe());
    if (book_.backing_off(ticket.value())) {
      return report_only(std::move(out), RecordState::kSkipped, "retry-backoff",
                         "failed before; next attempt not before " +
                             DateTime::from_utc(*ticket.value().row.next_attempt_at).text);
    }
    return process(summary, ticket.value(), std::move(out));
  }

  /// A ledger row left failed or in flight whose intervention PING no longer lists as pending
  /// (unlisted_rows.h): transferred -> delivered; failed -> rejected with the row's rule (the
  /// rejection was reported, its answer lost); still pending or unreadable -> left for later.
  std::optional<RecordOutcome> reconcile(const LedgerRecord& row) {
    auto intervention = d_.ping.get_intervention({.interventionId = row.source_id});
    if (!intervention || is_pending(intervention.value())) return std::nullopt;
    auto ticket = book_.open(row.source_key, row.source_id);
    if (!ticket) return std::nullopt;
    ticket.value().attempted = true;  // reading the outcome back is not a new delivery attempt
    RecordOutcome out = unlisted_outcome(row, *intervention.value().transferStatus == ping::TransferStatusValue::kTransferred,
                                         "transfer status", intervention.value().transferStatus->text());
    out.ids["intervention_id"] = row.source_id;
    book_.settle(ticket.value(), out);
    log_outcome(out);
    return out;
  }

 private:
  RecordOutcome process(const ping::ReferralSummary& summary, RecordTicket& ticket, RecordOutcome out) {
    auto input = fetch(summary);
    if (!input) return finish_error(summary, ticket, std::move(out), input.error());
    if (!is_pending(input.value().intervention)) {
      out.state = RecordState::kSkipped;
      out.rule = "not-pending";
      out.reason = "the intervention's transfer status is no longer pending";
      return settle(ticket, std::move(out));
    }
    auto delivered = deliver(input.value(), ticket);
    if (!delivered) return finish_error(summary, ticket, std::move(out), delivered.error());

    out.target_key = delivered.value().case_id;
    out.ids["case_id"] = delivered.value().case_id;
    out.ids["case_record_id"] = delivered.value().record_id;
    out.ids["action"] = delivered.value().action;
    crash_point("1.1.case-written");  // tests/crash: Primero holds the case, the ledger says in_flight
    out.state = RecordState::kDelivered;  // what the acknowledgement says; the ledger knows it first (tests/crash)
    if (auto w = book_.acknowledging(ticket, out); !w) return finish_error(summary, ticket, std::move(out), w.error());
    auto acked = mark_transferred(summary, delivered.value());
    crash_point("1.1.acknowledged");  // tests/crash: PING says transferred, the ledger in_flight
    if (!acked) {
      // The case is written (idempotently); PING still says pending, so the next run repeats the
      // same write and the acknowledgement. Nothing is lost or duplicated.
      out.state = RecordState::kFailed;
      out.rule = std::string(to_string(acked.error().code));
      out.reason = "delivered to Primero but the PING transfer status update failed: " + acked.error().describe();
      return settle(ticket, std::move(out));
    }
    out.state = RecordState::kDelivered;
    return settle(ticket, std::move(out));
  }

  /// An outcome that leaves the ledger untouched (nothing was attempted).
  RecordOutcome report_only(RecordOutcome out, RecordState state, std::string rule, std::string reason) {
    out.state = state;
    out.rule = std::move(rule);
    out.reason = std::move(reason);
    log_outcome(out);
    return out;
  }

  /// Writes the outcome to the ledger (which may turn a failure into retries-exhausted; PING is
  /// then told, as for any rejection) and logs it.
  RecordOutcome settle(RecordTicket& ticket, RecordOutcome out) {
    const bool was_failed = out.state == RecordState::kFailed;
    book_.settle(ticket, out);
    if (was_failed && out.state == RecordState::kRejected) {
      (void)mark_failed_by_key(out.source_id, out.rule + ": " + out.reason);  // best effort: PING keeps it pending otherwise
    }
    log_outcome(out);
    return out;
  }

  static bool is_pending(const ping::Intervention& intervention) {
    return !intervention.transferStatus || *intervention.transferStatus == ping::TransferStatusValue::kPending;
  }

  // Step 2: one aggregated record per intervention.
  Result<ProgresReferralToPrimeroCaseInput> fetch(const ping::ReferralSummary& s) {
    ProgresReferralToPrimeroCaseInput in;
    REFBRIDGE_TRY(in.intervention, d_.ping.get_intervention({.interventionId = s.progres_lpinterventionid}));
    REFBRIDGE_TRY(in.individual, d_.ping.get_individual({.individualId = s.progres_individualid}));
    REFBRIDGE_TRY(auto languages, d_.ping.list_individual_languages({.individualId = s.progres_individualid}));
    REFBRIDGE_TRY(auto needs, d_.ping.list_individual_specific_needs({.individualId = s.progres_individualid}));
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
  Result<Delivery> deliver(const ProgresReferralToPrimeroCaseInput& in, RecordTicket& ticket) {
    // Validate and gate before touching Primero: a rejected record costs no Primero call.
    REFBRIDGE_TRY(auto create_body, transform(in, WriteMode::kCreate));
    const std::string hash = content_hash(json::serialize(create_body));
    REFBRIDGE_TRY(auto matches, find_cases(in.individual.progres_id));
    if (matches.size() > 1) {
      return make_rejection("ambiguous-match", std::to_string(matches.size()) +
                                                   " Primero cases have unhcr_individual_no " +
                                                   in.individual.progres_id + "; merge them in Primero, then re-queue");
    }
    REFBRIDGE_TRY(book_.in_flight(ticket, hash));
    if (matches.empty()) {
      REFBRIDGE_TRY(auto created, d_.primero.create_case({.body = primero::CaseEnvelope{.data = std::move(create_body)}}));
      if (!created || !created->data.id || !created->data.case_id) {
        return make_error(ErrorCode::kInvalidResponse, "createCase: Primero answered without the new case's id");
      }
      return Delivery{*created->data.case_id, *created->data.id, "created"};
    }
    const primero::Case& existing = matches.front();
    if (!existing.id) return make_error(ErrorCode::kInvalidResponse, "listCases: a case without id");
    REFBRIDGE_TRY(auto update_body, transform(in, WriteMode::kUpdate));
    REFBRIDGE_TRY(d_.primero.update_case({.id = *existing.id, .body = primero::CaseEnvelope{.data = std::move(update_body)}}));
    return Delivery{existing.case_id.value_or(""), *existing.id, "updated"};
  }

  // Step 5: exact match on unhcr_individual_no. The server filter is exact in Primero; the
  // client checks it too, because a role that cannot read the field makes Primero ignore the
  // filter silently (primero-api-v2.md §5.1) and an update would then hit an arbitrary case.
  Result<std::vector<primero::Case>> find_cases(const std::string& individual_no) {
    REFBRIDGE_TRY(auto list, d_.primero.list_cases({.page = 1, .per = kCaseLookupPageSize,
                                                    .unhcr_individual_no = individual_no}));
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

  // Step 7, success.
  Result<void> mark_transferred(const ping::ReferralSummary& s, const Delivery& d) {
    ping::TransferStatusUpdate body;
    body.transferStatus = ping::TransferStatusValue::kTransferred;
    body.primeroCaseId = d.case_id;
    body.primeroRecordId = d.record_id;
    REFBRIDGE_TRY(d_.ping.update_transfer_status({.interventionId = s.progres_lpinterventionid, .body = body}));
    return ok();
  }

  // Step 7, rejection: tell proGres why, so a person can correct and re-send.
  Result<void> mark_failed_by_key(const std::string& intervention_id, const std::string& reason) {
    ping::TransferStatusUpdate body;
    body.transferStatus = ping::TransferStatusValue::kFailed;
    body.reason = reason;
    REFBRIDGE_TRY(d_.ping.update_transfer_status({.interventionId = intervention_id, .body = body}));
    return ok();
  }

  RecordOutcome finish_error(const ping::ReferralSummary& s, RecordTicket& ticket, RecordOutcome out, const Error& e) {
    // Business rules (incl. the "schema" rule of PING's validated data) and Primero's 422 reject the
    // record: reported back, not retried. An answer that cannot be read (kInvalidResponse:
    // truncated, malformed or of the wrong shape; possibly after Primero applied a write) is not
    // the record's fault: failed and retried (tests/faults: a rejection here lost the record, and
    // after a write told PING "failed" for a delivered case); a persistent one ends
    // retries-exhausted after sync.max_attempts, reported to PING.
    const bool rejected = e.code == ErrorCode::kRejected || e.code == ErrorCode::kUnprocessable;
    if (rejected) {
      out.state = RecordState::kRejected;
      out.rule = e.code == ErrorCode::kRejected ? e.rule : std::string(to_string(e.code));
      out.reason = e.code == ErrorCode::kRejected ? e.message : e.describe();
      // The ledger knows the rejection before PING does: a crash after PING's update cannot lose it (tests/crash).
      if (auto w = book_.acknowledging(ticket, out); !w) return finish_error(s, ticket, std::move(out), w.error());
      if (auto r = mark_failed_by_key(s.progres_lpinterventionid, out.rule + ": " + out.reason); !r) {
        // PING did not take the rejection: keep the record pending so the next run reports it.
        out.state = RecordState::kFailed;
        out.reason += " (and the PING transfer status update failed: " + r.error().describe() + ")";
      }
    } else {
      out.state = RecordState::kFailed;
      out.rule = std::string(to_string(e.code));
      out.reason = e.describe();
    }
    return settle(ticket, std::move(out));
  }

  void log_outcome(const RecordOutcome& out) {
    const std::string event = "record." + std::string(to_string(out.state));
    auto id = [&](const char* k) {
      auto it = out.ids.find(k);
      return it == out.ids.end() ? std::string() : it->second;
    };
    if (out.state == RecordState::kDelivered) {
      d_.engine.log.info(event, {{LogKey::kWorkflow, "1.1"},
                          {LogKey::kInterventionNumber, out.key},
                          {LogKey::kCaseId, id("case_id")},
                          {LogKey::kState, id("action")}});
    } else {
      d_.engine.log.warn(event, {{LogKey::kWorkflow, "1.1"},
                          {LogKey::kInterventionNumber, out.key},
                          {LogKey::kRule, out.rule},
                          {LogKey::kMessage, out.reason}});
    }
  }

  const ReferralsToPrimeroDeps& d_;
  RecordBook& book_;
};

}  // namespace

RunReport run_referrals_to_primero(const ReferralsToPrimeroDeps& deps) {
  return run_with_ledger(deps.engine, "1.1", [&](RecordBook& book, RunReport& report) -> Result<std::string> {
    ReferralProcessor processor(deps, book);
    ping::ListOutgoingReferralsRequest request;
    request.transferStatus = ping::TransferStatusValue::kPending;
    request.pageSize = deps.page_size;
    REFBRIDGE_TRY(process_pages(deps.engine, "1.1", deps.ping.list_outgoing_referrals_pages(std::move(request)), report,
                                [&processor](const auto& summary) { return processor.process(summary); }));
    REFBRIDGE_TRY(reconcile_unlisted(book, report, [&processor](const LedgerRecord& row) { return processor.reconcile(row); }));
    return std::string();
  });
}

}  // namespace refbridge::workflows
