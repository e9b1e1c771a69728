// Crash safety of the four workflows (issue 5): each workflow executable is SIGKILLed at its kill
// points (after each remote write the sandbox applied, before the answer; after each ledger commit
// and between the steps of a record), rerun without kill, and the final state of the sandbox and of
// the ledger must equal that of an uninterrupted run: no lost and no duplicated case, service row,
// referral, referral status, ingested record or decision, and every record final in the ledger.
// By default each test case exercises kBudget points: the first and last of every kind of point
// (e.g. "PATCH /v1/interventions/{id}/transfer-status", "ledger.record"), then points spread evenly;
// REFBRIDGE_CRASH_ALL=1 runs every point. The counts are written to
// crash-kill-points-<workflow>-<kind>.txt in the build directory and reported by WARN.
#include "crash_lab.h"
#include "scenarios.h"

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <sstream>

using namespace refbridge;
using namespace refbridge::crash_test;

namespace {

// Kill points per test case by default (REFBRIDGE_CRASH_ALL=1: all): about 2 runs of an ASan-built
// workflow each, so that the 8 test cases stay within ~60-90 s on 2 cores.
constexpr std::size_t kBudget = 12;

/// The last lines of a workflow's output (the runs after the kill are what matters).
std::string tail(const std::string& text) {
  constexpr std::size_t kMax = 4000;
  return text.size() <= kMax ? text : "..." + text.substr(text.size() - kMax);
}

void exercise(const Scenario& scenario, KillKind kind) {
  const Reference ref = reference_run(scenario);
  const bool writes = kind == KillKind::kRemoteWrite;
  const std::vector<std::string>& all = writes ? ref.writes : ref.crash_points;
  REQUIRE_FALSE(all.empty());
  const auto points = kill_points(all, kBudget);
  int exercised = 0;
  int needed_two_reruns = 0;
  for (const int k : points) {
    const KillResult r = kill_and_rerun(scenario, ref, kind, k);
    INFO("workflow " << scenario.workflow << ", killed at " << (writes ? "remote write " : "crash point ") << k << " of "
                     << all.size() << " (" << all[k - 1] << ")\n" << tail(r.output));
    REQUIRE(r.died_by_sigkill);
    INFO("final state differs from the uninterrupted run's after " << r.reruns << " rerun(s):\n" << r.difference);
    CHECK(r.difference.empty());
    ++exercised;
    if (r.reruns > 1) ++needed_two_reruns;
  }
  std::ostringstream summary;
  summary << "workflow " << scenario.workflow << ": " << exercised << " of " << all.size()
          << (writes ? " remote-write" : " crash-point") << " kill points exercised (" << needed_two_reruns
          << " needed a second rerun); the run's points: " << count_by_name(all);
  std::ofstream(std::string(REFBRIDGE_CRASH_REPORT_DIR) + "/crash-kill-points-" + scenario.workflow + "-" +
                (writes ? "writes" : "crash-points") + ".txt")
      << summary.str() << "\n";
  WARN(summary.str());
}

// SIGTERM or SIGINT after the first remote write: the run stops claiming records, lets the one in
// flight finish, exits 3 (workflow_main.h) with the ledger consistent; the next runs complete the
// rest, and the end state equals the uninterrupted run's (nothing lost, nothing sent twice).
void terminate_and_rerun(const Scenario& scenario, int signal) {
  const Reference ref = reference_run(scenario);
  Trial trial(scenario);
  trial.killer().arm(1, signal);
  const ChildExit stopped = trial.run();
  INFO("workflow " << scenario.workflow << ", signal " << signal << " at the first remote write\n" << tail(trial.output()));
  REQUIRE(trial.killer().fired());
  CHECK(stopped.describe() == "exit 3");
  for (int rerun = 0; rerun < 2 && trial.state() != ref.state; ++rerun) {
    CHECK(trial.run().describe() == "exit 0");
  }
  CHECK(trial.state() == ref.state);
}

}  // namespace

TEST_CASE("1.1 killed after each remote write then rerun ends as an uninterrupted run") {
  exercise(referrals_to_primero(), KillKind::kRemoteWrite);
}
TEST_CASE("1.1 killed at each ledger commit and record step then rerun ends as an uninterrupted run") {
  exercise(referrals_to_primero(), KillKind::kCrashPoint);
}
TEST_CASE("1.2 killed after each remote write then rerun ends as an uninterrupted run") {
  exercise(decisions_to_progres(), KillKind::kRemoteWrite);
}
TEST_CASE("1.2 killed at each ledger commit and record step then rerun ends as an uninterrupted run") {
  exercise(decisions_to_progres(), KillKind::kCrashPoint);
}
TEST_CASE("2.1 killed after each remote write then rerun ends as an uninterrupted run") {
  exercise(referrals_to_progres(), KillKind::kRemoteWrite);
}
TEST_CASE("2.1 killed at each ledger commit and record step then rerun ends as an uninterrupted run") {
  exercise(referrals_to_progres(), KillKind::kCrashPoint);
}
TEST_CASE("2.2 killed after each remote write then rerun ends as an uninterrupted run") {
  exercise(decisions_to_primero(), KillKind::kRemoteWrite);
}
TEST_CASE("2.2 killed at each ledger commit and record step then rerun ends as an uninterrupted run") {
  exercise(decisions_to_primero(), KillKind::kCrashPoint);
}

TEST_CASE("SIGTERM or SIGINT mid-run stops each workflow with exit 3 and the next run completes it exactly") {
  SECTION("1.1 SIGTERM") { terminate_and_rerun(referrals_to_primero(), SIGTERM); }
  SECTION("1.2 SIGINT") { terminate_and_rerun(decisions_to_progres(), SIGINT); }
  SECTION("2.1 SIGTERM") { terminate_and_rerun(referrals_to_progres(), SIGTERM); }
  SECTION("2.2 SIGTERM") { terminate_and_rerun(decisions_to_primero(), SIGTERM); }
}
