// refbridge-ledger (tools/ledger): runs the built executable on a ledger prepared here and checks
// show, list --state failed --json, runs, summary and the exit statuses (actions: ledger_actions_test.cc).
#include "refbridge/ledger.h"

#include "ledger_temp_dir.h"
#include "pg_server.h"

#include "refbridge/ledger_postgres.h"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
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

/// 2025-01-01T10:00:00.000Z plus `ms`.
LedgerTime at(std::int64_t ms) { return LedgerTime{std::chrono::milliseconds{1'735'725'600'000 + ms}}; }

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct CliResult {
  int exit = -1;
  std::string out;
  std::string err;
};

/// Runs refbridge-ledger with `args`; stdout is captured, stderr goes through a file in `dir`.
CliResult run_cli(const TempDir& dir, const std::vector<std::string>& args) {
  const std::string err_path = dir.file("stderr.txt");
  std::string command = shell_quote(REFBRIDGE_LEDGER_EXE);
  for (const auto& a : args) command += " " + shell_quote(a);
  command += " 2>" + shell_quote(err_path);
  CliResult r;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) r.out.append(buf, n);
  const int status = ::pclose(pipe);
  r.exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_path);
  std::ostringstream text;
  text << err.rdbuf();
  r.err = text.str();
  return r;
}

/// Workflow 1.1 over two runs: K51 failed then delivered; K52 and K53 failed; K54 rejected.
std::unique_ptr<refbridge::Ledger> prepare(const std::string& path) {
  auto opened = refbridge::open_sqlite_ledger(path);
  REQUIRE(opened);
  auto ledger = std::move(opened.value());
  REQUIRE(ledger->set_cursor("1.1", "2025-01-01T10:01:00.000Z"));
  const auto run1 = ledger->begin_run("1.1", at(0)).value();
  auto row = [](std::string key, LedgerState state, LedgerTime when) {
    LedgerRecord r;
    r.workflow = "1.1";
    r.source_key = std::move(key);
    r.source_id = "guid-" + r.source_key;
    r.state = state;
    r.attempts = 1;
    r.first_seen_at = when;
    r.updated_at = when;
    return r;
  };
  auto k51 = row("989-22-PRTITV-0000051", LedgerState::kFailed, at(1'000));
  k51.error_code = "timeout";
  k51.error_message = "Primero did not answer within 30000 ms";
  REQUIRE(ledger->record(k51, run1));
  for (const char* key : {"989-22-PRTITV-0000053", "989-22-PRTITV-0000052"}) {
    auto failed = row(key, LedgerState::kFailed, at(1'200));
    failed.error_code = "server_error";
    failed.error_message = "Primero answered 503";
    failed.next_attempt_at = at(600'000);
    REQUIRE(ledger->record(failed, run1));
  }
  auto k54 = row("989-22-PRTITV-0000054", LedgerState::kRejected, at(1'300));
  k54.error_code = "accepted-type-gate";
  REQUIRE(ledger->record(k54, run1));
  REQUIRE(ledger->finish_run(run1, {0, 0, 1, 3}, at(2'000), "", "2025-01-01T10:00:00.000Z"));

  const auto run2 = ledger->begin_run("1.1", at(60'000)).value();
  k51.state = LedgerState::kDelivered;
  k51.attempts = 2;
  k51.error_code.clear();
  k51.error_message.clear();
  k51.target_key = "case-7f3c";
  k51.updated_at = at(60'250);
  REQUIRE(ledger->record(k51, run2));
  REQUIRE(ledger->finish_run(run2, {1, 0, 0, 0}, at(61'000), "", "2025-01-01T10:01:00.000Z"));
  return ledger;
}

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

}  // namespace

TEST_CASE("refbridge-ledger show prints the record and its history across runs") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  const auto writer = prepare(path);  // kept open: the command reads beside a live writer

  const auto r = run_cli(dir, {"--ledger", path, "show", "--workflow", "1.1", "--key", "989-22-PRTITV-0000051"});
  INFO(r.err);
  REQUIRE(r.exit == 0);
  CHECK_THAT(r.out, Catch::Contains("workflow 1.1, key 989-22-PRTITV-0000051"));
  CHECK_THAT(r.out, Catch::Contains("delivered"));
  CHECK_THAT(r.out, Catch::Contains("case-7f3c"));
  CHECK_THAT(r.out, Catch::Contains("history (2 events, oldest first)"));
  CHECK_THAT(r.out, Catch::Contains("2025-01-01T10:00:01.000Z"));  // the failed attempt, run 1
  CHECK_THAT(r.out, Catch::Contains("2025-01-01T10:01:00.250Z"));  // the delivery, run 2
  CHECK_THAT(r.out, Catch::Contains("Primero did not answer within 30000 ms"));

  SECTION("--json") {
    const auto j = run_cli(dir, {"--ledger", path, "show", "--workflow", "1.1", "--key", "989-22-PRTITV-0000051", "--json"});
    REQUIRE(j.exit == 0);
    const auto doc = parse(j.out);
    CHECK(std::string(doc["record"]["state"].GetString()) == "delivered");
    REQUIRE(doc["history"].Size() == 2);
    CHECK(doc["history"][0]["run_id"].GetInt64() == 1);
    CHECK(std::string(doc["history"][0]["state"].GetString()) == "failed");
    CHECK(std::string(doc["history"][0]["error_code"].GetString()) == "timeout");
    CHECK(doc["history"][1]["run_id"].GetInt64() == 2);
  }
}

TEST_CASE("refbridge-ledger show exits 1 for an unknown key") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  prepare(path);
  const auto r = run_cli(dir, {"--ledger", path, "show", "--workflow", "1.1", "--key", "989-22-PRTITV-0000999"});
  CHECK(r.exit == 1);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::Contains("no record with key 989-22-PRTITV-0000999 in workflow 1.1"));
}

TEST_CASE("refbridge-ledger list --state failed --json lists the failed records by key") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  prepare(path);
  const auto r = run_cli(dir, {"--ledger", path, "list", "--workflow", "1.1", "--state", "failed", "--json"});
  INFO(r.err);
  REQUIRE(r.exit == 0);
  const auto doc = parse(r.out);
  CHECK(std::string(doc["workflow"].GetString()) == "1.1");
  CHECK(std::string(doc["state"].GetString()) == "failed");
  CHECK(doc["next_after"].IsNull());
  const auto& records = doc["records"];
  REQUIRE(records.Size() == 2);
  CHECK(std::string(records[0]["source_key"].GetString()) == "989-22-PRTITV-0000052");
  CHECK(std::string(records[1]["source_key"].GetString()) == "989-22-PRTITV-0000053");
  CHECK(std::string(records[0]["error_code"].GetString()) == "server_error");
  CHECK(std::string(records[0]["next_attempt_at"].GetString()) == "2025-01-01T10:10:00.000Z");
  CHECK(records[0]["attempts"].GetInt() == 1);

  SECTION("paging: --limit 1 names the key to continue after") {
    const auto page = run_cli(dir, {"--ledger", path, "list", "--workflow", "1.1", "--state", "failed", "--limit", "1", "--json"});
    const auto p = parse(page.out);
    REQUIRE(p["records"].Size() == 1);
    CHECK(std::string(p["next_after"].GetString()) == "989-22-PRTITV-0000052");
  }
  SECTION("text") {
    const auto text = run_cli(dir, {"--ledger", path, "list", "--workflow", "1.1"});
    REQUIRE(text.exit == 0);
    CHECK_THAT(text.out, Catch::StartsWith("KEY"));
    CHECK_THAT(text.out, Catch::Contains("accepted-type-gate"));
  }
}

TEST_CASE("refbridge-ledger runs and summary") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  prepare(path);
  const auto runs = run_cli(dir, {"--ledger", path, "runs", "--workflow", "1.1", "--json"});
  REQUIRE(runs.exit == 0);
  const auto r = parse(runs.out);
  REQUIRE(r["runs"].Size() == 2);
  CHECK(r["runs"][0]["id"].GetInt64() == 2);
  CHECK(r["runs"][0]["duration_ms"].GetInt64() == 1000);
  CHECK(r["runs"][1]["counts"]["failed"].GetInt64() == 3);

  const auto text = run_cli(dir, {"--ledger", path, "runs", "--workflow", "1.1"});
  CHECK_THAT(text.out, Catch::Contains("1.000s"));

  const auto summary = run_cli(dir, {"--ledger", path, "summary", "--json"});
  REQUIRE(summary.exit == 0);
  const auto s = parse(summary.out);
  REQUIRE(s["workflows"].Size() == 4);  // the four workflows, those without records too
  CHECK(std::string(s["workflows"][0]["workflow"].GetString()) == "1.1");
  CHECK(std::string(s["workflows"][0]["cursor"].GetString()) == "2025-01-01T10:01:00.000Z");
  CHECK(s["workflows"][0]["counts"]["failed"].GetInt64() == 2);
  CHECK(s["workflows"][0]["last_run"]["id"].GetInt64() == 2);
  CHECK_THAT(run_cli(dir, {"--ledger", path, "summary"}).out, Catch::Contains("delivered=1"));
}

TEST_CASE("refbridge-ledger runs shows an unfinished run as such, and a crashed run's reason once closed") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  auto ledger = prepare(path);
  const auto run3 = ledger->begin_run("1.1", at(120'000)).value();
  LedgerRecord k55;
  k55.workflow = "1.1";
  k55.source_key = "989-22-PRTITV-0000055";
  k55.state = LedgerState::kInFlight;
  k55.updated_at = at(120'400);
  REQUIRE(ledger->record(k55, run3));  // then the process dies

  const auto before = run_cli(dir, {"--ledger", path, "runs", "--workflow", "1.1"});
  CHECK_THAT(before.out, Catch::Contains("unfinished") && Catch::Contains("still running, or its process died"));

  REQUIRE(ledger->close_crashed_runs("1.1", at(180'000)).value().size() == 1);
  const auto after = run_cli(dir, {"--ledger", path, "runs", "--workflow", "1.1"});
  CHECK_THAT(after.out, Catch::Contains("0.400s") &&
                            Catch::Contains("crashed: the process ended without closing the run; counts rebuilt from 1 record event"));
  const auto json = parse(run_cli(dir, {"--ledger", path, "runs", "--workflow", "1.1", "--json"}).out);
  CHECK(json["runs"][0]["counts"]["failed"].GetInt64() == 1);
  CHECK_THAT(std::string(json["runs"][0]["aborted_reason"].GetString()), Catch::StartsWith("crashed: "));
}

TEST_CASE("refbridge-ledger never creates a ledger and exits 74 on ledger errors, 64 on usage errors") {
  TempDir dir;
  const auto missing = dir.file("missing.db");
  const auto r = run_cli(dir, {"--ledger", missing, "summary"});
  CHECK(r.exit == 74);
  CHECK_THAT(r.err, Catch::Contains("does not exist"));
  CHECK_FALSE(std::filesystem::exists(missing));

  CHECK(run_cli(dir, {"--ledger", missing}).exit == 64);                                        // no subcommand
  CHECK(run_cli(dir, {"--ledger", missing, "list", "--workflow", "1.1", "--state", "lost"}).exit == 64);
  CHECK(run_cli(dir, {"--ledger", missing, "show", "--workflow", "1.1"}).exit == 64);           // no --key
  CHECK(run_cli(dir, {"--ledger", missing, "show", "--workflow", "3.1", "--key", "k"}).exit == 64);  // unknown workflow
}

TEST_CASE("migrate --from sqlite FILE --to postgresql://...: every run, record, event and cursor, checked row by row") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  {
    auto ledger = refbridge::open_sqlite_ledger(path).value();
    const auto run1 = ledger->begin_run("1.1", at(0)).value();
    for (int i = 0; i < 30; ++i) {
      LedgerRecord r;
      r.workflow = "1.1";
      r.source_key = "989-22-PRTITV-" + std::to_string(1000 + i);
      r.source_id = "guid-" + std::to_string(i);
      r.state = LedgerState::kInFlight;
      r.updated_at = at(10 + i);
      REQUIRE(ledger->record(r, run1));
      r.state = i % 3 == 0 ? LedgerState::kRejected : LedgerState::kDelivered;  // two events per record
      r.error_code = i % 3 == 0 ? "missing-consent" : "";
      r.target_key = "case-" + std::to_string(i);
      r.delivered_hash = "sha256:" + std::to_string(i);
      r.updated_at = at(20 + i);
      REQUIRE(ledger->record(r, i % 2 == 0 ? run1 : 0));
    }
    REQUIRE(ledger->finish_run(run1, {20, 0, 10, 0}, at(500), "", "cursor-1"));
    REQUIRE(ledger->set_cursor("1.1", "cursor-1"));
    (void)ledger->begin_run("2.1", at(600)).value();  // a run that never finished stays unfinished
  }
  const auto& server = refbridge::testing::PgServer::instance();
  ::setenv("REFBRIDGE_LEDGER_PASSWORD", server.password().c_str(), 1);
  const auto deployment = refbridge::testing::PgServer::fresh_deployment("migrate");
  const auto moved = run_cli(dir, {"migrate", "--from", "sqlite", path, "--to", server.url(), "--deployment", deployment});
  INFO(moved.err);
  REQUIRE(moved.exit == 0);
  CHECK_THAT(moved.out, Catch::Contains("2 workflows, 2 runs, 30 records, 60 history events, 1 cursors; checked row by row: identical"));

  auto target = refbridge::open_postgres_ledger({server.url(), deployment, server.password()}).value();
  CHECK(target->count_by_state("1.1").value().at("rejected") == 10);
  CHECK(target->history("1.1", "989-22-PRTITV-1003").value().size() == 2);
  CHECK_FALSE(target->runs("2.1", 1).value().at(0).finished_at.has_value());
  const auto listed = run_cli(dir, {"--ledger", server.url(), "--deployment", deployment, "summary", "--workflow", "1.1"});
  CHECK(listed.exit == 0);
  CHECK_THAT(listed.out, Catch::Contains("cursor-1"));

  const auto again = run_cli(dir, {"migrate", "--from", "sqlite", path, "--to", server.url(), "--deployment", deployment});
  CHECK(again.exit == 78);  // the target deployment is not empty
  CHECK_THAT(again.err, Catch::Contains("empty deployment"));
  ::unsetenv("REFBRIDGE_LEDGER_PASSWORD");
}
