#pragma once
// Stopping a run early without losing or duplicating a record (the Transport issue: "cancellation
// on SIGINT/SIGTERM that finishes or abandons in-flight records cleanly and leaves the ledger
// consistent"; per-run deadline `run_timeout_seconds`, config.h).
//
// One process = one run, so the stop flag is process-wide: run_cancellation(). Once it is raised
// (first SIGINT/SIGTERM, or the run deadline):
//   - BoundedExecutor starts no further task: records not yet started keep their ledger rows
//     untouched (or have none) and are picked up by the next run;
//   - records in flight finish; an in-call retry wait ends at once and no further attempt starts
//     (ApiConnection's RetrySettings::cancel), so such a record settles failed, as any transient
//     failure would (retried from the ledger);
//   - the workflow's cursor no longer moves (freeze_cursor_on_cancel): a page that was only partly
//     processed is read again next run (records already delivered are then "already-sent");
//   - run_with_ledger marks the report aborted ("interrupted: ...") and closes the ledger run row;
//   - workflow_main exits with kExitInterrupted (3) or, for the deadline, kExitRunTimeout (4).
// When the run has not ended `shutdown_grace_seconds` after the flag was raised (or on a second
// signal), ShutdownWatcher ends the process at once with the same code: in-flight records are
// then abandoned exactly like after a crash (ledger rows in_flight/submitted are redone or
// followed by the next run; every ledger write is one SQLite transaction), and the run row stays
// unfinished.

#include "exit_status.h"

#include "refbridge/cancel.h"
#include "refbridge/ledger.h"
#include "refbridge/log.h"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <thread>

namespace refbridge::workflows {

/// The cancel() reason used for the run deadline.
inline constexpr const char* kRunTimeoutReason = "run_timeout";

/// The process-wide stop flag of the current run (reason "SIGINT", "SIGTERM" or "run_timeout").
CancellationToken& run_cancellation();

/// Tasks a BoundedExecutor did not start because the run was cancelled (since the last reset).
std::size_t tasks_not_started();
/// Counts one task not started (BoundedExecutor).
void note_task_not_started();
/// Lowers run_cancellation() and zeroes tasks_not_started() (tests; a new run in the same process).
void reset_run_cancellation();

/// The exit status for a cancelled run: kExitRunTimeout for the deadline, else kExitInterrupted.
int exit_status_for(const CancellationToken& token);

/// `inner` with set_cursor() refused once `token` is cancelled (kIo "the run was interrupted
/// (<reason>): the cursor stays at its last value"); every other call is passed through. Neither
/// is owned; both must outlive the result.
std::unique_ptr<Ledger> freeze_cursor_on_cancel(Ledger& inner, const CancellationToken& token);

/// Watches SIGINT/SIGTERM and the run deadline on its own thread, raising run_cancellation().
/// Construct it in main() BEFORE any other thread starts: it blocks both signals in the calling
/// thread (threads started afterwards inherit the mask) and receives them with sigtimedwait, so no
/// code runs in a signal handler. A second signal, or the grace period passing after the flag was
/// raised, logs "run.abandoned" and ends the process with exit_status_for(). The destructor stops
/// the thread and restores the signal mask.
class ShutdownWatcher {
 public:
  /// `run_timeout` 0 = no deadline. `log` is not owned and must outlive the watcher.
  ShutdownWatcher(Logger& log, std::chrono::seconds run_timeout, std::chrono::seconds grace);
  ~ShutdownWatcher();
  ShutdownWatcher(const ShutdownWatcher&) = delete;
  ShutdownWatcher& operator=(const ShutdownWatcher&) = delete;

 private:
  void watch();

  Logger& log_;
  std::chrono::steady_clock::time_point deadline_;  // max() when none
  std::chrono::seconds grace_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace refbridge::workflows
