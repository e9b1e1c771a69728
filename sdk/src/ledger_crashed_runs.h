#pragma once
// Internal to refbridge_ledger: closing the runs a dead process left open (Ledger::close_crashed_runs,
// refbridge/ledger.h). Source: the "No duplicate, ever" issue.

#include "ledger_sqlite_support.h"

#include <optional>
#include <string_view>
#include <vector>

namespace refbridge::ledger_detail {

/// Closes every run of `workflow` with finished_at NULL that started at or before `now`, and
/// answers them as closed (oldest first). The caller holds the connection's mutex and runs this
/// inside a write transaction (with_transaction). Per run: finished_at = the latest `at` of its
/// record events (not before started_at, not after `now`), started_at when it has none; counts =
/// the last event (highest id) per record of the run: delivered / skipped / rejected as such,
/// failed, in_flight and submitted as failed; aborted_reason = kCrashedReasonPrefix + "counts
/// rebuilt from N record events". Errors: kIo.
Result<std::vector<RunRow>> close_unfinished_runs(sqlite3* db, std::string_view workflow, LedgerTime now);

/// Adds `n` records whose last event in a crashed run had `state` to `counts`: delivered /
/// skipped / rejected as such, every other state (failed, in_flight, submitted) as failed.
void add_state(RunCounts& counts, std::string_view state, std::int64_t n);

/// Sets run.finished_at (`last_event_at` within [started_at, max(now, started_at)], started_at
/// when the run has no event) and run.aborted_reason ("... counts rebuilt from N record events").
void settle_crashed_run(RunRow& run, std::int64_t events, std::optional<LedgerTime> last_event_at, LedgerTime now);

/// The start of every aborted_reason close_unfinished_runs() writes.
inline constexpr std::string_view kCrashedReasonPrefix = "crashed: the process ended without closing the run; ";

}  // namespace refbridge::ledger_detail
