// Closing the runs a dead process left open. See ledger_crashed_runs.h.
#include "ledger_crashed_runs.h"

#include <algorithm>
#include <string>

namespace refbridge::ledger_detail {
namespace {

/// The run's events: how many, and the latest `at` (NULL when none).
constexpr const char* kEventSpan = "SELECT COUNT(*), MAX(at) FROM record_events WHERE run_id = ?1";

/// The state of the last event (highest id) of each record within the run, counted per state.
constexpr const char* kLastStates =
    "SELECT state, COUNT(*) FROM record_events WHERE id IN "
    "(SELECT MAX(id) FROM record_events WHERE run_id = ?1 GROUP BY workflow, source_key) GROUP BY state";

constexpr const char* kUnfinished =
    "SELECT id, started_at, cursor_after FROM runs WHERE workflow = ?1 AND finished_at IS NULL AND started_at <= ?2 "
    "ORDER BY id";

constexpr const char* kClose =
    "UPDATE runs SET finished_at = ?2, delivered = ?3, skipped = ?4, rejected = ?5, failed = ?6, aborted_reason = ?7 "
    "WHERE id = ?1 AND finished_at IS NULL";

}  // namespace

void add_state(RunCounts& counts, std::string_view state, std::int64_t n) {
  const auto s = ledger_state_from_string(state);
  if (s == LedgerState::kDelivered) {
    counts.delivered += n;
  } else if (s == LedgerState::kSkipped) {
    counts.skipped += n;
  } else if (s == LedgerState::kRejected) {
    counts.rejected += n;
  } else {
    counts.failed += n;  // failed, and in_flight / submitted: the outcome was never learnt in that run
  }
}

void settle_crashed_run(RunRow& run, std::int64_t events, std::optional<LedgerTime> last_event_at, LedgerTime now) {
  run.finished_at = last_event_at ? std::clamp(*last_event_at, run.started_at, std::max(now, run.started_at)) : run.started_at;
  run.aborted_reason = std::string(kCrashedReasonPrefix) + "counts rebuilt from " + std::to_string(events) +
                       (events == 1 ? " record event" : " record events");
}

Result<std::vector<RunRow>> close_unfinished_runs(sqlite3* db, std::string_view workflow, LedgerTime now) {
  std::vector<RunRow> open;
  {
    REFBRIDGE_TRY(auto stmt, prepare(db, kUnfinished, "cannot list the unfinished runs"));
    Query q(db, stmt.get());
    q.bind(workflow).bind(now);
    for (;;) {
      REFBRIDGE_TRY(const bool row, q.step("cannot list the unfinished runs of workflow " + std::string(workflow)));
      if (!row) break;
      RunRow r;
      r.id = q.integer(0);
      r.workflow = std::string(workflow);
      r.started_at = q.time(1);
      r.cursor_after = q.text(2);
      open.push_back(std::move(r));
    }
  }
  REFBRIDGE_TRY(auto span_stmt, prepare(db, kEventSpan, "cannot read the events of a run"));
  REFBRIDGE_TRY(auto states_stmt, prepare(db, kLastStates, "cannot count the events of a run"));
  REFBRIDGE_TRY(auto close_stmt, prepare(db, kClose, "cannot close a run"));
  for (RunRow& run : open) {
    const std::string which = "run " + std::to_string(run.id);
    std::int64_t events = 0;
    std::optional<LedgerTime> last_at;
    {
      Query q(db, span_stmt.get());
      q.bind(run.id);
      REFBRIDGE_TRY(const bool row, q.step("cannot read the events of " + which));
      if (row) events = q.integer(0);
      if (row && !q.is_null(1)) last_at = q.time(1);
    }
    {
      Query q(db, states_stmt.get());
      q.bind(run.id);
      for (;;) {
        REFBRIDGE_TRY(const bool row, q.step("cannot count the events of " + which));
        if (!row) break;
        add_state(run.counts, q.text(0), q.integer(1));
      }
    }
    settle_crashed_run(run, events, last_at, now);
    Query q(db, close_stmt.get());
    q.bind(run.id).bind(*run.finished_at).bind(run.counts.delivered).bind(run.counts.skipped).bind(run.counts.rejected);
    q.bind(run.counts.failed).bind(std::string_view(run.aborted_reason));
    REFBRIDGE_TRY(q.run("cannot close " + which));
  }
  return open;
}

}  // namespace refbridge::ledger_detail
