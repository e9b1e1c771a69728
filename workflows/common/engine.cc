// Run lifecycle. See engine.h.
#include "engine.h"

#include "exit_status.h"

namespace refbridge::workflows {
namespace {

std::int64_t total(const RunReport& report) {
  return static_cast<std::int64_t>(report.count(RecordState::kDelivered) + report.count(RecordState::kSkipped) +
                                   report.count(RecordState::kRejected) + report.count(RecordState::kFailed));
}

/// Runs found unfinished by this run, which holds the lease, died without closing: close them as
/// crashed with counts rebuilt from their record events (Ledger::close_crashed_runs).
void close_crashed(const EngineDeps& deps, const std::string& workflow) {
  auto closed = deps.ledger.close_crashed_runs(workflow, deps.clock.now());
  if (!closed) {
    deps.log.warn("run.crashed_unclosed", {{LogKey::kWorkflow, workflow}, {LogKey::kMessage, closed.error().message}});
    return;
  }
  for (const auto& run : closed.value()) {
    deps.log.warn("run.crashed", {{LogKey::kWorkflow, workflow},
                                  {LogKey::kCount, std::to_string(run.counts.delivered + run.counts.skipped +
                                                                  run.counts.rejected + run.counts.failed)},
                                  {LogKey::kMessage, "run " + std::to_string(run.id) + " " + run.aborted_reason}});
  }
}

/// Why the run stopped early, if it did: cancellation (3/4) first, then the run guard (77/78/69),
/// then the body's error.
void note_abort(const EngineDeps& deps, const std::string& workflow, RecordBook& book, const Result<std::string>& cursor,
                RunReport& report) {
  if (const CancellationToken& stop = run_cancellation(); stop.cancelled()) {
    // The run stopped early (cancellation.h): say so rather than report a consequential error.
    report.abort("interrupted (" + stop.reason() + "): " + std::to_string(tasks_not_started()) +
                     " record tasks not started; in-flight records finished; every record not settled stays "
                     "eligible for the next run and the cursor did not move past it",
                 exit_status_for(stop));
    deps.log.warn("run.interrupted", {{LogKey::kWorkflow, workflow},
                                      {LogKey::kCount, std::to_string(tasks_not_started())},
                                      {LogKey::kMessage, stop.reason()}});
    return;
  }
  std::optional<Error> cause = book.guard().cause();
  if (!cause && !cursor) cause = cursor.error();
  if (!cause) return;
  report.abort(cause->describe(), exit_status_for_error(*cause));
  deps.log.error("run.aborted", {{LogKey::kWorkflow, workflow},
                                 {LogKey::kErrorCode, std::string(to_string(cause->code))},
                                 {LogKey::kMessage, cause->describe()}});
}

}  // namespace

RunReport run_with_ledger(const EngineDeps& deps, const std::string& workflow, const RunBody& body) {
  const auto started = deps.clock.now();
  RunReport report(workflow, started);
  auto lease = deps.ledger.acquire_run_lease(workflow, started);
  if (!lease) {
    report.abort(lease.error().describe(), exit_status_for_error(lease.error()));
    deps.log.error("run.not_started", {{LogKey::kWorkflow, workflow},
                                       {LogKey::kErrorCode, std::string(to_string(lease.error().code))},
                                       {LogKey::kMessage, lease.error().message}});
    report.finish(deps.clock.now());
    return report;
  }
  close_crashed(deps, workflow);
  auto run_id = deps.ledger.begin_run(workflow, started);
  if (!run_id) {
    report.abort("the ledger could not open a run: " + run_id.error().describe(), kExitIoError);
    deps.log.error("run.not_started", {{LogKey::kWorkflow, workflow},
                                       {LogKey::kErrorCode, std::string(to_string(run_id.error().code))},
                                       {LogKey::kMessage, run_id.error().message}});
    report.finish(deps.clock.now());
    return report;
  }
  RecordBook book(deps.ledger, workflow, run_id.value(), deps.sync, deps.clock);
  auto cursor = body(book, report);
  note_abort(deps, workflow, book, cursor, report);
  const auto finished = deps.clock.now();
  report.finish(finished);
  const std::string cursor_after = cursor ? cursor.value() : std::string();
  if (auto f = finish_ledger_run(deps.ledger, run_id.value(), report, cursor_after, deps.clock); !f) {
    deps.log.error("run.unrecorded", {{LogKey::kWorkflow, workflow}, {LogKey::kMessage, f.error().message}});
  }
  deps.log.info("run.finished", {{LogKey::kWorkflow, workflow},
                                 {LogKey::kCount, std::to_string(total(report))},
                                 {LogKey::kCursor, cursor_after},
                                 {LogKey::kDurationMs, std::to_string((finished - started).count())}});
  return report;
}

Result<std::chrono::sys_time<std::chrono::milliseconds>> load_time_cursor(Ledger& ledger, const std::string& workflow,
                                                                           const std::string& initial) {
  REFBRIDGE_TRY(auto stored, ledger.cursor(workflow));
  const std::string text = stored.value_or(initial);
  auto parsed = DateTime::parse(text);
  if (!parsed) {
    return make_error(ErrorCode::kConfig, "workflow " + workflow + ": cursor '" + text +
                                              "' is not an ISO-8601 date-time (fix it with refbridge-ledger)");
  }
  return parsed.value().utc;
}

}  // namespace refbridge::workflows
