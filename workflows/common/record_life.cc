// A queue record's life. See record_life.h.
#include "record_life.h"

#include "refbridge/crash_point.h"

namespace refbridge::workflows {

std::optional<RecordOutcome> RecordLife::run(const QueueItem& item) {
  RecordOutcome out;
  out.key = item.key;
  out.source_id = item.source_id;
  out.ids = item.ids;
  if (book_.guard().stopped()) return std::nullopt;  // the run stopped while this record waited for its key
  if (!book_.claim(out.key)) {
    return report_only(std::move(out), RecordState::kSkipped, "listed-twice", "PING listed the record twice in one run");
  }
  auto ticket = book_.open(out.key, out.source_id);
  if (!ticket) return report_only(std::move(out), RecordState::kFailed, "ledger", ticket.error().describe());
  if (book_.backing_off(ticket.value())) {
    return report_only(std::move(out), RecordState::kSkipped, "retry-backoff",
                       "failed before; next attempt not before " +
                           DateTime::from_utc(*ticket.value().row.next_attempt_at).text);
  }
  return deliver(item, ticket.value(), std::move(out));
}

std::optional<RecordOutcome> RecordLife::deliver(const QueueItem& item, RecordTicket& ticket, RecordOutcome out) {
  WriteGate gate(book_, ticket);
  auto step = steps_.deliver(item, gate, out);
  if (!step) return fail(item, ticket, std::move(out), step.error());
  StepResult& r = step.value();
  if (!r.target_key.empty()) out.target_key = r.target_key;
  for (auto& [k, v] : r.ids) out.ids[k] = std::move(v);
  book_.guard().note_success();
  if (r.state == RecordState::kSkipped) {
    out.state = RecordState::kSkipped;
    out.rule = std::move(r.rule);
    out.reason = std::move(r.reason);
    return settle(ticket, std::move(out));
  }
  out.state = RecordState::kDelivered;  // what the acknowledgement says; the ledger knows it first (tests/crash)
  if (auto w = book_.acknowledging(ticket, out); !w) return fail(item, ticket, std::move(out), w.error());
  auto acked = steps_.acknowledge(item, out);
  crash_point(workflow_ + ".acknowledged");  // tests/crash: PING holds the acknowledgement, the ledger in_flight
  // The write is keyed (same case and service row, or the referral already in the decided status);
  // PING still lists the record, so the next run repeats only what is missing.
  if (!acked) return failed(item, ticket, std::move(out), acked.error(), "written to Primero but the PING acknowledgement failed: ");
  return settle(ticket, std::move(out));
}

std::optional<RecordOutcome> RecordLife::fail(const QueueItem& item, RecordTicket& ticket, RecordOutcome out,
                                              const Error& e) {
  if (classify(e) != ErrorClass::kPermanent) return failed(item, ticket, std::move(out), e, "");
  // Business rules (kRejected), Primero refusing the body (422), 400, 404, 413, ...: rejected with
  // the rule, or the code and HTTP status named, and PING is told, so a person can correct it.
  out.state = RecordState::kRejected;
  out.rule = e.code == ErrorCode::kRejected ? e.rule : std::string(to_string(e.code));
  out.reason = e.code == ErrorCode::kRejected ? e.message : e.describe();
  // The ledger knows the rejection before PING does: a crash after PING's update cannot lose it (tests/crash).
  if (auto w = book_.acknowledging(ticket, out); !w) {
    return report_only(std::move(out), RecordState::kFailed, "ledger", w.error().describe());
  }
  auto acked = steps_.acknowledge(item, out);
  crash_point(workflow_ + ".acknowledged");
  if (!acked) {
    // PING did not take the rejection: the record stays pending and the next run reports it.
    const std::string rule = out.rule;
    const std::string context = "rejected (" + rule + ") but the PING acknowledgement failed: ";
    return failed(item, ticket, std::move(out), acked.error(), context, rule);
  }
  return settle(ticket, std::move(out));
}

std::optional<RecordOutcome> RecordLife::failed(const QueueItem& item, RecordTicket& ticket, RecordOutcome out,
                                                const Error& e, std::string_view context, std::string_view rule) {
  Error shown = e;
  shown.message = std::string(context) + e.message;
  // A hand retry that fails stays one: the next run retries it again, not settles it from PING.
  if (rule.empty() && item.by_hand) rule = kRetryByHandRule;
  if (classify(e) == ErrorClass::kPermanent) {
    // Only after a write or a rejection (an acknowledgement PING refused): retried, never rejected here.
    out.state = RecordState::kFailed;
    out.rule = rule.empty() ? std::string(to_string(e.code)) : std::string(rule);
    out.reason = shown.describe();
    book_.settle(ticket, out);
  } else if (!book_.settle_error(ticket, out, shown, rule)) {
    return std::nullopt;  // run-level: the run stops, the record is not charged
  }
  if (out.state == RecordState::kRejected) {
    // retries-exhausted: best effort; when PING does not take it, the record stays pending and
    // the next run (the ledger row now rejected, so not backing off) reaches this point again.
    (void)steps_.acknowledge(item, out);
  }
  steps_.log(out);
  return out;
}

RecordOutcome RecordLife::settle(RecordTicket& ticket, RecordOutcome out) {
  book_.settle(ticket, out);
  steps_.log(out);
  return out;
}

std::optional<RecordOutcome> RecordLife::reconcile(const LedgerRecord& row) {
  if (row.state == LedgerState::kFailed && row.error_code == kRetryByHandRule) return retry_by_hand(row);
  auto status = steps_.source_status(row);
  if (!status) return std::nullopt;
  auto ticket = book_.open(row.source_key, row.source_id);
  if (!ticket) return std::nullopt;
  if (row.state == LedgerState::kInFlight) ticket.value().row.attempts = row.attempts;  // reading back is no attempt
  RecordOutcome out = unlisted_outcome(row, status->acknowledged, status->field, status->status);
  book_.settle(ticket.value(), out);
  steps_.log(out);
  return out;
}

std::optional<RecordOutcome> RecordLife::retry_by_hand(const LedgerRecord& row) {
  RecordOutcome out;
  out.key = row.source_key;
  out.source_id = row.source_id;
  auto ticket = book_.open(row.source_key, row.source_id);
  if (!ticket) return report_only(std::move(out), RecordState::kFailed, "ledger", ticket.error().describe());
  auto item = steps_.retry_item(row);
  if (!item) {
    QueueItem known{.key = row.source_key, .source_id = row.source_id};
    return failed(known, ticket.value(), std::move(out), item.error(), "retried by hand but not readable at the source: ");
  }
  item.value().by_hand = true;
  out.ids = item.value().ids;
  return deliver(item.value(), ticket.value(), std::move(out));
}

RecordOutcome RecordLife::report_only(RecordOutcome out, RecordState state, std::string rule, std::string reason) {
  out.state = state;
  out.rule = std::move(rule);
  out.reason = std::move(reason);
  steps_.log(out);
  return out;
}

}  // namespace refbridge::workflows
