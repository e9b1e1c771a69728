// Moving a ledger into another and checking it row by row. See migrate.h.
#include "migrate.h"

#include <algorithm>
#include <limits>
#include <map>
#include <vector>

namespace refbridge::ledger_tool {
namespace {

constexpr std::size_t kPage = 500;
constexpr std::size_t kAllRuns = std::numeric_limits<std::int64_t>::max();

using RunIds = std::map<std::int64_t, std::int64_t>;  // source run id -> target run id (0 -> 0)

Error differs(const std::string& workflow, const std::string& what, const std::string& field) {
  return make_error(ErrorCode::kInternal, "migrate: after the copy, workflow " + workflow + " " + what + " differs in " + field +
                                              " between the two ledgers; the target is incomplete, do not use it");
}

/// The first differing field of two records, or "" when equal.
std::string record_difference(const LedgerRecord& a, const LedgerRecord& b) {
  if (a.source_id != b.source_id) return "source_id";
  if (a.target_key != b.target_key) return "target_key";
  if (a.state != b.state) return "state";
  if (a.attempts != b.attempts) return "attempts";
  if (a.error_code != b.error_code || a.error_message != b.error_message) return "error";
  if (a.transaction_id != b.transaction_id) return "transaction_id";
  if (a.content_hash != b.content_hash || a.delivered_hash != b.delivered_hash) return "hashes";
  if (a.first_seen_at != b.first_seen_at || a.updated_at != b.updated_at) return "times";
  if (a.next_attempt_at != b.next_attempt_at) return "next_attempt_at";
  return {};
}

std::string event_difference(const LedgerEvent& a, const LedgerEvent& b, const RunIds& ids) {
  if (ids.at(a.run_id) != b.run_id) return "run_id";
  if (a.at != b.at || a.state != b.state || a.attempts != b.attempts) return "at/state/attempts";
  if (a.error_code != b.error_code || a.error_message != b.error_message) return "error";
  if (a.transaction_id != b.transaction_id || a.content_hash != b.content_hash || a.target_key != b.target_key) return "ids";
  return {};
}

/// The row as the event left it: the event's fields over the record's latest.
LedgerRecord as_of(const LedgerRecord& latest, const LedgerEvent& e) {
  LedgerRecord r = latest;
  r.state = e.state;
  r.attempts = e.attempts;
  r.error_code = e.error_code;
  r.error_message = e.error_message;
  r.transaction_id = e.transaction_id;
  r.content_hash = e.content_hash;
  r.target_key = e.target_key;
  r.updated_at = e.at;
  return r;
}

Result<RunIds> copy_runs(Ledger& from, Ledger& to, const std::string& w, MigrateCounts& n) {
  RunIds ids{{0, 0}};
  REFBRIDGE_TRY(auto runs, from.runs(w, kAllRuns));
  std::reverse(runs.begin(), runs.end());  // oldest first: target ids increase in the same order
  for (const RunRow& run : runs) {
    REFBRIDGE_TRY(const auto id, to.begin_run(w, run.started_at));
    if (run.finished_at) {
      REFBRIDGE_TRY(to.finish_run(id, run.counts, *run.finished_at, run.aborted_reason, run.cursor_after));
    }
    ids[run.id] = id;
    ++n.runs;
  }
  return ids;
}

/// Every record of `w` in `from`, page by page, given to `visit` (LedgerRecord -> Result<void>).
template <class Visit>
Result<void> each_record(Ledger& from, const std::string& w, Visit visit) {
  std::string after;
  for (;;) {
    REFBRIDGE_TRY(auto page, from.list(w, std::nullopt, kPage, after));
    for (const auto& r : page) {
      REFBRIDGE_TRY(visit(r));
    }
    if (page.size() < kPage) return ok();
    after = page.back().source_key;
  }
}

Result<void> copy_workflow(Ledger& from, Ledger& to, const std::string& w, MigrateCounts& n, RunIds& ids) {
  REFBRIDGE_TRY(ids, copy_runs(from, to, w, n));
  REFBRIDGE_TRY(each_record(from, w, [&](const LedgerRecord& r) -> Result<void> {
    REFBRIDGE_TRY(auto events, from.history(w, r.source_key));
    for (const auto& e : events) {
      if (ids.count(e.run_id) == 0) return differs(w, "record " + r.source_key, "run_id (an event of an unknown run)");
      REFBRIDGE_TRY(to.record(as_of(r, e), ids.at(e.run_id)));
      ++n.events;
    }
    ++n.records;
    return ok();
  }));
  REFBRIDGE_TRY(auto cursor, from.cursor(w));
  if (cursor) {
    REFBRIDGE_TRY(to.set_cursor(w, *cursor));
    ++n.cursors;
  }
  return ok();
}

Result<void> check_workflow(Ledger& from, Ledger& to, const std::string& w, const RunIds& ids) {
  REFBRIDGE_TRY(each_record(from, w, [&](const LedgerRecord& r) -> Result<void> {
    REFBRIDGE_TRY(auto copy, to.find(w, r.source_key));
    if (!copy) return differs(w, "record " + r.source_key, "presence");
    if (auto d = record_difference(r, *copy); !d.empty()) return differs(w, "record " + r.source_key, d);
    REFBRIDGE_TRY(auto a, from.history(w, r.source_key));
    REFBRIDGE_TRY(auto b, to.history(w, r.source_key));
    if (a.size() != b.size()) return differs(w, "record " + r.source_key, "number of history events");
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (auto d = event_difference(a[i], b[i], ids); !d.empty()) return differs(w, "record " + r.source_key, "event " + d);
    }
    return ok();
  }));
  REFBRIDGE_TRY(auto ra, from.runs(w, kAllRuns));
  REFBRIDGE_TRY(auto rb, to.runs(w, kAllRuns));
  if (ra.size() != rb.size()) return differs(w, "runs", "number of runs");
  for (std::size_t i = 0; i < ra.size(); ++i) {
    const RunRow &a = ra[i], &b = rb[i];
    if (ids.at(a.id) != b.id || a.started_at != b.started_at || a.finished_at != b.finished_at ||
        a.counts.delivered != b.counts.delivered || a.counts.skipped != b.counts.skipped ||
        a.counts.rejected != b.counts.rejected || a.counts.failed != b.counts.failed ||
        a.aborted_reason != b.aborted_reason || a.cursor_after != b.cursor_after) {
      return differs(w, "run " + std::to_string(a.id), "its fields");
    }
  }
  REFBRIDGE_TRY(auto ca, from.cursor(w));
  REFBRIDGE_TRY(auto cb, to.cursor(w));
  if (ca != cb) return differs(w, "cursor", "value");
  return ok();
}

}  // namespace

Result<MigrateCounts> migrate_ledger(Ledger& from, Ledger& to, LedgerTime now) {
  MigrateCounts n;
  REFBRIDGE_TRY(auto existing, to.workflows());
  if (!existing.empty()) {
    return make_error(ErrorCode::kConfig, "migrate: the target already holds workflow " + existing.front() +
                                              "; migrate into an empty deployment (or another database)");
  }
  REFBRIDGE_TRY(auto workflows, from.workflows());
  std::vector<std::unique_ptr<RunLease>> leases;  // no run of either side writes while moving
  for (const auto& w : workflows) {
    if (w.find('/') != std::string::npos) continue;  // "1.1/targets": written by 1.1's runs, under 1.1's lease
    REFBRIDGE_TRY(auto a, from.acquire_run_lease(w, now));
    REFBRIDGE_TRY(auto b, to.acquire_run_lease(w, now));
    leases.push_back(std::move(a));
    leases.push_back(std::move(b));
  }
  std::map<std::string, RunIds> ids;
  for (const auto& w : workflows) {
    REFBRIDGE_TRY(copy_workflow(from, to, w, n, ids[w]));
    ++n.workflows;
  }
  for (const auto& w : workflows) {
    REFBRIDGE_TRY(check_workflow(from, to, w, ids.at(w)));
  }
  return n;
}

}  // namespace refbridge::ledger_tool
