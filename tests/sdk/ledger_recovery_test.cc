// What the "No duplicate, ever" issue asks of the ledger besides the lease: several processes
// creating one new ledger at once, crashed runs closed with rebuilt counts, and busy messages that
// say whether anything was waited for.
#include "refbridge/ledger.h"

#include "ledger_backends.h"
#include "ledger_fork.h"
#include "ledger_sqlite_support.h"  // sdk/src: the busy message wording
#include "ledger_temp_dir.h"

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <chrono>
#include <string>
#include <vector>

using refbridge::ErrorCode;
using refbridge::Ledger;
using refbridge::LedgerRecord;
using refbridge::LedgerState;
using refbridge::LedgerTime;
using refbridge::testing::fork_child;
using refbridge::testing::Pipe;
using refbridge::testing::TempDir;
using refbridge::testing::wait_child;

namespace {

/// 2025-01-01T10:00:00.000Z plus `ms`.
LedgerTime at(std::int64_t ms = 0) { return LedgerTime{std::chrono::milliseconds{1'735'725'600'000 + ms}}; }

std::unique_ptr<Ledger> open(const std::string& path) {
  auto ledger = refbridge::open_sqlite_ledger(path);
  if (!ledger) FAIL(ledger.error().describe());
  return std::move(ledger.value());
}

LedgerRecord make_record(std::string key, LedgerState state, LedgerTime when, std::string workflow = "1.1") {
  LedgerRecord r;
  r.workflow = std::move(workflow);
  r.source_key = std::move(key);
  r.state = state;
  r.attempts = 1;
  r.first_seen_at = when;
  r.updated_at = when;
  return r;
}

/// The integer answer of `sql` on the file at `path` (a separate raw connection).
std::int64_t scalar(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  const auto value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

}  // namespace

TEST_CASE("several processes creating the same new ledger at the same moment all succeed, with one schema") {
  constexpr int kProcesses = 6;
  constexpr int kRounds = 8;
  for (int round = 0; round < kRounds; ++round) {
    TempDir dir;
    const auto path = dir.file("new-ledger.db");
    Pipe start;     // closing the write end releases every child at once
    Pipe failures;  // a failing child writes its error message here
    std::vector<pid_t> children;
    for (int i = 0; i < kProcesses; ++i) {
      children.push_back(fork_child([&, i] {
        start.close_write();
        failures.close_read();
        (void)start.wait();
        auto report = [&](const refbridge::Error& e) {
          const std::string line = "process " + std::to_string(i) + ": " + e.describe() + "\n";
          (void)!::write(failures.fds[1], line.data(), line.size());
          return 1;
        };
        auto ledger = refbridge::open_sqlite_ledger(path);
        if (!ledger) return report(ledger.error());
        const auto run = ledger.value()->begin_run("1.1", at(i));
        if (!run) return report(run.error());
        const auto recorded = ledger.value()->record(make_record("k" + std::to_string(i), LedgerState::kDelivered, at(i)),
                                                     run.value());
        if (!recorded) return report(recorded.error());
        return 0;
      }));
    }
    start.close_write();  // go
    failures.close_write();
    std::vector<int> statuses;
    for (const pid_t pid : children) statuses.push_back(wait_child(pid));
    std::string messages;
    char buf[1024];
    for (ssize_t n; (n = ::read(failures.fds[0], buf, sizeof buf)) > 0;) messages.append(buf, static_cast<std::size_t>(n));
    INFO("round " << round << ": " << messages);
    CHECK(statuses == std::vector<int>(kProcesses, 0));
    CHECK(messages.empty());
    CHECK(scalar(path, "PRAGMA user_version") == refbridge::kLedgerSchemaVersion);
    CHECK(scalar(path, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name <> 'sqlite_sequence'") == 4);
    CHECK(scalar(path, "SELECT COUNT(*) FROM records") == kProcesses);
    CHECK(scalar(path, "SELECT COUNT(*) FROM runs") == kProcesses);
    auto ledger = open(path);
    CHECK(ledger->list("1.1", LedgerState::kDelivered, 100).value().size() == kProcesses);
  }
}

TEST_CASE("close_crashed_runs closes every unfinished run of the workflow with counts rebuilt from its events") {
  LEDGER_ON_EACH_BACKEND(place);
  auto ledger = place.open();
  const auto finished = ledger->begin_run("1.1", at(0)).value();
  REQUIRE(ledger->record(make_record("k1", LedgerState::kFailed, at(10)), finished));
  REQUIRE(ledger->finish_run(finished, {0, 0, 0, 1}, at(100), "", "c0"));

  const auto crashed = ledger->begin_run("1.1", at(1'000)).value();
  const auto rec = [&](const char* key, LedgerState state, std::int64_t ms, std::int64_t run) {
    REQUIRE(ledger->record(make_record(key, state, at(ms)), run));
  };
  rec("k1", LedgerState::kInFlight, 1'100, crashed);
  rec("k1", LedgerState::kDelivered, 1'200, crashed);   // last: delivered
  rec("k2", LedgerState::kFailed, 1'300, crashed);      // failed
  rec("k3", LedgerState::kInFlight, 1'400, crashed);    // in_flight -> failed
  rec("k4", LedgerState::kSubmitted, 1'500, crashed);   // submitted -> failed
  rec("k5", LedgerState::kSkipped, 1'600, crashed);
  rec("k6", LedgerState::kRejected, 1'700, crashed);
  rec("k7", LedgerState::kDelivered, 1'800, crashed);
  rec("k7", LedgerState::kFailed, 1'900, crashed);      // last: failed
  rec("k8", LedgerState::kDelivered, 5'000, 0);         // outside any run: not counted
  const auto empty_crash = ledger->begin_run("1.1", at(2'000)).value();
  const auto other_workflow = ledger->begin_run("2.1", at(2'100)).value();
  const auto future = ledger->begin_run("1.1", at(90'000)).value();  // started after `now`: left alone

  auto lease = ledger->acquire_run_lease("1.1", at(60'000));
  REQUIRE(lease);
  const auto closed = ledger->close_crashed_runs("1.1", at(60'000));
  REQUIRE(closed);
  REQUIRE(closed.value().size() == 2);
  const auto& a = closed.value()[0];
  CHECK(a.id == crashed);
  CHECK(a.workflow == "1.1");
  CHECK(a.started_at == at(1'000));
  CHECK(a.finished_at == std::optional<LedgerTime>(at(1'900)));
  CHECK(a.counts.delivered == 1);
  CHECK(a.counts.skipped == 1);
  CHECK(a.counts.rejected == 1);
  CHECK(a.counts.failed == 4);
  CHECK(a.aborted_reason == "crashed: the process ended without closing the run; counts rebuilt from 9 record events");
  const auto& b = closed.value()[1];
  CHECK(b.id == empty_crash);
  CHECK(b.finished_at == std::optional<LedgerTime>(at(2'000)));
  CHECK(b.counts.delivered + b.counts.skipped + b.counts.rejected + b.counts.failed == 0);
  CHECK(b.aborted_reason == "crashed: the process ended without closing the run; counts rebuilt from 0 record events");

  // The rows as stored say the same; the finished run, the other workflow's and the future run are untouched.
  const auto runs = ledger->runs("1.1", 10).value();
  REQUIRE(runs.size() == 4);
  CHECK(runs[0].id == future);
  CHECK_FALSE(runs[0].finished_at.has_value());
  CHECK(runs[1].id == empty_crash);
  CHECK(runs[1].finished_at == b.finished_at);
  CHECK(runs[2].id == crashed);
  CHECK(runs[2].counts.failed == 4);
  CHECK(runs[2].aborted_reason == a.aborted_reason);
  CHECK(runs[3].id == finished);
  CHECK(runs[3].finished_at == std::optional<LedgerTime>(at(100)));
  CHECK(runs[3].cursor_after == "c0");
  CHECK(runs[3].aborted_reason.empty());
  const auto other = ledger->runs("2.1", 1).value();
  CHECK(other.at(0).id == other_workflow);
  CHECK_FALSE(other.at(0).finished_at.has_value());

  CHECK(ledger->close_crashed_runs("1.1", at(60'000)).value().empty());  // nothing left to close
  CHECK(ledger->close_crashed_runs("", at()).error().code == ErrorCode::kInvalidInput);
}

TEST_CASE("a crashed run's finished_at is never after `now`, even when its events claim later times") {
  LEDGER_ON_EACH_BACKEND(place);
  auto ledger = place.open();
  const auto run = ledger->begin_run("1.1", at(0)).value();
  REQUIRE(ledger->record(make_record("k1", LedgerState::kDelivered, at(50'000)), run));
  const auto closed = ledger->close_crashed_runs("1.1", at(10'000)).value();
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].finished_at == std::optional<LedgerTime>(at(10'000)));
  CHECK(closed[0].aborted_reason == "crashed: the process ended without closing the run; counts rebuilt from 1 record event");
}

TEST_CASE("busy messages say whether SQLite waited") {
  using refbridge::ledger_detail::sqlite_error;
  using std::chrono::milliseconds;
  SECTION("at once: no other process is blamed") {
    const auto e = sqlite_error(nullptr, SQLITE_BUSY_SNAPSHOT, "cannot save the cursor", milliseconds{2});
    CHECK(e.code == ErrorCode::kIo);
    CHECK(e.message == "cannot save the cursor: the ledger was busy (SQLite returned SQLITE_BUSY_SNAPSHOT at once, "
                       "without waiting: database is locked); retry");
  }
  SECTION("before the timeout") {
    const auto e = sqlite_error(nullptr, SQLITE_BUSY, "cannot save the cursor", milliseconds{1'200});
    CHECK(e.message == "cannot save the cursor: the ledger was busy (SQLite returned SQLITE_BUSY after 1200 ms, before "
                       "the busy timeout (5 s) elapsed: database is locked); retry");
  }
  SECTION("the whole timeout") {
    const auto e = sqlite_error(nullptr, SQLITE_BUSY, "cannot save the cursor", milliseconds{5'004});
    CHECK_THAT(e.message, Catch::Contains("another process held the ledger locked longer than the busy timeout (5 s)"));
    CHECK_THAT(e.message, !Catch::Contains("at once"));
  }
  SECTION("other errors keep their advice") {
    CHECK_THAT(sqlite_error(nullptr, SQLITE_FULL, "x", milliseconds{1}).message, Catch::Contains("the disk is full"));
  }
}

TEST_CASE("a writer that holds the ledger for the whole busy timeout is named as such, and readers go on") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  auto ledger = open(path);
  REQUIRE(ledger->set_cursor("1.1", "c1"));
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  const auto start = std::chrono::steady_clock::now();
  const auto write = ledger->set_cursor("1.1", "c2");
  const auto waited = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(write);
  CHECK(write.error().code == ErrorCode::kIo);
  CHECK(waited >= std::chrono::milliseconds{4'500});
  CHECK_THAT(write.error().message, Catch::Contains("cannot start a ledger transaction") &&
                                        Catch::Contains("longer than the busy timeout (5 s)"));
  CHECK(ledger->cursor("1.1").value() == std::optional<std::string>("c1"));  // WAL: reads are not blocked
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  CHECK(ledger->set_cursor("1.1", "c2"));
}
