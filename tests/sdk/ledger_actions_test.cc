// refbridge-ledger retry / resolve (tools/ledger/actions.h, issue 12): runs the built executable on
// a ledger prepared here and checks the changed rows, the audit events (who, when, why), the
// refusal while a run holds the lease (75), filtered sets with confirmation, list / summary over
// the four workflows and the usage errors (64).
#include "refbridge/ledger.h"

#include "ledger_temp_dir.h"

#include <catch2/catch.hpp>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#ifndef REFBRIDGE_LEDGER_EXE
#error "REFBRIDGE_LEDGER_EXE must name the refbridge-ledger executable"
#endif

using refbridge::LedgerRecord;
using refbridge::LedgerState;
using refbridge::LedgerTime;
using refbridge::testing::TempDir;

namespace {

LedgerTime at(std::int64_t ms) { return LedgerTime{std::chrono::milliseconds{1'735'725'600'000 + ms}}; }

std::string quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct Cli {
  int exit = -1;
  std::string out, err;
};

/// Runs refbridge-ledger with `args` and `input` on stdin.
Cli cli(const TempDir& dir, const std::vector<std::string>& args, const std::string& input = "") {
  std::ofstream(dir.file("stdin.txt")) << input;
  std::string command = quote(REFBRIDGE_LEDGER_EXE);
  for (const auto& a : args) command += " " + quote(a);
  command += " <" + quote(dir.file("stdin.txt")) + " 2>" + quote(dir.file("stderr.txt"));
  Cli r;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) r.out.append(buf, n);
  const int status = ::pclose(pipe);
  r.exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(dir.file("stderr.txt"));
  std::ostringstream text;
  text << err.rdbuf();
  r.err = text.str();
  return r;
}

LedgerRecord row(std::string workflow, std::string key, LedgerState state, std::string rule, int attempts = 1) {
  LedgerRecord r;
  r.workflow = std::move(workflow);
  r.source_key = std::move(key);
  r.source_id = "guid-" + r.source_key;
  r.state = state;
  r.attempts = attempts;
  r.error_code = std::move(rule);
  r.error_message = "rule message";
  r.updated_at = at(1000);
  r.first_seen_at = at(1000);
  if (state == LedgerState::kFailed) r.next_attempt_at = at(600'000);
  return r;
}

/// 1.2: three rejected (two accepted-type-gate, one retries-exhausted), one failed, one delivered;
/// 2.1: one rejected.
std::unique_ptr<refbridge::Ledger> prepare(const std::string& path) {
  auto ledger = std::move(refbridge::open_sqlite_ledger(path).value());
  const auto run = ledger->begin_run("1.2", at(0)).value();
  REQUIRE(ledger->record(row("1.2", "C1#a", LedgerState::kRejected, "accepted-type-gate"), run));
  REQUIRE(ledger->record(row("1.2", "C2#a", LedgerState::kRejected, "accepted-type-gate"), run));
  REQUIRE(ledger->record(row("1.2", "C3#a", LedgerState::kRejected, "retries-exhausted", 5), run));
  REQUIRE(ledger->record(row("1.2", "C4#a", LedgerState::kFailed, "timeout", 2), run));
  REQUIRE(ledger->record(row("1.2", "C5#a", LedgerState::kDelivered, ""), run));
  REQUIRE(ledger->finish_run(run, {1, 0, 3, 1}, at(2000), "", ""));
  REQUIRE(ledger->record(row("2.1", "P1#b", LedgerState::kRejected, "missing-contact"), 0));
  return ledger;
}

std::string me() {
  const passwd* pw = ::getpwuid(::getuid());
  return pw != nullptr ? pw->pw_name : "uid " + std::to_string(::getuid());
}

}  // namespace

TEST_CASE("retry makes a rejected record due at the next run and records who, when and why") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  auto ledger = prepare(path);
  const auto before = std::chrono::system_clock::now();
  const auto r = cli(dir, {"--ledger", path, "retry", "--workflow", "1.2", "--key", "C3#a", "--reason", "ticket 4711: PING fixed"});
  INFO(r.err);
  REQUIRE(r.exit == 0);
  CHECK_THAT(r.out, Catch::Contains("retry C3#a (was rejected: retries-exhausted)"));
  const auto now = ledger->find("1.2", "C3#a").value().value();
  CHECK(now.state == LedgerState::kFailed);
  CHECK(now.attempts == 0);
  CHECK_FALSE(now.next_attempt_at);
  CHECK(now.error_code == "retry-by-hand");
  const auto events = ledger->history("1.2", "C3#a").value();
  REQUIRE(events.size() == 2);
  CHECK(events.back().run_id == 0);
  CHECK(events.back().at >= std::chrono::time_point_cast<std::chrono::milliseconds>(before) - std::chrono::seconds(1));
  CHECK(events.back().error_message == "by " + me() + ": ticket 4711: PING fixed (was rejected: retries-exhausted)");
  // Due now: the next run of 1.2 takes it (Ledger::due).
  const auto due = ledger->due("1.2", at(10'000), 100).value();
  CHECK(std::any_of(due.begin(), due.end(), [](const LedgerRecord& d) { return d.source_key == "C3#a"; }));

  const auto shown = cli(dir, {"--ledger", path, "show", "--workflow", "1.2", "--key", "C3#a"});
  CHECK_THAT(shown.out, Catch::Contains("retry-by-hand") && Catch::Contains("ticket 4711"));
}

TEST_CASE("resolve closes a record by hand; delivered and unknown records are refused (exit 1)") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  auto ledger = prepare(path);
  const auto r = cli(dir, {"--ledger", path, "resolve", "--workflow", "2.1", "--key", "P1#b", "--reason", "handled by phone, ref 88"});
  INFO(r.err);
  REQUIRE(r.exit == 0);
  const auto now = ledger->find("2.1", "P1#b").value().value();
  CHECK(now.state == LedgerState::kSkipped);
  CHECK(now.error_code == "resolved-by-hand");
  CHECK_THAT(now.error_message, Catch::StartsWith("by " + me() + ": handled by phone"));

  const auto delivered = cli(dir, {"--ledger", path, "retry", "--workflow", "1.2", "--key", "C5#a", "--reason", "x"});
  CHECK(delivered.exit == 1);
  CHECK_THAT(delivered.err, Catch::Contains("it was delivered"));
  CHECK(ledger->history("1.2", "C5#a").value().size() == 1);
  CHECK(cli(dir, {"--ledger", path, "resolve", "--workflow", "1.2", "--key", "nope", "--reason", "x"}).exit == 1);
}

TEST_CASE("retry and resolve refuse while a run holds the workflow's lease (exit 75), nothing changed") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  auto ledger = prepare(path);
  auto lease = ledger->acquire_run_lease("1.2", at(0));
  REQUIRE(lease);
  const auto r = cli(dir, {"--ledger", path, "retry", "--workflow", "1.2", "--key", "C1#a", "--reason", "x"});
  CHECK(r.exit == 75);
  CHECK_THAT(r.err, Catch::Contains("another run holds the run lease") && Catch::Contains("nothing changed"));
  CHECK(ledger->find("1.2", "C1#a").value()->state == LedgerState::kRejected);
  // Another workflow's lease is independent.
  CHECK(cli(dir, {"--ledger", path, "resolve", "--workflow", "2.1", "--key", "P1#b", "--reason", "x"}).exit == 0);
}

TEST_CASE("a filtered set is counted and confirmed unless --yes") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  auto ledger = prepare(path);
  const std::vector<std::string> args = {"--ledger", path, "retry", "--workflow", "1.2", "--state", "rejected",
                                         "--rule", "accepted-type-gate", "--reason", "profile table fixed"};
  const auto refused = cli(dir, args, "n\n");
  CHECK(refused.exit == 1);
  CHECK_THAT(refused.err, Catch::Contains("2 records of workflow 1.2 in state rejected with rule accepted-type-gate") &&
                              Catch::Contains("not confirmed"));
  CHECK(ledger->find("1.2", "C1#a").value()->state == LedgerState::kRejected);

  const auto yes = cli(dir, args, "y\n");
  REQUIRE(yes.exit == 0);
  CHECK_THAT(yes.out, Catch::Contains("2 records of workflow 1.2 due at the next run"));
  CHECK(ledger->find("1.2", "C1#a").value()->state == LedgerState::kFailed);
  CHECK(ledger->find("1.2", "C2#a").value()->state == LedgerState::kFailed);
  CHECK(ledger->find("1.2", "C3#a").value()->state == LedgerState::kRejected);  // another rule

  auto all = args;
  all.erase(all.begin() + 7, all.begin() + 9);  // no --rule
  all.push_back("--yes");
  const auto rest = cli(dir, all);
  CHECK(rest.exit == 0);
  CHECK(ledger->find("1.2", "C3#a").value()->state == LedgerState::kFailed);
  CHECK(cli(dir, all).exit == 1);  // nothing left in state rejected

  const auto failed = cli(dir, {"--ledger", path, "resolve", "--workflow", "1.2", "--state", "failed", "--rule", "timeout",
                                "--reason", "duplicate of C1", "--yes"});
  CHECK(failed.exit == 0);
  CHECK(ledger->find("1.2", "C4#a").value()->state == LedgerState::kSkipped);
}

TEST_CASE("list and summary without --workflow cover the four workflows; bad ids and arguments exit 64") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  auto ledger = prepare(path);
  const auto list = cli(dir, {"--ledger", path, "list", "--state", "rejected"});
  REQUIRE(list.exit == 0);
  CHECK_THAT(list.out, Catch::StartsWith("WORKFLOW") && Catch::Contains("1.2       C1#a") && Catch::Contains("2.1       P1#b"));
  const auto summary = cli(dir, {"--ledger", path, "summary"});
  for (const char* w : {"workflow 1.1", "workflow 1.2", "workflow 2.1", "workflow 2.2"}) CHECK_THAT(summary.out, Catch::Contains(w));
  CHECK_THAT(cli(dir, {"--ledger", path, "summary", "--workflow", "2.1"}).out, !Catch::Contains("workflow 1.2"));

  const std::vector<std::vector<std::string>> usage = {
      {"list", "--workflow", "3.1"},
      {"summary", "--workflow", "1.3"},
      {"retry", "--workflow", "1.1/targets", "--key", "k", "--reason", "x"},
      {"retry", "--workflow", "1.2", "--key", "C1#a"},                                       // no --reason
      {"retry", "--workflow", "1.2", "--key", "C1#a", "--state", "rejected", "--reason", "x"},  // both
      {"retry", "--workflow", "1.2", "--state", "failed", "--reason", "x"},
      {"retry", "--workflow", "1.2", "--key", "C1#a", "--reason", "  "},
      {"list", "--after", "C1#a"},
  };
  for (auto args : usage) {
    args.insert(args.begin(), {"--ledger", path});
    const auto r = cli(dir, args);
    INFO(args[2] << " " << args[4] << ": " << r.err);
    CHECK(r.exit == 64);
  }
  CHECK(ledger->find("1.2", "C1#a").value()->state == LedgerState::kRejected);
  const auto missing = dir.file("missing.db");
  CHECK(cli(dir, {"--ledger", missing, "retry", "--workflow", "1.2", "--key", "k", "--reason", "x"}).exit == 74);
  CHECK_FALSE(std::filesystem::exists(missing));
}
