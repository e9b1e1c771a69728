// Run lifecycle. See engine.h.
#include "engine.h"

namespace refbridge::workflows {

RunReport run_with_ledger(const EngineDeps& deps, const std::string& workflow, const RunBody& body) {
  const auto started = deps.clock.now();
  RunReport report(workflow, started);
  auto run_id = deps.ledger.begin_run(workflow, started);
  if (!run_id) {
    report.abort("the ledger could not open a run: " + run_id.error().describe());
    report.finish(deps.clock.now());
    return report;
  }
  RecordBook book(deps.ledger, workflow, run_id.value(), deps.sync, deps.clock);
  auto cursor = body(book, report);
  if (const CancellationToken& stop = run_cancellation(); stop.cancelled()) {
    // The run stopped early (cancellation.h): say so rather than report a consequential error.
    report.abort("interrupted (" + stop.reason() + "): " + std::to_string(tasks_not_started()) +
                 " record tasks not started; in-flight records finished; every record not settled stays "
                 "eligible for the next run and the cursor did not move past it");
    deps.log.warn("run.interrupted", {{LogKey::kWorkflow, workflow},
                                      {LogKey::kCount, std::to_string(tasks_not_started())},
                                      {LogKey::kMessage, stop.reason()}});
  } else if (!cursor) {
    report.abort(cursor.error().describe());
    deps.log.error("run.aborted", {{LogKey::kWorkflow, workflow},
                                   {LogKey::kErrorCode, std::string(to_string(cursor.error().code))},
                                   {LogKey::kMessage, cursor.error().message}});
  }
  const auto finished = deps.clock.now();
  report.finish(finished);
  const std::string cursor_after = cursor ? cursor.value() : std::string();
  if (auto f = finish_ledger_run(deps.ledger, run_id.value(), report, cursor_after, deps.clock); !f) {
    deps.log.error("run.unrecorded", {{LogKey::kWorkflow, workflow}, {LogKey::kMessage, f.error().message}});
  }
  deps.log.info("run.finished", {{LogKey::kWorkflow, workflow},
                                 {LogKey::kCount, std::to_string(report.count(RecordState::kDelivered) +
                                                                 report.count(RecordState::kSkipped) +
                                                                 report.count(RecordState::kRejected) +
                                                                 report.count(RecordState::kFailed))},
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
    return make_error(ErrorCode::kInvalidInput, "workflow " + workflow + ": cursor '" + text +
                                                    "' is not an ISO-8601 date-time (fix it with refbridge-ledger)");
  }
  return parsed.value().utc;
}

}  // namespace refbridge::workflows
