// The four workflows against the sandbox with a PostgreSQL ledger (the "Beyond one machine"
// issue): each ends exactly as with SQLite (same final state of PING, Primero and the ledger),
// and several deployments running all four workflows at once on one server each end as alone; a
// sample of the crash tests (SIGKILL at remote writes and at ledger commits, then reruns) on it.
// REFBRIDGE_PG_DEPLOYMENTS=<n> sets how many deployments run at once (default 2, lean for CI);
// the timing lands in pg-deployments.txt (measured, never asserted).
#include "crash_lab.h"
#include "final_state.h"
#include "pg_server.h"
#include "scenarios.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <vector>

using namespace refbridge;
using namespace refbridge::crash_test;
using refbridge::testing::PgServer;

namespace {

int deployments() {
  const char* n = std::getenv("REFBRIDGE_PG_DEPLOYMENTS");
  return n != nullptr && std::atoi(n) > 0 ? std::atoi(n) : 2;
}

}  // namespace

TEST_CASE("1.1 on a PostgreSQL ledger ends as on SQLite, and a second run changes nothing") {
  const Scenario scenario = referrals_to_primero();
  const Reference ref = reference_run(scenario);
  const auto& server = PgServer::instance();
  Trial trial(scenario);
  trial.use_ledger(server.url(), PgServer::fresh_deployment("e2e"), server.password());
  const ChildExit first = trial.run();
  INFO(trial.output());
  REQUIRE(first.describe() == "exit 0");
  CHECK(state_difference(ref.state, trial.state()).empty());
  REQUIRE(trial.run().describe() == "exit 0");
  CHECK(state_difference(ref.state, trial.state()).empty());
}

TEST_CASE("several deployments x the four workflows at once on one PostgreSQL: each ends as alone") {
  const auto& server = PgServer::instance();
  const std::vector<Scenario> scenarios = {referrals_to_primero(), decisions_to_progres(), referrals_to_progres(),
                                           decisions_to_primero()};
  std::vector<Reference> refs;
  for (const auto& s : scenarios) refs.push_back(reference_run(s));
  const int n = deployments();
  std::vector<std::unique_ptr<Trial>> trials;
  std::vector<std::size_t> which;
  for (int d = 0; d < n; ++d) {
    const auto deployment = PgServer::fresh_deployment("op" + std::to_string(d));
    for (std::size_t s = 0; s < scenarios.size(); ++s) {
      trials.push_back(std::make_unique<Trial>(scenarios[s]));
      trials.back()->use_ledger(server.url(), deployment, server.password());
      which.push_back(s);
    }
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<pid_t> pids;
  for (auto& t : trials) pids.push_back(t->start());
  int ok = 0;
  for (std::size_t i = 0; i < trials.size(); ++i) {
    const ChildExit end = trials[i]->wait(pids[i]);
    INFO("workflow " << scenarios[which[i]].workflow << "\n" << trials[i]->output());
    CHECK(end.describe() == "exit 0");
    const auto difference = state_difference(refs[which[i]].state, trials[i]->state());
    CHECK(difference.empty());
    ok += end.describe() == "exit 0" && difference.empty() ? 1 : 0;
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  std::ofstream(std::string(REFBRIDGE_CRASH_REPORT_DIR) + "/pg-deployments.txt")
      << n << " deployments x 4 workflows at once on one PostgreSQL: " << ok << " of " << trials.size()
      << " runs exited 0 and ended as alone; wall time " << ms << " ms\n";
}

TEST_CASE("1.1 and 1.2 SIGKILLed at a sample of their kill points on a PostgreSQL ledger, rerun, end as uninterrupted") {
  const auto& server = PgServer::instance();
  for (const Scenario& scenario : {referrals_to_primero(), decisions_to_progres()}) {
    const Reference ref = reference_run(scenario);
    const auto on_postgres = [&](Trial& trial) {
      trial.use_ledger(server.url(), PgServer::fresh_deployment("crash"), server.password());
    };
    for (const auto& [kind, points] : {std::pair{KillKind::kRemoteWrite, &ref.writes},
                                       std::pair{KillKind::kCrashPoint, &ref.crash_points}}) {
      for (const int k : kill_points(*points, 3)) {
        const KillResult r = kill_and_rerun(scenario, ref, kind, k, 2, on_postgres);
        INFO("workflow " << scenario.workflow << ", kill point " << k << " (" << (*points)[k - 1] << ")\n" << r.output);
        CHECK(r.died_by_sigkill);
        CHECK(r.difference.empty());
      }
    }
  }
}
