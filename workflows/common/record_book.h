#pragma once
// The ledger side of processing one record in one run: what the shared sync engine writes to the
// durable ledger (refbridge/ledger.h) before and after each remote write, so that a rerun after a
// crash at any instant neither loses nor duplicates anything (../shared/docs/workflows.md "Common
// rules"; the ledger issue: "failed records are retried from the ledger on later runs, bounded
// attempts with backoff between runs, then rejected with the history kept; the content hash
// makes send once per change exact").
//
// Life of a record in a run:
//   open() -> [backing_off()? report skipped "retry-backoff", ledger untouched]
//          -> in_flight(hash) just before the first remote write
//          -> submitted(transaction id) when PING accepted an ingestion (1.2, 2.1)
//          -> acknowledging(outcome) just before PING is told the outcome (1.1, 2.2; tests/crash)
//          -> settle(outcome): delivered / skipped / rejected / failed (+ next_attempt_at), or
//             rejected "retries-exhausted" once max_attempts failed attempts are reached.
// Attempts count failures only (the "No duplicate, ever" issue): a failed outcome adds one, a
// delivery resets them to 0, and a row found in_flight at open() (the attempt before ended
// without an outcome: a crash) counts as one failure. A failure for which the remote system did
// not answer (is_unavailable()) counts none and waits no backoff; a run-level failure
// (ErrorClass::kRunLevel) counts none and reports nothing: settle_error() stops the run
// (run_guard.h) and leaves the row as it was, or, when this run had already written it in_flight,
// failed and due at once with its attempts unchanged.

#include "config.h"
#include "run_guard.h"
#include "run_report.h"

#include "refbridge/ledger.h"
#include "refbridge/log.h"
#include "refbridge/time.h"

#include <mutex>
#include <set>
#include <string>

namespace refbridge::workflows {

/// Hash of a payload for "send once per change": RFC 4122 UUID v5 (SHA-1) of `canonical_text` in
/// refbridge's content namespace, lower-case text (36 characters). Equal texts give equal hashes.
std::string content_hash(std::string_view canonical_text);

/// A record's ledger row while a run works on it.
struct RecordTicket {
  LedgerRecord row;         ///< as loaded (or new: state in_flight, attempts 0), then as last written
  bool existed = false;     ///< the ledger knew the record before this run
  bool written = false;     ///< this run wrote the row at least once
};

/// Ledger bookkeeping for one workflow run. Thread-safe: tasks on several workers share it.
class RecordBook {
 public:
  /// Not owned: all must outlive the book. `run_id` comes from Ledger::begin_run().
  RecordBook(Ledger& ledger, std::string workflow, std::int64_t run_id, const SyncSettings& settings,
             const Clock& clock);

  /// True the first time `key` is claimed in this run; false afterwards (a record re-read through
  /// the cursor overlap or listed again while being retried is processed once per run).
  bool claim(const std::string& key);
  /// The record's row, or a new one. Errors: the ledger's (kIo).
  Result<RecordTicket> open(const std::string& key, const std::string& source_id);
  /// A failed record whose next attempt lies in the future (settings.retry_*): leave it alone.
  [[nodiscard]] bool backing_off(const RecordTicket& ticket) const;
  /// The payload with `hash` was already delivered: nothing to send ("send once per change").
  [[nodiscard]] static bool unchanged(const RecordTicket& ticket, const std::string& hash);
  /// Records that a remote write is about to start: state in_flight, content_hash.
  Result<void> in_flight(RecordTicket& ticket, const std::string& hash);
  /// Records that PING accepted the ingestion `transaction_id` (state submitted).
  Result<void> submitted(RecordTicket& ticket, const std::string& transaction_id);
  /// Records the outcome about to be acknowledged to PING (1.1 transfer status, 2.2 sync status),
  /// just before that acknowledgement is sent: state in_flight with the outcome's target_key, rule
  /// (error_code) and reason (error_message). The
  /// write that takes a record out of PING's pending queue thus never happens without the ledger
  /// knowing what it said: after a crash right after it, the row is settled from PING's status by
  /// reconcile_unlisted() (unlisted_rows.h) with this target_key / rule (tests/crash). Errors: the
  /// ledger's (then do not acknowledge: the record is redone by the next run).
  Result<void> acknowledging(RecordTicket& ticket, const RecordOutcome& outcome);
  /// Writes the outcome's final state. A failed outcome counts one attempt (unless
  /// `count_attempt` is false: the system did not answer) and gets next_attempt_at = now + backoff
  /// (retry_initial x 2^(attempts-1), capped at retry_max; none when not counted), or becomes
  /// rejected with rule "retries-exhausted" once `attempts` reaches max_attempts (the outcome is
  /// changed to match). A delivered outcome resets attempts to 0. When the ledger cannot be
  /// written the outcome becomes failed (rule "ledger") so the run never reports a delivery it
  /// could not record; the record is then redone next run.
  void settle(RecordTicket& ticket, RecordOutcome& outcome, bool count_attempt = true);
  /// Settles a record whose step failed with `e`, by its class (refbridge/error.h classify()):
  /// run-level -> the run guard stops the run; the row is left as it was (or, when this run wrote
  /// it in_flight, failed and due at once, attempts unchanged): returns false, the outcome is not
  /// to be reported; unavailable (is_unavailable()) -> failed, no attempt counted, the breaker counts
  /// it; other transient -> failed with an attempt; permanent -> the caller's business (returns
  /// true without writing: a rejection is acknowledged first). `out` gets state failed, rule
  /// (the ErrorCode name, or `rule` when given) and reason (e.describe()) for the transient cases.
  bool settle_error(RecordTicket& ticket, RecordOutcome& out, const Error& e, std::string_view rule = {});
  /// The run guard (run-level stop and breaker) of this run.
  [[nodiscard]] RunGuard& guard() { return guard_; }

  [[nodiscard]] const std::string& workflow() const { return workflow_; }
  [[nodiscard]] std::int64_t run_id() const { return run_id_; }
  [[nodiscard]] Ledger& ledger() { return ledger_; }
  [[nodiscard]] const Clock& clock() const { return clock_; }
  [[nodiscard]] const SyncSettings& settings() const { return settings_; }

 private:
  Result<void> write(RecordTicket& ticket);

  Ledger& ledger_;
  std::string workflow_;
  std::int64_t run_id_;
  const SyncSettings& settings_;
  const Clock& clock_;
  RunGuard guard_;
  std::mutex mutex_;
  std::set<std::string> claimed_;  // guarded by mutex_
};

/// Finishes the ledger's run row with the report's counts and the cursor the run ended with.
/// Errors: the ledger's.
Result<void> finish_ledger_run(Ledger& ledger, std::int64_t run_id, const RunReport& report,
                               std::string_view cursor_after, const Clock& clock);

}  // namespace refbridge::workflows
