// The "No duplicate, ever" issue, as processes: (1) two runs of one workflow at once on one ledger
// (a cron or CronJob overlap, a manual run during a scheduled one): exactly one runs, the other
// exits 75 naming the holder, and the end state is that of one run; (2) SIGKILL at random moments
// at concurrency 8 (kill point k is then no fixed instant), rerun, and compare with an
// uninterrupted run at the same concurrency. REFBRIDGE_CRASH_RANDOM=<n> sets the random kill
// points per workflow and kind (default 4); the counts land in crash-random-<workflow>.txt.
#include "crash_lab.h"
#include "final_state.h"
#include "scenarios.h"
#include "pg_server.h"

#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <thread>

using namespace refbridge;
using namespace refbridge::crash_test;

namespace {

constexpr int kExitLeaseHeld = 75;  // workflows/common/exit_status.h

std::string tail(const std::string& text) {
  constexpr std::size_t kMax = 4000;
  return text.size() <= kMax ? text : "..." + text.substr(text.size() - kMax);
}

// The first run is stopped (SIGSTOP) at its first remote write, so it certainly holds the lease
// while the second starts; then it is continued and finishes alone.
// `setup` prepares the trial before the runs (e.g. Trial::use_ledger for a PostgreSQL ledger).
void overlap_exactly_one_runs(const Scenario& scenario, const std::function<void(Trial&)>& setup = {}) {
  const Reference ref = reference_run(scenario);
  Trial trial(scenario);
  if (setup) setup(trial);
  trial.killer().arm(1, SIGSTOP);
  const pid_t first = trial.start();
  for (int i = 0; i < 6000 && !trial.killer().fired(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(trial.killer().fired());
  const pid_t second = trial.start();
  const ChildExit second_end = trial.wait(second);
  ::kill(first, SIGCONT);
  const ChildExit first_end = trial.wait(first);
  INFO("workflow " << scenario.workflow << "\n" << tail(trial.output()));
  CHECK(second_end.describe() == "exit " + std::to_string(kExitLeaseHeld));
  CHECK_THAT(trial.output(), Catch::Contains("another run holds the run lease") &&
                                 Catch::Contains("pid " + std::to_string(first)));
  CHECK(first_end.describe() == "exit 0");
  CHECK(state_difference(ref.state, trial.state()).empty());
}

// Two runs started at the same instant: whichever gets the lease runs; the other exits 75 at once
// (or, when the first had already finished, runs and finds nothing to do). Never a duplicate.
void overlap_started_together(const Scenario& scenario) {
  const Reference ref = reference_run(scenario);
  Trial trial(scenario);
  const pid_t a = trial.start();
  const pid_t b = trial.start();
  const ChildExit ea = trial.wait(a);
  const ChildExit eb = trial.wait(b);
  INFO("workflow " << scenario.workflow << "\n" << tail(trial.output()));
  const bool a_ran = ea.describe() == "exit 0";
  const bool b_ran = eb.describe() == "exit 0";
  CHECK((a_ran || b_ran));
  if (!a_ran) CHECK(ea.describe() == "exit 75");
  if (!b_ran) CHECK(eb.describe() == "exit 75");
  CHECK(state_difference(ref.state, trial.state()).empty());
}

int random_points() {
  const char* n = std::getenv("REFBRIDGE_CRASH_RANDOM");
  return n != nullptr && std::atoi(n) > 0 ? std::atoi(n) : 4;
}

void random_kills(const Scenario& scenario, KillKind kind, unsigned seed) {
  const Reference ref = reference_run(scenario);
  const bool writes = kind == KillKind::kRemoteWrite;
  const auto& all = writes ? ref.writes : ref.crash_points;
  REQUIRE(all.size() >= 2);
  // Within the first 90%: at concurrency 8 a run may reach a few points fewer than the reference.
  std::uniform_int_distribution<int> pick(1, std::max(1, static_cast<int>(all.size() * 9 / 10)));
  std::mt19937 rng(seed);
  int exercised = 0;
  for (int i = 0; i < random_points(); ++i) {
    const int k = pick(rng);
    const KillResult r = kill_and_rerun(scenario, ref, kind, k);
    INFO("workflow " << scenario.workflow << " at concurrency " << scenario.concurrency << ", killed at "
                     << (writes ? "remote write " : "crash point ") << k << " of " << all.size() << "\n" << tail(r.output));
    REQUIRE(r.died_by_sigkill);
    INFO(r.difference);
    CHECK(r.difference.empty());
    ++exercised;
  }
  std::ofstream(std::string(REFBRIDGE_CRASH_REPORT_DIR) + "/crash-random-" + scenario.workflow + "-" +
                    (writes ? "writes" : "crash-points") + ".txt")
      << "workflow " << scenario.workflow << ": " << exercised << " random " << (writes ? "remote-write" : "crash-point")
      << " kill points at concurrency " << scenario.concurrency << " (of " << all.size() << "), all ended as the uninterrupted run\n";
}

}  // namespace

TEST_CASE("two runs of one workflow at once: exactly one runs, the other exits 75 naming the holder") {
  SECTION("1.1") { overlap_exactly_one_runs(referrals_to_primero(8)); }
  SECTION("1.2") { overlap_exactly_one_runs(decisions_to_progres(8)); }
  SECTION("2.1") { overlap_exactly_one_runs(referrals_to_progres(8)); }
  SECTION("2.2") { overlap_exactly_one_runs(decisions_to_primero(8)); }
}

TEST_CASE("two runs of one workflow started at the same instant never duplicate anything") {
  SECTION("1.1") { overlap_started_together(referrals_to_primero(8)); }
  SECTION("1.2") { overlap_started_together(decisions_to_progres(8)); }
  SECTION("2.1") { overlap_started_together(referrals_to_progres(8)); }
  SECTION("2.2") { overlap_started_together(decisions_to_primero(8)); }
}

TEST_CASE("1.1 SIGKILLed at random moments at concurrency 8, rerun, ends as an uninterrupted run") {
  random_kills(referrals_to_primero(8), KillKind::kRemoteWrite, 811);
  random_kills(referrals_to_primero(8), KillKind::kCrashPoint, 812);
}
TEST_CASE("1.2 SIGKILLed at random moments at concurrency 8, rerun, ends as an uninterrupted run") {
  random_kills(decisions_to_progres(8), KillKind::kRemoteWrite, 121);
  random_kills(decisions_to_progres(8), KillKind::kCrashPoint, 122);
}
TEST_CASE("2.1 SIGKILLed at random moments at concurrency 8, rerun, ends as an uninterrupted run") {
  random_kills(referrals_to_progres(8), KillKind::kRemoteWrite, 211);
  random_kills(referrals_to_progres(8), KillKind::kCrashPoint, 212);
}
TEST_CASE("2.2 SIGKILLed at random moments at concurrency 8, rerun, ends as an uninterrupted run") {
  random_kills(decisions_to_primero(8), KillKind::kRemoteWrite, 221);
  random_kills(decisions_to_primero(8), KillKind::kCrashPoint, 222);
}

TEST_CASE("two runs of 1.1 at once on a PostgreSQL ledger: exactly one runs, the other exits 75 naming the holder") {
  const auto& server = testing::PgServer::instance();
  overlap_exactly_one_runs(referrals_to_primero(), [&](Trial& t) {
    t.use_ledger(server.url(), testing::PgServer::fresh_deployment("overlap"), server.password());
  });
}
