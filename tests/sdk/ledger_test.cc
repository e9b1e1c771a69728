// The ledger contract (refbridge/ledger.h) on both back ends (ledger_backends.h): persistence,
// upsert and history, keyset paging, due(), cursors, runs, concurrency; and the SQLite file's own
// rules (permissions, read-only opening, schema versioning).
#include "refbridge/ledger.h"

#include "ledger_backends.h"
#include "ledger_temp_dir.h"

#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

using refbridge::ErrorCode;
using refbridge::Ledger;
using refbridge::LedgerRecord;
using refbridge::LedgerState;
using refbridge::LedgerTime;
using refbridge::testing::TempDir;

namespace {

/// 2025-01-01T10:00:00.000Z plus `ms`.
LedgerTime at(std::int64_t ms = 0) { return LedgerTime{std::chrono::milliseconds{1'735'725'600'000 + ms}}; }

LedgerRecord make_record(std::string key, LedgerState state, LedgerTime when = at(), std::string workflow = "1.1") {
  LedgerRecord r;
  r.workflow = std::move(workflow);
  r.source_key = std::move(key);
  r.source_id = "guid-" + r.source_key;
  r.state = state;
  r.attempts = 1;
  r.first_seen_at = when;
  r.updated_at = when;
  return r;
}

std::unique_ptr<Ledger> open(const std::string& path) {
  auto ledger = refbridge::open_sqlite_ledger(path);
  if (!ledger) FAIL(ledger.error().describe());
  return std::move(ledger.value());
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return static_cast<unsigned>(st.st_mode & 0777);
}

std::vector<std::string> keys_of(const std::vector<LedgerRecord>& rows) {
  std::vector<std::string> keys;
  for (const auto& r : rows) keys.push_back(r.source_key);
  return keys;
}

}  // namespace

TEST_CASE("a ledger is created, and everything persists across reopening") {
  LEDGER_ON_EACH_BACKEND(place);
  {
    auto ledger = place.open();
    REQUIRE(ledger->set_cursor("1.1", "page-token-7"));
    const auto run = ledger->begin_run("1.1", at());
    REQUIRE(run);
    auto row = make_record("989-22-PRTITV-0000051", LedgerState::kDelivered);
    row.target_key = "case-uuid-1";
    row.delivered_hash = "sha256:abc";
    row.next_attempt_at = at(60'000);
    REQUIRE(ledger->record(row, run.value()));
    REQUIRE(ledger->finish_run(run.value(), {1, 0, 0, 0}, at(1'500), "", "page-token-7"));
  }
  auto ledger = place.open();
  const auto cursor = ledger->cursor("1.1");
  REQUIRE(cursor);
  CHECK(cursor.value() == std::optional<std::string>("page-token-7"));
  const auto found = ledger->find("1.1", "989-22-PRTITV-0000051");
  REQUIRE(found);
  REQUIRE(found.value().has_value());
  const LedgerRecord& r = *found.value();
  CHECK(r.workflow == "1.1");
  CHECK(r.source_id == "guid-989-22-PRTITV-0000051");
  CHECK(r.target_key == "case-uuid-1");
  CHECK(r.state == LedgerState::kDelivered);
  CHECK(r.delivered_hash == "sha256:abc");
  CHECK(r.updated_at == at());
  CHECK(r.next_attempt_at == std::optional<LedgerTime>(at(60'000)));
  const auto runs = ledger->runs("1.1", 10);
  REQUIRE(runs);
  REQUIRE(runs.value().size() == 1);
  CHECK(runs.value()[0].finished_at == std::optional<LedgerTime>(at(1'500)));
  CHECK(ledger->find("1.1", "unknown").value() == std::nullopt);
}

TEST_CASE("a new ledger file is owner-only (0600), its WAL too") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  auto ledger = open(path);
  REQUIRE(ledger->record(make_record("k1", LedgerState::kFailed), 0));
  CHECK(mode_of(path) == 0600);
  if (std::filesystem::exists(path + "-wal")) CHECK(mode_of(path + "-wal") == 0600);
  if (std::filesystem::exists(path + "-shm")) CHECK(mode_of(path + "-shm") == 0600);
}

TEST_CASE("a pre-existing ledger file readable by group/others is refused with the chmod to run") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  { auto ledger = open(path); }
  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  const auto opened = refbridge::open_sqlite_ledger(path);
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code == ErrorCode::kConfig);
  CHECK_THAT(opened.error().message, Catch::Contains("chmod 600 " + path));
  CHECK_THAT(opened.error().message, Catch::Contains("0644"));
  CHECK(refbridge::open_sqlite_ledger(path, refbridge::LedgerOpenMode::kReadOnly).error().code == ErrorCode::kConfig);
}

TEST_CASE("an unusable path is a kIo error naming the path") {
  const auto opened = refbridge::open_sqlite_ledger("/nonexistent-dir/ledger.db");
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code == ErrorCode::kIo);
  CHECK_THAT(opened.error().message, Catch::Contains("/nonexistent-dir/ledger.db"));
}

TEST_CASE("read-only opening never creates a file") {
  TempDir dir;
  const auto missing = dir.file("missing.db");
  const auto opened = refbridge::open_sqlite_ledger(missing, refbridge::LedgerOpenMode::kReadOnly);
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code == ErrorCode::kIo);
  CHECK_FALSE(std::filesystem::exists(missing));
}

TEST_CASE("a read-only ledger sees the writer's rows and refuses writes") {
  LEDGER_ON_EACH_BACKEND(place);
  auto writer = place.open();
  REQUIRE(writer->record(make_record("k1", LedgerState::kFailed), 0));
  auto reader = place.try_open(refbridge::LedgerOpenMode::kReadOnly);
  REQUIRE(reader);
  CHECK(reader.value()->find("1.1", "k1").value().has_value());  // sees the writer's WAL / commits
  const auto write = reader.value()->set_cursor("1.1", "x");
  REQUIRE_FALSE(write);
  CHECK(write.error().code == ErrorCode::kIo);
  CHECK_THAT(write.error().message, Catch::Contains("read-only"));
}

TEST_CASE("record() upserts and keeps first_seen_at of an existing row") {
  LEDGER_ON_EACH_BACKEND(place);
  auto ledger = place.open();
  REQUIRE(ledger->record(make_record("k1", LedgerState::kFailed, at()), 0));
  auto later = make_record("k1", LedgerState::kDelivered, at(5'000));
  later.attempts = 2;
  later.target_key = "case-1";
  REQUIRE(ledger->record(later, 0));
  const auto r = ledger->find("1.1", "k1").value();
  REQUIRE(r);
  CHECK(r->first_seen_at == at());
  CHECK(r->updated_at == at(5'000));
  CHECK(r->state == LedgerState::kDelivered);
  CHECK(r->attempts == 2);
  CHECK(r->target_key == "case-1");

  SECTION("a new row without first_seen_at takes updated_at") {
    auto row = make_record("k2", LedgerState::kSkipped, at(9'000));
    row.first_seen_at = {};
    REQUIRE(ledger->record(row, 0));
    CHECK(ledger->find("1.1", "k2").value()->first_seen_at == at(9'000));
  }
  SECTION("an empty key is refused") {
    CHECK(ledger->record(make_record("", LedgerState::kFailed), 0).error().code == ErrorCode::kInvalidInput);
  }
}

TEST_CASE("history grows by one event per record() call, with its run id") {
  LEDGER_ON_EACH_BACKEND(place);
  auto ledger = place.open();
  const auto run1 = ledger->begin_run("1.1", at()).value();
  const auto run2 = ledger->begin_run("1.1", at(60'000)).value();
  CHECK(run2 > run1);

  auto row = make_record("k1", LedgerState::kInFlight, at(1));
  REQUIRE(ledger->record(row, run1));
  row.state = LedgerState::kFailed;
  row.error_code = "timeout";
  row.error_message = "PING did not answer within 30000 ms";
  row.updated_at = at(2);
  REQUIRE(ledger->record(row, run1));
  row.state = LedgerState::kSubmitted;
  row.attempts = 2;
  row.error_code.clear();
  row.error_message.clear();
  row.transaction_id = "tx-42";
  row.updated_at = at(60'001);
  REQUIRE(ledger->record(row, run2));
  row.state = LedgerState::kDelivered;
  row.updated_at = at(70'000);
  REQUIRE(ledger->record(row, 0));  // an operator's change outside a run

  const auto events = ledger->history("1.1", "k1");
  REQUIRE(events);
  REQUIRE(events.value().size() == 4);
  const auto& e = events.value();
  CHECK(e[0].run_id == run1);
  CHECK(e[0].state == LedgerState::kInFlight);
  CHECK(e[1].state == LedgerState::kFailed);
  CHECK(e[1].error_code == "timeout");
  CHECK(e[1].at == at(2));
  CHECK(e[2].run_id == run2);
  CHECK(e[2].transaction_id == "tx-42");
  CHECK(e[2].attempts == 2);
  CHECK(e[3].run_id == 0);
  CHECK(e[3].state == LedgerState::kDelivered);
  CHECK(ledger->history("1.1", "other").value().empty());

  SECTION("an unknown run id is refused and changes nothing (one transaction)") {
    row.state = LedgerState::kRejected;
    const auto r = ledger->record(row, 999);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kInvalidInput);
    CHECK_THAT(r.error().message, Catch::Contains("run 999"));
    CHECK(ledger->find("1.1", "k1").value()->state == LedgerState::kDelivered);
    CHECK(ledger->history("1.1", "k1").value().size() == 4);
  }
}

TEST_CASE("list() filters by state and pages by key") {
  LEDGER_ON_EACH_BACKEND(place);
  auto ledger = place.open();
  for (const char* key : {"k5", "k1", "k4", "k2", "k3"}) REQUIRE(ledger->record(make_record(key, LedgerState::kFailed), 0));
  for (const char* key : {"k15", "k25"}) REQUIRE(ledger->record(make_record(key, LedgerState::kDelivered), 0));
  REQUIRE(ledger->record(make_record("k1", LedgerState::kFailed, at(), "1.2"), 0));

  const auto page1 = ledger->list("1.1", LedgerState::kFailed, 2);
  REQUIRE(page1);
  CHECK(keys_of(page1.value()) == std::vector<std::string>{"k1", "k2"});
  const auto page2 = ledger->list("1.1", LedgerState::kFailed, 2, "k2");
  CHECK(keys_of(page2.value()) == std::vector<std::string>{"k3", "k4"});
  const auto page3 = ledger->list("1.1", LedgerState::kFailed, 2, "k4");
  CHECK(keys_of(page3.value()) == std::vector<std::string>{"k5"});
  CHECK(ledger->list("1.1", LedgerState::kFailed, 2, "k5").value().empty());

  CHECK(keys_of(ledger->list("1.1", LedgerState::kDelivered, 10).value()) == std::vector<std::string>{"k15", "k25"});
  CHECK(ledger->list("1.1", std::nullopt, 100).value().size() == 7);
  CHECK(ledger->list("1.1", std::nullopt, 0).value().empty());
  CHECK(ledger->list("1.2", std::nullopt, 100).value().size() == 1);

  const auto counts = ledger->count_by_state("1.1").value();
  CHECK(counts.at("failed") == 5);
  CHECK(counts.at("delivered") == 2);
  CHECK(counts.at("in_flight") == 0);
  CHECK(counts.size() == 6);
}

TEST_CASE("due() answers failed records whose time has come and every in_flight or submitted one") {
  LEDGER_ON_EACH_BACKEND(place);
  auto ledger = place.open();
  const LedgerTime now = at(100'000);
  auto failed_due = make_record("a-failed-due", LedgerState::kFailed);
  failed_due.next_attempt_at = now;
  auto failed_later = make_record("b-failed-later", LedgerState::kFailed);
  failed_later.next_attempt_at = now + std::chrono::milliseconds{1};
  auto failed_unset = make_record("c-failed-unset", LedgerState::kFailed);
  auto in_flight = make_record("d-in-flight", LedgerState::kInFlight);
  in_flight.next_attempt_at = now + std::chrono::hours{1};  // ignored: in_flight is always due
  auto submitted = make_record("e-submitted", LedgerState::kSubmitted);
  for (const auto& r : {failed_due, failed_later, failed_unset, in_flight, submitted,
                        make_record("f-delivered", LedgerState::kDelivered), make_record("g-rejected", LedgerState::kRejected),
                        make_record("h-skipped", LedgerState::kSkipped), make_record("i-other", LedgerState::kFailed, at(), "2.1")}) {
    REQUIRE(ledger->record(r, 0));
  }
  const auto due = ledger->due("1.1", now, 100);
  REQUIRE(due);
  CHECK(keys_of(due.value()) == std::vector<std::string>{"a-failed-due", "c-failed-unset", "d-in-flight", "e-submitted"});
  CHECK(keys_of(ledger->due("1.1", now, 2, "a-failed-due").value()) ==
        std::vector<std::string>{"c-failed-unset", "d-in-flight"});
}

TEST_CASE("cursors are per workflow and independent") {
  LEDGER_ON_EACH_BACKEND(place);
  auto ledger = place.open();
  CHECK(ledger->cursor("1.1").value() == std::nullopt);
  REQUIRE(ledger->set_cursor("1.1", "2025-01-01T00:00:00Z"));
  REQUIRE(ledger->set_cursor("2.1", "token-b"));
  REQUIRE(ledger->set_cursor("1.1", "2025-01-02T00:00:00Z"));
  REQUIRE(ledger->set_cursor("1.2", ""));
  CHECK(ledger->cursor("1.1").value() == std::optional<std::string>("2025-01-02T00:00:00Z"));
  CHECK(ledger->cursor("2.1").value() == std::optional<std::string>("token-b"));
  CHECK(ledger->cursor("1.2").value() == std::optional<std::string>(""));
  CHECK(ledger->cursor("2.2").value() == std::nullopt);
  CHECK(ledger->workflows().value() == std::vector<std::string>{"1.1", "1.2", "2.1"});
}

TEST_CASE("runs are listed newest first with their counts") {
  LEDGER_ON_EACH_BACKEND(place);
  auto ledger = place.open();
  const auto r1 = ledger->begin_run("1.1", at()).value();
  REQUIRE(ledger->finish_run(r1, {3, 1, 1, 2}, at(2'000), "", "c1"));
  const auto other = ledger->begin_run("2.1", at(10)).value();
  const auto r2 = ledger->begin_run("1.1", at(60'000)).value();
  REQUIRE(ledger->finish_run(r2, {0, 0, 0, 0}, at(60'500), "unauthorized: PING token expired", "c1"));
  const auto r3 = ledger->begin_run("1.1", at(120'000)).value();  // still running

  const auto runs = ledger->runs("1.1", 10);
  REQUIRE(runs);
  const auto& rows = runs.value();
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].id == r3);
  CHECK_FALSE(rows[0].finished_at.has_value());
  CHECK(rows[1].id == r2);
  CHECK(rows[1].aborted_reason == "unauthorized: PING token expired");
  CHECK(rows[2].id == r1);
  CHECK(rows[2].counts.delivered == 3);
  CHECK(rows[2].counts.skipped == 1);
  CHECK(rows[2].counts.rejected == 1);
  CHECK(rows[2].counts.failed == 2);
  CHECK(rows[2].cursor_after == "c1");
  CHECK(rows[2].workflow == "1.1");
  CHECK(ledger->runs("1.1", 1).value().size() == 1);
  CHECK(ledger->runs("2.1", 10).value().at(0).id == other);

  const auto missing = ledger->finish_run(9999, {}, at(), "", "");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ErrorCode::kInvalidInput);
}

TEST_CASE("record() from 8 threads at once loses no row and no event") {
  LEDGER_ON_EACH_BACKEND(place);
  auto ledger = place.open();
  const auto run = ledger->begin_run("1.1", at()).value();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto own = make_record("t" + std::to_string(t) + "-" + std::to_string(i), LedgerState::kDelivered, at(i));
        if (!ledger->record(own, run)) ++failures[t];
        if (!ledger->record(make_record("shared", LedgerState::kFailed, at(i)), run)) ++failures[t];
        if (!ledger->find("1.1", "shared")) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) CHECK(f == 0);
  CHECK(ledger->list("1.1", LedgerState::kDelivered, 1000).value().size() == kThreads * kPerThread);
  CHECK(ledger->history("1.1", "shared").value().size() == kThreads * kPerThread);
}

TEST_CASE("a ledger with a newer schema version is refused") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  { auto ledger = open(path); }
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  for (const auto mode : {refbridge::LedgerOpenMode::kCreate, refbridge::LedgerOpenMode::kReadOnly}) {
    const auto opened = refbridge::open_sqlite_ledger(path, mode);
    REQUIRE_FALSE(opened);
    CHECK(opened.error().code == ErrorCode::kConfig);
    CHECK_THAT(opened.error().message, Catch::Contains("99") && Catch::Contains("newer"));
  }
}

TEST_CASE("a file that is not a SQLite database is a kIo error, never overwritten") {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT, 0600);
    REQUIRE(fd >= 0);
    const std::string junk(4096, 'x');
    REQUIRE(::write(fd, junk.data(), junk.size()) == static_cast<ssize_t>(junk.size()));
    ::close(fd);
  }
  const auto opened = refbridge::open_sqlite_ledger(path);
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code == ErrorCode::kIo);
  CHECK_THAT(opened.error().message, Catch::Contains("not a SQLite database"));
  CHECK(std::filesystem::file_size(path) == 4096);
}

TEST_CASE("ledger state names round-trip") {
  for (const auto s : refbridge::kAllLedgerStates) CHECK(refbridge::ledger_state_from_string(to_string(s)) == s);
  CHECK(to_string(LedgerState::kInFlight) == "in_flight");
  CHECK(refbridge::ledger_state_from_string("Failed") == std::nullopt);
}
