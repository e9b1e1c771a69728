// The fault matrix (issue 5): every workflow runs under each fault kind injected by the sandbox
// (tools/sandbox/faults.h) on its read endpoints, then on its write endpoints. Per cell:
//   1. a faulted run: every record ends delivered, failed (retryable), skipped, or rejected by the
//      same content rule as in a run without faults; a fault never makes a record rejected;
//   2. the faults are cleared and a clean run follows;
//   3. the ledger then holds every record in the state of an undisturbed run (delivered, or
//      rejected by the same content rule) and the target systems hold exactly what an undisturbed
//      run leaves: nothing lost, nothing duplicated (cases, service rows, Primero referrals, PING
//      ingested referrals and decisions, transfer and sync statuses).
// Both with in-call retries (RetrySettings, waits not slept) and with one attempt per call, so the
// assertions hold whichever layer absorbs the fault. Each TEST_CASE writes its row of the table
// (fault x workflow -> outcome) to fault-matrix/<row>.md under the build directory.
#include "workflow_harness.h"

#include "faults.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

using namespace refbridge;
using faults_test::Workflow;
using faults_test::WorkflowHarness;
using sandbox::FaultKind;
using sandbox::FaultRule;
using workflows::RecordState;

namespace {

/// The state an undisturbed run leaves (one per workflow, computed once per process).
struct Baseline {
  std::map<std::string, std::string> ledger;
  std::map<std::string, std::string> target;
};

const Baseline& baseline(Workflow w) {
  static std::map<Workflow, Baseline> cache;
  auto it = cache.find(w);
  if (it != cache.end()) return it->second;
  WorkflowHarness h(w);
  const auto report = h.run();
  INFO(report.to_json());
  REQUIRE_FALSE(report.aborted());
  REQUIRE(report.count(RecordState::kFailed) == 0);
  REQUIRE(report.count(RecordState::kDelivered) > 0);
  Baseline b{h.ledger_states(), h.target_state()};
  return cache.emplace(w, std::move(b)).first->second;
}

/// One row of the matrix: a fault kind with its parameters and which matching requests it hits.
struct FaultRow {
  std::string name;
  std::function<void(FaultRule&)> configure;
  bool first_endpoint_only = false;  ///< one rule on the side's first endpoint (costly faults: hang)
  std::chrono::milliseconds timeout = faults_test::kLongTimeout;  ///< the faulted run's HTTP timeout
};

/// Rules putting `row`'s fault on every endpoint of the chosen side of workflow `w`.
sandbox::FaultPlan plan_for(const FaultRow& row, Workflow w, bool writes) {
  const auto& e = faults_test::endpoints(w);
  sandbox::FaultPlan plan;
  for (const auto& [method, path] : writes ? e.writes : e.reads) {
    if (row.first_endpoint_only && !plan.rules.empty()) break;
    FaultRule r;
    r.method = method;
    r.path = path;
    row.configure(r);
    plan.rules.push_back(r);
  }
  return plan;
}

/// "2D 9R", "0D 10F 1R", "2D 1S aborted": the faulted run's counts per state (zeros of F, S left out).
std::string counts(const workflows::RunReport& r) {
  std::ostringstream o;
  o << r.count(RecordState::kDelivered) << "D";
  if (r.count(RecordState::kFailed) > 0) o << " " << r.count(RecordState::kFailed) << "F";
  o << " " << r.count(RecordState::kRejected) << "R";
  if (r.count(RecordState::kSkipped) > 0) o << " " << r.count(RecordState::kSkipped) << "S";
  if (r.aborted()) o << " abort";
  return o.str();
}

/// The rules that made records fail, e.g. "transport, server_error" (ids of failures, deduplicated).
std::string failure_rules(const workflows::RunReport& r) {
  std::map<std::string, int> rules;
  for (const auto& o : r.records()) {
    if (o.state == RecordState::kFailed) ++rules[o.rule];
  }
  std::string out;
  for (const auto& [rule, n] : rules) out += (out.empty() ? "" : ", ") + rule;
  if (r.aborted()) out += std::string(out.empty() ? "" : ", ") + "abort: " + r.abort_reason().substr(0, r.abort_reason().find(':'));
  return out;
}

/// Checks one faulted run's outcomes against the undisturbed run's ledger states.
void check_faulted_outcomes(const workflows::RunReport& report, const Baseline& base) {
  for (const auto& o : report.records()) {
    INFO("record " << o.key << ": " << to_string(o.state) << " " << o.rule << " " << o.reason);
    auto it = base.ledger.find(o.key);
    if (it == base.ledger.end()) {
      // Only bookkeeping rows may be new (2.1: "<case_id>#referrals" when a case's referrals
      // could not be read); never a delivery or a rejection the undisturbed run did not make.
      CHECK((o.state == RecordState::kFailed || o.state == RecordState::kSkipped));
      continue;
    }
    const std::string& expected = it->second;
    switch (o.state) {
      case RecordState::kDelivered:
        CHECK(expected == "delivered");
        break;
      case RecordState::kRejected:
        CHECK(expected == "rejected:" + o.rule);  // a content rule, never the fault
        break;
      case RecordState::kFailed:
      case RecordState::kSkipped:
        break;
    }
  }
}

/// The ledger after the clean run against the undisturbed run's: every record of the undisturbed
/// run in the same state; a bookkeeping row only it has must be settled (skipped), not pending.
bool same_ledger(const std::map<std::string, std::string>& now, const std::map<std::string, std::string>& base) {
  bool same = true;
  for (const auto& [key, state] : base) {
    auto it = now.find(key);
    INFO("ledger row " << key << ": " << (it == now.end() ? std::string("missing") : it->second) << ", undisturbed: " << state);
    CHECK(it != now.end());
    if (it == now.end()) {
      same = false;
      continue;
    }
    CHECK(it->second == state);
    same = same && it->second == state;
  }
  for (const auto& [key, state] : now) {
    if (base.count(key) != 0) continue;
    INFO("extra ledger row " << key << ": " << state);
    CHECK(state == "skipped");
    same = same && state == "skipped";
  }
  return same;
}

/// One cell: fault on `w`'s reads or writes, faulted run, clean run, checks. Returns the cell text
/// ("n/a" when no request matched) and appends the failure rules seen to `details`.
std::string run_cell(std::string& details, const FaultRow& row, Workflow w, bool writes, bool in_call_retries) {
  const Baseline& base = baseline(w);
  WorkflowHarness h(w);
  const auto plan = plan_for(row, w, writes);
  h.box().set_faults(plan);
  const auto faulted = h.run(in_call_retries, row.timeout);
  INFO(faults_test::name(w) << (writes ? " writes" : " reads") << (in_call_retries ? " with" : " without")
                            << " in-call retries, faulted run: " << faulted.to_json());
  int hits = 0;
  for (const auto& s : h.box().fault_stats()) hits += s.hits;
  check_faulted_outcomes(faulted, base);

  h.box().clear_faults();
  const auto clean = h.run(in_call_retries);
  INFO("clean run: " << clean.to_json());
  CHECK_FALSE(clean.aborted());
  CHECK(clean.count(RecordState::kFailed) == 0);
  const bool ledger_ok = same_ledger(h.ledger_states(), base.ledger);  // delivered or rejected as undisturbed
  CHECK(h.target_state() == base.target);                              // nothing lost, nothing duplicated
  const bool ok = !clean.aborted() && clean.count(RecordState::kFailed) == 0 && ledger_ok && h.target_state() == base.target;
  if (hits == 0) return "n/a";
  const auto why = failure_rules(faulted);
  if (!why.empty()) {
    details += "- " + faults_test::name(w) + (writes ? " writes" : " reads") + (in_call_retries ? ", retries" : ", no retry") +
               ": " + why + "\n";
  }
  return std::to_string(hits) + "h " + counts(faulted) + (ok ? " ✓" : " ✗");
}

/// Writes the table header (00-header.md), the row (<order>.md) and its details (<order>-details.md)
/// under <build>/tests/faults/fault-matrix/; `cat fault-matrix/[0-9][0-9].md` gives the table.
void write_row(const std::string& order, const std::string& row, const std::vector<std::string>& cells,
               const std::string& details) {
  const std::filesystem::path dir = std::filesystem::path(REFBRIDGE_FAULT_MATRIX_DIR) / "fault-matrix";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "00.md", std::ios::trunc)
      << "Cell: requests hit, faulted run's records (D delivered, F failed for retry, R rejected by its content\n"
         "rule, S skipped; abort = the listing failed, records untouched), then ✓ when the clean run leaves the\n"
         "ledger and both systems exactly as an undisturbed run (nothing lost, nothing duplicated).\n"
         "Each cell: without in-call retries → with in-call retries (3 attempts).\n\n"
         "| fault | 1.1 reads | 1.1 writes | 1.2 reads | 1.2 writes | 2.1 reads | 2.1 writes | 2.2 reads | 2.2 writes |\n"
         "|---|---|---|---|---|---|---|---|---|\n";
  std::ofstream out(dir / (order + ".md"), std::ios::trunc);
  out << "| " << row;
  for (const auto& c : cells) out << " | " << c;
  out << " |\n";
  std::ofstream(dir / (order + "-details.md"), std::ios::trunc) << "### " << row << ": why records failed\n" << details;
}

/// Runs `row` over every workflow, reads and writes, without and with in-call retries.
void run_row(const std::string& order, const FaultRow& row) {
  std::vector<std::string> cells;
  std::string details;
  for (Workflow w : {Workflow::k11, Workflow::k12, Workflow::k21, Workflow::k22}) {
    for (bool writes : {false, true}) {
      const auto once = run_cell(details, row, w, writes, false);
      const auto retried = run_cell(details, row, w, writes, true);
      cells.push_back(once == "n/a" && retried == "n/a" ? "n/a" : once + " → " + retried);
    }
  }
  write_row(order, row.name, cells, details);
}

}  // namespace

TEST_CASE("fault latency: every call 5 ms slower, every record as undisturbed") {
  run_row("01", {"latency 5 ms", [](FaultRule& r) {
             r.kind = FaultKind::kLatency;
             r.latency_ms = 5;
           }});
}

TEST_CASE("fault status 500 on every second call: records fail or are retried, none lost or duplicated") {
  run_row("02", {"500 every 2nd", [](FaultRule& r) {
             r.kind = FaultKind::kStatus;
             r.status = 500;
             r.every = 2;
           }});
}

TEST_CASE("fault status 502 on every second call: records fail or are retried, none lost or duplicated") {
  run_row("03", {"502 every 2nd", [](FaultRule& r) {
             r.kind = FaultKind::kStatus;
             r.status = 502;
             r.every = 2;
           }});
}

TEST_CASE("fault status 503 with Retry-After on every second call: none lost or duplicated") {
  run_row("04", {"503 + Retry-After every 2nd", [](FaultRule& r) {
             r.kind = FaultKind::kStatus;
             r.status = 503;
             r.retry_after = 1;
             r.every = 2;
           }});
}

TEST_CASE("fault status 429 with Retry-After on every second call: none lost or duplicated") {
  run_row("05", {"429 + Retry-After every 2nd", [](FaultRule& r) {
             r.kind = FaultKind::kStatus;
             r.status = 429;
             r.retry_after = 1;
             r.every = 2;
           }});
}

TEST_CASE("fault connection reset before the request is handled: none lost or duplicated") {
  run_row("06", {"reset before handling, every 2nd", [](FaultRule& r) {
             r.kind = FaultKind::kReset;
             r.phase = sandbox::FaultPhase::kBefore;
             r.every = 2;
           }});
}

TEST_CASE("fault connection reset mid-body after the write was applied: none lost or duplicated") {
  run_row("07", {"reset mid-body after handling, every 2nd", [](FaultRule& r) {
             r.kind = FaultKind::kReset;
             r.phase = sandbox::FaultPhase::kAfter;
             r.every = 2;
           }});
}

TEST_CASE("fault no answer until the client times out, after the write was applied: none lost or duplicated") {
  run_row("08", {"hang 2 s after handling (client timeout 1 s), first call of the first endpoint",
                 [](FaultRule& r) {
                   r.kind = FaultKind::kHang;
                   r.phase = sandbox::FaultPhase::kAfter;
                   r.hang_ms = 2000;
                   r.first = 1;
                 },
                 true, faults_test::kShortTimeout});
}

TEST_CASE("fault truncated JSON bodies: records fail, never rejected, none lost or duplicated") {
  run_row("09", {"truncated JSON every 2nd", [](FaultRule& r) {
             r.kind = FaultKind::kTruncatedJson;
             r.every = 2;
           }});
}

TEST_CASE("fault malformed JSON bodies: records fail, never rejected, none lost or duplicated") {
  run_row("10", {"malformed JSON every 2nd", [](FaultRule& r) {
             r.kind = FaultKind::kMalformedJson;
             r.every = 2;
           }});
}

TEST_CASE("fault valid JSON of the wrong shape: records fail, never rejected, none lost or duplicated") {
  run_row("11", {"schema-violating JSON every 2nd", [](FaultRule& r) {
             r.kind = FaultKind::kSchemaViolation;
             r.every = 2;
           }});
}

TEST_CASE("fault every token expires mid-run: Primero logs in again, PING calls fail, none lost or duplicated") {
  run_row("12", {"token expiry at the 3rd Bearer call", [](FaultRule& r) {
             r.kind = FaultKind::kTokenExpiry;
             r.skip = 2;
             r.first = 1;
           }});
}

TEST_CASE("fault ingestion transactions fail: records fail, the next run delivers them once") {
  run_row("13", {"ingestion fails, every 2nd", [](FaultRule& r) {
             r.kind = FaultKind::kIngestionFail;
             r.every = 2;
           }});
}

TEST_CASE("fault ingestion transactions stay pending: records wait, the next run settles them once") {
  run_row("14", {"ingestion stays pending", [](FaultRule& r) { r.kind = FaultKind::kIngestionPending; }});
}
