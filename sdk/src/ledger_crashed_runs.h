#pragma once
// Internal to refbridge_ledger: closing the runs a dead process left open (Ledger::close_crashed_runs,
// refbridge/ledger.h). Source: the "No duplicate, ever" issue.

#include "ledger_sqlite_support.h"

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

/// The start of every aborted_reason close_unfinished_runs() writes.
inline constexpr std::string_view kCrashedReasonPrefix = "crashed: the process ended without closing the run; ";

}  // namespace refbridge::ledger_detail
