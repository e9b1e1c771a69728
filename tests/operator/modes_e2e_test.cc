// The operator's modes as processes against a seeded sandbox (issue "An operator's tool"):
// --dry-run writes nothing anywhere (no sandbox write, no ledger file) yet says what a run would
// write; --check proves configuration, ledger, connectivity and credentials and names what fails,
// with its sysexits status; --verify re-reads the destination of every delivered record and
// reports a duplicate with exit 65; a record retried by hand (refbridge-ledger retry) is processed
// again even though PING was told "failed", and ends delivered and acknowledged.
#include "crash_lab.h"
#include "scenarios.h"

#include "faults.h"

#include "refbridge/ledger.h"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace refbridge;
using namespace refbridge::crash_test;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<Scenario> all_scenarios() {
  return {referrals_to_primero(2), decisions_to_progres(2), referrals_to_progres(2), decisions_to_primero(2)};
}

std::vector<LedgerRecord> rows(const std::string& ledger_path, const std::string& workflow, LedgerState state) {
  auto ledger = open_sqlite_ledger(ledger_path, LedgerOpenMode::kReadOnly);
  REQUIRE(ledger);
  auto listed = ledger.value()->list(workflow, state, 1000);
  REQUIRE(listed);
  return listed.value();
}

}  // namespace

TEST_CASE("dry run: every workflow says what it would write and writes nothing, before and after a real run") {
  for (const auto& scenario : all_scenarios()) {
    DYNAMIC_SECTION("workflow " << scenario.workflow) {
      Trial trial(scenario);
      const ChildExit dry = trial.run_with({"--dry-run"});
      INFO(trial.output());
      REQUIRE(dry.exited);
      CHECK(dry.code == 0);
      CHECK(trial.killer().writes() == 0);
      CHECK_FALSE(std::filesystem::exists(trial.path("ledger.sqlite")));  // a missing ledger is not created
      CHECK(contains(trial.output(), "would "));
      CHECK(contains(trial.output(), "nothing was written to PING, Primero or the ledger"));
      CHECK(contains(trial.output(), "dry run " + scenario.workflow + ": "));

      REQUIRE(trial.run().code == 0);
      const int writes = trial.killer().writes();
      CHECK(writes > 0);
      const auto settled = trial.state();
      REQUIRE(trial.run_with({"--dry-run"}).code == 0);
      CHECK(trial.killer().writes() == writes);
      CHECK(trial.state() == settled);  // the ledger file is as the real run left it
    }
  }
}

TEST_CASE("verify: after a run every delivered record is in its destination; writes nothing") {
  for (const auto& scenario : all_scenarios()) {
    DYNAMIC_SECTION("workflow " << scenario.workflow) {
      Trial trial(scenario);
      REQUIRE(trial.run().code == 0);
      const int writes = trial.killer().writes();
      REQUIRE_FALSE(rows(trial.path("ledger.sqlite"), scenario.workflow, LedgerState::kDelivered).empty());
      const ChildExit verified = trial.run_with({"--verify"});
      INFO(trial.output());
      CHECK(verified.code == 0);
      CHECK(contains(trial.output(), " ok, 0 missing, 0 duplicated, 0 different"));
      CHECK(trial.killer().writes() == writes);
      CHECK(trial.run_with({"--verify", "--since", "2099-01-01T00:00:00Z"}).code == 0);
      CHECK(contains(trial.output(), "verify " + scenario.workflow + ": 0 delivered records checked"));
      CHECK(trial.run_with({"--verify", "--since", "yesterday"}).code == 64);
    }
  }
}

TEST_CASE("verify: a second case for a child that has one is reported as duplicated, exit 65") {
  const Scenario scenario = referrals_to_primero(2);  // Trial keeps a reference
  Trial trial(scenario);
  REQUIRE(trial.run().code == 0);
  // Somebody registers the first synthetic child again by hand in Primero.
  REQUIRE(trial.box().add_primero_case(R"({"unhcr_individual_no":"SYN-IND-00000001","owned_by":"primero_api"})"));
  const ChildExit verified = trial.run_with({"--verify"});
  INFO(trial.output());
  CHECK(verified.code == 65);
  CHECK(contains(trial.output(), ": duplicated: 2 Primero cases have the individual of case "));
  CHECK(contains(trial.output(), " 3 duplicated, 0 different"));  // the child's three interventions
}

TEST_CASE("check: passes against a healthy sandbox, names the system, operation and host that fail") {
  const Scenario scenario = referrals_to_primero(1);  // Trial keeps a reference
  Trial trial(scenario);
  const ChildExit healthy = trial.run_with({"--check"});
  INFO(trial.output());
  CHECK(healthy.code == 0);
  CHECK(contains(trial.output(), "check 1.1: all 7 steps passed"));
  CHECK(contains(trial.output(), "ok    Primero forms and lookups"));

  CHECK(trial.run_with({"--check"}, {{"REFBRIDGE_PRIMERO_PASSWORD", "wrong-password"}}).code == 77);
  CHECK(contains(trial.output(), "FAIL  Primero "));
  CHECK(contains(trial.output(), "Primero listCases on 127.0.0.1:"));

  CHECK(trial.run_with({"--check"}, {{"REFBRIDGE_PING_BASE_URL", "http://127.0.0.1:1"}}).code == 69);
  CHECK(contains(trial.output(), "PING listOutgoingReferrals on 127.0.0.1:1: "));

  CHECK(trial.killer().writes() == 0);
  CHECK_FALSE(std::filesystem::exists(trial.path("ledger.sqlite")));
}

TEST_CASE("retry by hand: a record rejected by Primero is processed again after refbridge-ledger retry") {
  const Scenario scenario = referrals_to_primero(1);  // Trial keeps a reference
  Trial trial(scenario);
  // Primero refuses the first case creation (422), as an instance with a broken form would.
  auto plan = sandbox::parse_fault_plan("rules:\n  - {method: POST, path: /api/v2/cases, kind: status, status: 422, first: 1}\n");
  REQUIRE(plan);
  trial.box().set_faults(plan.value());
  REQUIRE(trial.run().code == 0);
  const auto rejected = rows(trial.path("ledger.sqlite"), "1.1", LedgerState::kRejected);
  const auto refused = std::find_if(rejected.begin(), rejected.end(), [](const LedgerRecord& r) { return r.error_code == "unprocessable"; });
  REQUIRE(refused != rejected.end());
  CHECK(trial.box().transfer_status(refused->source_id) == "failed");  // PING was told, with the reason

  // A second run does not touch it: PING no longer lists it, the ledger says rejected.
  trial.box().clear_faults();
  REQUIRE(trial.run().code == 0);
  CHECK(trial.box().transfer_status(refused->source_id) == "failed");

  // The Primero administrator fixed the form; the integration officer asks for a retry.
  const std::string cmd = std::string(REFBRIDGE_LEDGER_EXE) + " --ledger " + trial.path("ledger.sqlite") +
                          " retry --workflow 1.1 --key " + refused->source_key + " --reason 'ticket 4711: form fixed' >> " +
                          trial.path("output.txt") + " 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  REQUIRE(trial.run().code == 0);
  INFO(trial.output());
  auto ledger = open_sqlite_ledger(trial.path("ledger.sqlite"), LedgerOpenMode::kReadOnly);
  REQUIRE(ledger);
  auto row = ledger.value()->find("1.1", refused->source_key);
  REQUIRE(row);
  REQUIRE(row.value());
  CHECK(row.value()->state == LedgerState::kDelivered);
  CHECK(trial.box().transfer_status(refused->source_id) == "transferred");
  CHECK(trial.run_with({"--verify"}).code == 0);
}
