// Closing the runs a dead process left open, on PostgreSQL. See ledger_pg_crashed_runs.h.
#include "ledger_pg_crashed_runs.h"

#include "ledger_crashed_runs.h"

namespace refbridge::ledger_detail::pg {
namespace {

constexpr const char* kUnfinished =
    "SELECT id, started_at, cursor_after FROM refbridge.runs WHERE deployment = $1 AND workflow = $2 "
    "AND finished_at IS NULL AND started_at <= $3 ORDER BY id";

/// The run's events: how many, and the latest `at` (NULL when none).
constexpr const char* kEventSpan = "SELECT COUNT(*), MAX(at) FROM refbridge.record_events WHERE run_id = $1";

/// The state of the last event (highest id) of each record within the run, counted per state.
constexpr const char* kLastStates =
    "SELECT state, COUNT(*) FROM refbridge.record_events WHERE id IN (SELECT MAX(id) FROM refbridge.record_events "
    "WHERE run_id = $1 GROUP BY workflow, source_key) GROUP BY state";

constexpr const char* kClose =
    "UPDATE refbridge.runs SET finished_at = $2, delivered = $3, skipped = $4, rejected = $5, failed = $6, "
    "aborted_reason = $7 WHERE id = $1 AND finished_at IS NULL";

}  // namespace

Result<std::vector<RunRow>> close_unfinished_runs(Connection& c, const std::string& deployment, std::string_view workflow,
                                                  LedgerTime now) {
  Params list;
  list.add(deployment).add(workflow).add(now);
  REFBRIDGE_TRY(auto rows, c.exec(kUnfinished, list, "cannot list the unfinished runs of workflow " + std::string(workflow)));
  std::vector<RunRow> open;
  for (int i = 0; i < rows.size(); ++i) {
    RunRow run;
    run.id = rows.integer(i, 0);
    run.workflow = std::string(workflow);
    run.started_at = rows.time(i, 1);
    run.cursor_after = rows.text(i, 2);
    const std::string which = "run " + std::to_string(run.id);
    Params id;
    id.add(run.id);
    REFBRIDGE_TRY(auto span, c.exec(kEventSpan, id, "cannot read the events of " + which));
    REFBRIDGE_TRY(auto states, c.exec(kLastStates, id, "cannot count the events of " + which));
    for (int s = 0; s < states.size(); ++s) add_state(run.counts, states.text(s, 0), states.integer(s, 1));
    settle_crashed_run(run, span.integer(0, 0), span.optional_time(0, 1), now);
    Params close;
    close.add(run.id).add(*run.finished_at).add(run.counts.delivered).add(run.counts.skipped);
    close.add(run.counts.rejected).add(run.counts.failed).add(std::string_view(run.aborted_reason));
    REFBRIDGE_TRY(c.exec(kClose, close, "cannot close " + which));
    open.push_back(std::move(run));
  }
  return open;
}

}  // namespace refbridge::ledger_detail::pg
