// Ledger bookkeeping per record. See record_book.h.
#include "record_book.h"

#include "refbridge/mapping_runtime.h"

#include <algorithm>

namespace refbridge::workflows {
namespace {

// refbridge's namespace for content hashes (a random v4 UUID fixed once; never change it: the
// ledgers of running deployments compare against hashes made with it).
constexpr std::string_view kContentNamespace = "3f4d2b1e-8c6a-4e0f-9b7d-2a5c1e8f6d40";

LedgerState ledger_state(RecordState s) {
  switch (s) {
    case RecordState::kDelivered: return LedgerState::kDelivered;
    case RecordState::kSkipped: return LedgerState::kSkipped;
    case RecordState::kRejected: return LedgerState::kRejected;
    case RecordState::kFailed: return LedgerState::kFailed;
  }
  return LedgerState::kFailed;
}

std::chrono::milliseconds backoff(const SyncSettings& s, int attempts) {
  using std::chrono::milliseconds;
  const int doublings = std::clamp(attempts - 1, 0, 30);
  const auto initial = std::chrono::duration_cast<milliseconds>(s.retry_initial);
  const auto cap = std::chrono::duration_cast<milliseconds>(s.retry_max);
  if (initial.count() == 0) return milliseconds(0);
  if (initial.count() > cap.count() >> doublings) return cap;  // would pass the cap (no overflow)
  return std::min(cap, initial * (std::int64_t{1} << doublings));
}

}  // namespace

std::string content_hash(std::string_view canonical_text) { return mapping::uuid_v5(kContentNamespace, canonical_text); }

RecordBook::RecordBook(Ledger& ledger, std::string workflow, std::int64_t run_id, const SyncSettings& settings,
                       const Clock& clock)
    : ledger_(ledger),
      workflow_(std::move(workflow)),
      run_id_(run_id),
      settings_(settings),
      clock_(clock),
      guard_(settings.breaker_threshold) {}

bool RecordBook::claim(const std::string& key) {
  std::lock_guard lock(mutex_);
  return claimed_.insert(key).second;
}

Result<RecordTicket> RecordBook::open(const std::string& key, const std::string& source_id) {
  REFBRIDGE_TRY(auto found, ledger_.find(workflow_, key));
  RecordTicket t;
  t.existed = found.has_value();
  if (found) {
    t.row = std::move(*found);
    // An attempt that ended without an outcome (the process died mid-write) is a failed one, so
    // that a record that crashes the program every time still ends retries-exhausted.
    if (t.row.state == LedgerState::kInFlight) ++t.row.attempts;
  } else {
    t.row.workflow = workflow_;
    t.row.source_key = key;
    t.row.first_seen_at = clock_.now();
  }
  if (!source_id.empty()) t.row.source_id = source_id;
  return t;
}

bool RecordBook::backing_off(const RecordTicket& t) const {
  return t.row.state == LedgerState::kFailed && t.row.next_attempt_at && *t.row.next_attempt_at > clock_.now();
}

bool RecordBook::unchanged(const RecordTicket& t, const std::string& hash) {
  return t.existed && !t.row.delivered_hash.empty() && t.row.delivered_hash == hash;
}

Result<void> RecordBook::write(RecordTicket& t) {
  t.row.updated_at = clock_.now();
  REFBRIDGE_TRY(ledger_.record(t.row, run_id_));
  t.written = true;
  return ok();
}

Result<void> RecordBook::in_flight(RecordTicket& t, const std::string& hash) {
  t.row.state = LedgerState::kInFlight;
  t.row.content_hash = hash;
  t.row.transaction_id.clear();
  t.row.next_attempt_at.reset();
  return write(t);
}

Result<void> RecordBook::submitted(RecordTicket& t, const std::string& transaction_id) {
  t.row.state = LedgerState::kSubmitted;
  t.row.transaction_id = transaction_id;
  return write(t);
}

Result<void> RecordBook::acknowledging(RecordTicket& t, const RecordOutcome& outcome) {
  t.row.state = LedgerState::kInFlight;
  if (!outcome.target_key.empty()) t.row.target_key = outcome.target_key;
  const bool delivered = outcome.state == RecordState::kDelivered;
  t.row.error_code = delivered ? std::string() : outcome.rule;
  t.row.error_message = delivered ? std::string() : outcome.reason;
  t.row.next_attempt_at.reset();
  return write(t);
}

void RecordBook::settle(RecordTicket& t, RecordOutcome& outcome, bool count_attempt) {
  const bool failed = outcome.state == RecordState::kFailed;
  if (failed && count_attempt) ++t.row.attempts;
  if (outcome.state == RecordState::kDelivered) t.row.attempts = 0;
  if (failed && count_attempt && t.row.attempts >= settings_.max_attempts) {
    outcome.state = RecordState::kRejected;
    outcome.reason = "gave up after " + std::to_string(t.row.attempts) + " failed attempts; last: " + outcome.rule +
                     ": " + outcome.reason;
    outcome.rule = "retries-exhausted";
  }
  t.row.state = ledger_state(outcome.state);
  t.row.error_code = outcome.state == RecordState::kDelivered ? std::string() : outcome.rule;
  t.row.error_message = outcome.state == RecordState::kDelivered ? std::string() : outcome.reason;
  if (!outcome.target_key.empty()) t.row.target_key = outcome.target_key;
  if (!outcome.transaction_id.empty()) t.row.transaction_id = outcome.transaction_id;
  if (outcome.state == RecordState::kDelivered) t.row.delivered_hash = t.row.content_hash;
  t.row.next_attempt_at.reset();
  if (outcome.state == RecordState::kFailed && count_attempt) {
    t.row.next_attempt_at = clock_.now() + backoff(settings_, t.row.attempts);
  }
  if (outcome.source_id.empty()) outcome.source_id = t.row.source_id;
  if (auto w = write(t); !w) {
    outcome.state = RecordState::kFailed;
    outcome.rule = "ledger";
    outcome.reason = "the ledger could not record the outcome (" + w.error().describe() + "); redone next run";
  }
}

bool RecordBook::settle_error(RecordTicket& t, RecordOutcome& out, const Error& e, std::string_view rule) {
  const ErrorClass cls = classify(e);
  if (cls == ErrorClass::kPermanent) return true;
  guard_.note_failure(e);
  if (cls == ErrorClass::kRunLevel) {
    if (t.written) {  // in_flight was written: leave it due at once, no attempt counted
      t.row.state = LedgerState::kFailed;
      t.row.error_code = std::string(to_string(e.code));
      t.row.error_message = "run stopped: " + e.describe();
      t.row.next_attempt_at.reset();
      (void)write(t);  // best effort: an in_flight row left behind is redone next run as well
    }
    return false;
  }
  out.state = RecordState::kFailed;
  out.rule = rule.empty() ? std::string(to_string(e.code)) : std::string(rule);
  out.reason = e.describe();
  settle(t, out, !is_unavailable(e));
  return true;
}

Result<void> finish_ledger_run(Ledger& ledger, std::int64_t run_id, const RunReport& report,
                               std::string_view cursor_after, const Clock& clock) {
  RunCounts counts;
  counts.delivered = static_cast<std::int64_t>(report.count(RecordState::kDelivered));
  counts.skipped = static_cast<std::int64_t>(report.count(RecordState::kSkipped));
  counts.rejected = static_cast<std::int64_t>(report.count(RecordState::kRejected));
  counts.failed = static_cast<std::int64_t>(report.count(RecordState::kFailed));
  return ledger.finish_run(run_id, counts, clock.now(), report.abort_reason(), cursor_after);
}

}  // namespace refbridge::workflows
