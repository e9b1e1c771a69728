#pragma once
// The shared sync engine: what every workflow run is made of (../shared/docs/workflows.md "Common
// rules"; the ledger issue). A workflow program supplies only its reading, selection, transform
// and write steps; the engine supplies:
//   - the ledger run (run_with_ledger): a runs row opened and closed with the report's counts;
//   - per-record ledger bookkeeping and retry policy (record_book.h);
//   - bounded concurrency over reused connections (executor.h; the HTTP transport is shared);
//   - Primero cursor reading with overlap, every page (updated_cases.h);
//   - PING ingestion with transaction follow-up and crash-safe resumption (ingestion.h);
//   - one component for a PING queue record's whole life (record_life.h), per-key ordering
//     (executor.h), run-level stops and the breaker (run_guard.h), the case each individual got
//     (case_targets.h), one run at a time (the run lease, refbridge/ledger.h), exit statuses
//     (exit_status.h).

#include "cancellation.h"
#include "executor.h"
#include "ingestion.h"
#include "record_book.h"
#include "run_report.h"
#include "updated_cases.h"

#include "refbridge/ledger.h"
#include "refbridge/log.h"
#include "refbridge/time.h"

#include <functional>
#include <string>

namespace refbridge::workflows {

/// The engine's services for one run; nothing owned, all must outlive the run.
struct EngineDeps {
  Ledger& ledger;
  const SyncSettings& sync;
  const Clock& clock;
  Logger& log;
  const Sleeper& sleep;
};

/// The body of a run: processes records (adding each outcome to the report) and returns the cursor
/// value the run ended with ("" when the workflow keeps no cursor). An error means the run could not
/// go on (listing failed: authentication, unreachable API): the report is marked aborted with it;
/// records already settled keep their outcomes.
using RunBody = std::function<Result<std::string>(RecordBook& book, RunReport& report)>;

/// Takes the workflow's run lease (Ledger::acquire_run_lease: one run at a time per workflow and
/// ledger; held: the report is aborted with exit status 75 naming the holder, nothing else is
/// done), closes runs that crashed before (Ledger::close_crashed_runs), opens a ledger run, runs
/// `body`, closes the run with the counts (and logs run.finished). A ledger that cannot open the
/// run aborts the report (74) without running the body. When run_cancellation() was raised during
/// the run (cancellation.h) the report is aborted with "interrupted (<reason>): ..." and the
/// number of record tasks not started (3 / 4); when the run guard stopped it (run_guard.h) with
/// the guard's cause (77 / 78 / 69); otherwise a body error aborts it with exit_status_for_error().
/// Every abort is also logged ("run.not_started", "run.interrupted", "run.aborted").
RunReport run_with_ledger(const EngineDeps& deps, const std::string& workflow, const RunBody& body);

/// Reads the workflow's ledger cursor as an instant (UTC), or `initial` (an ISO-8601 text) when the
/// ledger has none. Errors: the ledger's; kConfig when the stored text is not a date-time.
Result<std::chrono::sys_time<std::chrono::milliseconds>> load_time_cursor(Ledger& ledger, const std::string& workflow,
                                                                           const std::string& initial);

}  // namespace refbridge::workflows
