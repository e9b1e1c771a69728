// The shared sync engine (workflows/common): what every workflow relies on for "nothing lost,
// nothing duplicated, bounded memory" (../shared/docs/workflows.md "Common rules").
#include "config_retry.h"
#include "engine.h"

#include "refbridge/ping/fake.h"
#include "refbridge/primero/fake.h"
#include "refbridge/ping/serde.h"
#include "refbridge/primero/serde.h"
#include "refbridge/json.h"

#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <mutex>
#include <sstream>
#include <thread>

using namespace refbridge;
using namespace refbridge::workflows;
using namespace std::chrono_literals;
using Instant = std::chrono::sys_time<std::chrono::milliseconds>;

namespace {

Instant at(int seconds) { return Instant(std::chrono::sys_days{std::chrono::year{2024} / 5 / 1}) + std::chrono::seconds(seconds); }

/// A Primero that holds cases with a last_updated_at each and answers listCases like Primero:
/// `last_updated_at=<from>..` inclusive and compared at whole seconds (primero-api-v2.md §5.1),
/// ordered by last_updated_at asc (ties by id), page/per.
struct CaseServer {
  std::map<std::string, Instant> cases;  // id -> last_updated_at
  std::function<void(int call)> between_calls;
  int calls = 0;

  Result<primero::CaseList> list(const primero::ListCasesRequest& req) {
    if (between_calls) between_calls(calls);
    ++calls;
    REQUIRE(calls < 1000);  // a reader that loops is a failure, not a hang
    REQUIRE(req.last_updated_at);
    const auto text = req.last_updated_at->substr(0, req.last_updated_at->size() - 2);
    const Instant from = DateTime::parse(text).value().utc;
    std::vector<std::pair<Instant, std::string>> rows;
    const auto second = [](Instant t) { return std::chrono::floor<std::chrono::seconds>(t); };
    for (const auto& [id, t] : cases) {
      if (second(t) >= second(from)) rows.emplace_back(t, id);
    }
    std::sort(rows.begin(), rows.end());
    const int per = req.per.value_or(20);
    const int page = req.page.value_or(1);
    primero::CaseList out;
    for (std::size_t i = static_cast<std::size_t>((page - 1) * per); i < rows.size() && out.data.size() < static_cast<std::size_t>(per); ++i) {
      primero::Case c;
      c.id = rows[i].second;
      c.last_updated_at = DateTime::from_utc(rows[i].first);
      out.data.push_back(std::move(c));
    }
    return out;
  }
};

std::vector<std::string> read_all(primero::FakePrimero& fake, Instant from, int per) {
  std::vector<std::string> seen;
  auto r = read_updated_cases(fake, {.from = from, .per = per, .associated_user_names = std::nullopt}, [&](std::vector<primero::Case>& page, auto) -> Result<void> {
    for (const auto& c : page) seen.push_back(*c.id);
    return ok();
  });
  REQUIRE(r);
  return seen;
}

}  // namespace

TEST_CASE("the cursor reader reads every case once, in last_updated_at order, over several pages") {
  CaseServer server;
  for (int i = 0; i < 7; ++i) server.cases["case-" + std::to_string(i)] = at(i);
  primero::FakePrimero fake;
  fake.list_cases_handler = [&](const primero::ListCasesRequest& r) { return server.list(r); };
  CHECK(read_all(fake, at(0), 3) == std::vector<std::string>{"case-0", "case-1", "case-2", "case-3", "case-4", "case-5", "case-6"});
  CHECK(read_all(fake, at(5), 3) == std::vector<std::string>{"case-5", "case-6"});  // inclusive lower bound
}

TEST_CASE("more than a page of cases within one second (Primero compares whole seconds) are each read once, and the reading ends") {
  primero::FakePrimero fake;
  CaseServer server;
  for (int i = 0; i < 250; ++i) server.cases["case-" + std::to_string(1000 + i)] = at(10) + std::chrono::milliseconds(i * 3);
  server.cases["case-late"] = at(11);
  fake.list_cases_handler = [&](const primero::ListCasesRequest& r) { return server.list(r); };
  const auto seen = read_all(fake, at(0), 100);
  CHECK(seen.size() == 251);
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 251);
  CHECK(seen.back() == "case-late");
}

TEST_CASE("a case edited while the reader pages is not skipped (page numbers alone would skip one)") {
  CaseServer server;
  for (int i = 0; i < 6; ++i) server.cases["case-" + std::to_string(i)] = at(i);
  // After the first page, case-1 (already read) is edited: it moves to the end. With plain page
  // numbers, page 2 would then start at case-4 and case-3 would never be read.
  server.between_calls = [&](int call) {
    if (call == 1) server.cases["case-1"] = at(100);
  };
  primero::FakePrimero fake;
  fake.list_cases_handler = [&](const primero::ListCasesRequest& r) { return server.list(r); };
  const auto seen = read_all(fake, at(0), 3);
  for (int i = 0; i < 6; ++i) CHECK(std::count(seen.begin(), seen.end(), "case-" + std::to_string(i)) >= 1);
  CHECK(std::count(seen.begin(), seen.end(), "case-1") == 2);  // read again after its edit: the ledger dedups
}

TEST_CASE("cases sharing one last_updated_at across more than a page are all read, none twice") {
  CaseServer server;
  for (int i = 0; i < 8; ++i) server.cases["same-" + std::to_string(i)] = at(1);
  server.cases["later"] = at(2);
  primero::FakePrimero fake;
  fake.list_cases_handler = [&](const primero::ListCasesRequest& r) { return server.list(r); };
  auto seen = read_all(fake, at(0), 3);
  std::sort(seen.begin(), seen.end());
  CHECK(seen == std::vector<std::string>{"later", "same-0", "same-1", "same-2", "same-3", "same-4", "same-5", "same-6", "same-7"});
}

TEST_CASE("the executor runs every task with at most `workers` at once") {
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::atomic<int> done{0};
  {
    BoundedExecutor ex(3);
    for (int i = 0; i < 40; ++i) {
      ex.submit([&] {
        const int now = ++running;
        int p = peak.load();
        while (now > p && !peak.compare_exchange_weak(p, now)) {
        }
        std::this_thread::sleep_for(1ms);
        --running;
        ++done;
      });
    }
    ex.wait_idle();
    CHECK(done == 40);
    CHECK(ex.escaped_exceptions() == 0);
  }
  CHECK(peak <= 3);
  CHECK(peak >= 1);
}

TEST_CASE("the record book: retry backoff doubles, then retries-exhausted, unchanged payloads are not resent") {
  auto ledger = open_sqlite_ledger(":memory:").value();
  SyncSettings s;
  s.max_attempts = 3;
  s.retry_initial = 60s;
  s.retry_max = 100s;
  const Instant t0 = at(0);
  FixedClock clock(t0);
  const auto run = ledger->begin_run("1.2", t0).value();
  RecordBook book(*ledger, "1.2", run, s, clock);

  CHECK(book.claim("k"));
  CHECK_FALSE(book.claim("k"));

  auto attempt = [&](RecordState state) {
    auto t = book.open("k", "src").value();
    REQUIRE(book.in_flight(t, "hash-1"));
    RecordOutcome o;
    o.key = "k";
    o.state = state;
    o.rule = state == RecordState::kFailed ? "kServerError" : "";
    o.reason = "HTTP 503";
    book.settle(t, o);
    return std::make_pair(ledger->find("1.2", "k").value().value(), o);
  };
  auto [row1, o1] = attempt(RecordState::kFailed);
  CHECK(row1.state == LedgerState::kFailed);
  CHECK(row1.attempts == 1);
  CHECK(*row1.next_attempt_at == t0 + 60s);
  CHECK(book.backing_off(book.open("k", "src").value()));
  auto [row2, o2] = attempt(RecordState::kFailed);
  CHECK(*row2.next_attempt_at == t0 + 100s);  // 120 s capped at retry_max
  auto [row3, o3] = attempt(RecordState::kFailed);
  CHECK(row3.state == LedgerState::kRejected);
  CHECK(o3.state == RecordState::kRejected);
  CHECK(o3.rule == "retries-exhausted");
  CHECK(o3.reason.find("3 failed attempts") != std::string::npos);
  CHECK(ledger->history("1.2", "k").value().size() == 6);  // in_flight + outcome per attempt: history kept

  auto [row4, o4] = attempt(RecordState::kDelivered);
  CHECK(row4.delivered_hash == "hash-1");
  CHECK(RecordBook::unchanged(book.open("k", "src").value(), "hash-1"));
  CHECK_FALSE(RecordBook::unchanged(book.open("k", "src").value(), "hash-2"));
  CHECK(content_hash("a") == content_hash("a"));
  CHECK(content_hash("a") != content_hash("b"));
}

TEST_CASE("ingestion: per-record results settle each record, a transaction still pending stays submitted") {
  auto ledger = open_sqlite_ledger(":memory:").value();
  SyncSettings s;
  s.ingestion_poll_interval = 10ms;
  s.ingestion_timeout = 0s;  // one read only
  FixedClock clock(at(0));
  std::ostringstream log_text;
  Logger log(log_text);
  const Sleeper sleep = [](std::chrono::milliseconds) {};
  RunReport report("1.2", at(0));
  RecordBook book(*ledger, "1.2", ledger->begin_run("1.2", at(0)).value(), s, clock);
  ping::FakePing ping;
  std::string status = "processing";
  ping.get_ingestion_transaction_handler = [&](const ping::GetIngestionTransactionRequest& r) {
    return json::parse<ping::IngestionTransaction>(
        R"({"transactionId":")" + r.transactionId + R"(","status":")" + status +
        R"(","results":[{"index":0,"recordKey":"a","status":"accepted"},
                        {"index":1,"recordKey":"b","status":"rejected","errors":[{"code":"unknown-intervention","field":"progres_interventionnumber"}]}]})");
  };
  const IngestionDeps deps{ping, book, report, log, sleep};
  std::vector<StagedRecord<int>> batch(2);
  batch[0].outcome.key = "a";
  batch[1].outcome.key = "b";
  for (auto& r : batch) {
    r.ticket = book.open(r.outcome.key, "src-" + r.outcome.key).value();
    r.hash = "h";
  }
  std::function<Result<ping::IngestionAccepted>(std::vector<int>)> submit = [](std::vector<int> bodies) {
    CHECK(bodies.size() == 2);
    return json::parse<ping::IngestionAccepted>(R"({"transactionId":"tx-1"})");
  };
  ingest_batch(deps, batch, submit);
  CHECK(ledger->find("1.2", "a").value()->state == LedgerState::kSubmitted);  // still processing
  CHECK(report.count(RecordState::kFailed) == 2);

  status = "completed";
  RunReport report2("1.2", at(0));
  RecordBook book2(*ledger, "1.2", ledger->begin_run("1.2", at(0)).value(), s, clock);
  const IngestionDeps deps2{ping, book2, report2, log, sleep};
  const auto settled = resume_submitted(deps2, ledger->due("1.2", at(0), 100).value());
  CHECK(settled.size() == 2);
  CHECK(ledger->find("1.2", "a").value()->state == LedgerState::kDelivered);
  const auto b = ledger->find("1.2", "b").value().value();
  CHECK(b.state == LedgerState::kRejected);
  CHECK(b.error_code == "ingestion-rejected");
  CHECK(b.error_message.find("unknown-intervention (progres_interventionnumber)") != std::string::npos);
}

// ---- Cancellation (cancellation.h): SIGINT/SIGTERM or the run deadline stop a run cleanly. ----

namespace {

/// A cursor workflow in miniature: pages of source records (key -> version), each record delivered
/// to `target` through the record book like the real workflows do (open, unchanged?, in_flight,
/// write, settle), the cursor set after each page. `on_deliver(key)` runs inside each delivery.
struct MiniWorkflow {
  std::vector<std::vector<std::string>> pages;
  std::mutex mutex;
  std::map<std::string, int> writes;  // target: deliveries per key
  std::function<void(const std::string&)> on_deliver;

  RunReport run(const EngineDeps& deps) {
    return run_with_ledger(deps, "9.9", [&](RecordBook& book, RunReport& report) -> Result<std::string> {
      BoundedExecutor executor(2);
      for (std::size_t p = 0; p < pages.size(); ++p) {
        for (const auto& key : pages[p]) {
          executor.submit([&, key] { report.add(process(book, key)); });
        }
        executor.wait_idle();
        REFBRIDGE_TRY(deps.ledger.set_cursor("9.9", "page-" + std::to_string(p + 1)));
      }
      return std::string("page-" + std::to_string(pages.size()));
    });
  }

  RecordOutcome process(RecordBook& book, const std::string& key) {
    RecordOutcome out;
    out.key = key;
    if (!book.claim(key)) return out;
    auto ticket = book.open(key, key).value();
    const std::string hash = content_hash(key + "@v1");
    if (RecordBook::unchanged(ticket, hash)) {
      out.state = RecordState::kSkipped;
      out.rule = "already-sent";
      return out;
    }
    REQUIRE(book.in_flight(ticket, hash));
    if (on_deliver) on_deliver(key);
    {
      std::lock_guard lock(mutex);
      ++writes[key];
    }
    out.state = RecordState::kDelivered;
    book.settle(ticket, out);
    return out;
  }
};

}  // namespace

TEST_CASE("a cancelled executor starts no further task and lets running ones finish") {
  CancellationToken stop;
  std::atomic<int> ran{0};
  {
    BoundedExecutor executor(1, &stop);
    executor.submit([&] {
      stop.cancel("SIGTERM");  // raised while this task runs: it still completes
      ++ran;
    });
    for (int i = 0; i < 5; ++i) executor.submit([&] { ++ran; });
    executor.wait_idle();
    CHECK(executor.not_started() == 5);
  }
  CHECK(ran == 1);
}

TEST_CASE("the cursor does not move once the run is cancelled") {
  auto ledger = open_sqlite_ledger(":memory:").value();
  CancellationToken stop;
  auto guarded = freeze_cursor_on_cancel(*ledger, stop);
  REQUIRE(guarded->set_cursor("2.1", "2024-05-01T00:00:00.000Z"));
  stop.cancel("SIGINT");
  auto moved = guarded->set_cursor("2.1", "2024-06-01T00:00:00.000Z");
  REQUIRE_FALSE(moved);
  CHECK(moved.error().message.find("interrupted (SIGINT)") != std::string::npos);
  CHECK(ledger->cursor("2.1").value() == std::optional<std::string>("2024-05-01T00:00:00.000Z"));
  CHECK(guarded->find("2.1", "x").value() == std::nullopt);  // everything else passes through
}

TEST_CASE("SIGTERM mid-run: in-flight records finish, the rest wait, the ledger is consistent, the next run delivers each once") {
  reset_run_cancellation();
  auto sqlite = open_sqlite_ledger(":memory:").value();
  auto ledger = freeze_cursor_on_cancel(*sqlite, run_cancellation());
  SyncSettings s;
  FixedClock clock(at(0));
  std::ostringstream log_text;
  Logger log(log_text);
  const Sleeper sleep = [](std::chrono::milliseconds) {};
  const EngineDeps deps{*ledger, s, clock, log, sleep};

  MiniWorkflow wf;
  for (int p = 0; p < 2; ++p) {
    wf.pages.emplace_back();
    for (int i = 0; i < 10; ++i) wf.pages.back().push_back("r" + std::to_string(p) + std::to_string(i));
  }
  wf.on_deliver = [](const std::string& key) {
    if (key == "r03") run_cancellation().cancel("SIGTERM");  // the signal arrives during a delivery
  };
  const RunReport first = wf.run(deps);
  CHECK(first.aborted());
  CHECK(first.abort_reason().find("interrupted (SIGTERM)") == 0);
  CHECK(tasks_not_started() > 0);
  CHECK(exit_status_for(run_cancellation()) == kExitInterrupted);
  // Every record the run touched is settled: none is left in flight; the others have no row.
  const auto counts = sqlite->count_by_state("9.9").value();
  CHECK(counts.at("in_flight") == 0);
  CHECK(counts.at("delivered") == static_cast<std::int64_t>(wf.writes.size()));
  CHECK(wf.writes.size() < 20);
  CHECK(sqlite->cursor("9.9").value() == std::nullopt);  // the cursor did not pass the unfinished page
  const auto run_row = sqlite->runs("9.9", 1).value().at(0);
  CHECK(run_row.aborted_reason.find("interrupted (SIGTERM)") == 0);

  reset_run_cancellation();
  wf.on_deliver = {};
  const RunReport second = wf.run(deps);
  CHECK_FALSE(second.aborted());
  CHECK(sqlite->count_by_state("9.9").value().at("delivered") == 20);
  CHECK(wf.writes.size() == 20);
  for (const auto& [key, n] : wf.writes) CHECK(n == 1);  // nothing delivered twice
  CHECK(sqlite->cursor("9.9").value() == std::optional<std::string>("page-2"));
}

TEST_CASE("the retry and run-limit keys are read with their units and ranges") {
  WorkflowConfig c;
  REQUIRE(load_run_limits(YAML::Load("retry: {max_attempts: 2, max_elapsed_ms: 5000, initial_backoff_ms: 10, "
                                     "max_backoff_ms: 100, max_retry_after_ms: 2000}\n"
                                     "run_timeout_seconds: 600\nshutdown_grace_seconds: 5\n"),
                          c));
  CHECK(c.retry.max_attempts == 2);
  CHECK(c.retry.max_elapsed == 5000ms);
  CHECK(c.retry.initial_backoff == 10ms);
  CHECK(c.retry.max_backoff == 100ms);
  CHECK(c.retry.max_retry_after == 2000ms);
  CHECK(c.run_timeout == 600s);
  CHECK(c.shutdown_grace == 5s);

  WorkflowConfig d;
  REQUIRE(load_run_limits(YAML::Load("profile: x\n"), d));
  CHECK(d.retry.max_attempts == 4);
  CHECK(d.retry.max_elapsed == 60s);
  CHECK(d.run_timeout == 0s);

  auto bad = load_run_limits(YAML::Load("retry: {max_attempts: 0}\n"), d);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "configuration: 'retry.max_attempts' must be between 1 and 20");
  auto wrong = load_run_limits(YAML::Load("run_timeout_seconds: soon\n"), d);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().message == "configuration: 'run_timeout_seconds' must be an integer (line 1)");
}

TEST_CASE("SIGTERM is received by the shutdown watcher and raises the run's cancellation") {
  reset_run_cancellation();
  std::ostringstream log_text;
  Logger log(log_text);
  {
    ShutdownWatcher watcher(log, 0s, 3600s);
    ::kill(::getpid(), SIGTERM);  // blocked in this thread: only the watcher receives it
    for (int i = 0; i < 500 && !run_cancellation().cancelled(); ++i) std::this_thread::sleep_for(10ms);
  }
  CHECK(run_cancellation().reason() == "SIGTERM");
  CHECK(exit_status_for(run_cancellation()) == kExitInterrupted);
  CHECK(log_text.str().find(R"("event":"run.interrupted")") != std::string::npos);
  reset_run_cancellation();
}

TEST_CASE("the run deadline raises the cancellation with reason run_timeout") {
  reset_run_cancellation();
  std::ostringstream log_text;
  Logger log(log_text);
  {
    ShutdownWatcher watcher(log, 1s, 3600s);
    for (int i = 0; i < 500 && !run_cancellation().cancelled(); ++i) std::this_thread::sleep_for(10ms);
  }
  CHECK(run_cancellation().reason() == "run_timeout");
  CHECK(exit_status_for(run_cancellation()) == kExitRunTimeout);
  reset_run_cancellation();
}

TEST_CASE("per-key ordering: tasks of one key never overlap and keep their order, other keys run concurrently") {
  std::mutex mutex;
  std::map<std::string, int> running_per_key;
  std::map<std::string, std::vector<int>> order;
  int running = 0, peak = 0, peak_per_key = 0;
  {
    BoundedExecutor ex(8, nullptr);
    for (int i = 0; i < 64; ++i) {
      const std::string key = "child-" + std::to_string(i % 4);
      ex.submit(key, [&, key, i] {
        {
          std::lock_guard lock(mutex);
          peak_per_key = std::max(peak_per_key, ++running_per_key[key]);
          peak = std::max(peak, ++running);
          order[key].push_back(i);
        }
        std::this_thread::sleep_for(2ms);
        std::lock_guard lock(mutex);
        --running_per_key[key];
        --running;
      });
    }
    ex.wait_idle();
  }
  CHECK(peak_per_key == 1);
  CHECK(peak > 1);
  CHECK(peak <= 4);  // four keys: at most four at once whatever the worker count
  for (const auto& [key, seen] : order) {
    CHECK(seen.size() == 16);
    CHECK(std::is_sorted(seen.begin(), seen.end()));
  }
}

TEST_CASE("per-key ordering: a stopped executor drops the tasks waiting behind a key too") {
  CancellationToken abort;
  std::atomic<int> ran{0};
  {
    BoundedExecutor ex(2, nullptr, &abort);
    ex.submit("k", [&] {
      ++ran;
      abort.cancel("run-level");
    });
    for (int i = 0; i < 5; ++i) ex.submit("k", [&] { ++ran; });
    ex.wait_idle();
    CHECK(ex.not_started() == 5);
  }
  CHECK(ran == 1);
}

TEST_CASE("a run found unfinished by the next run is closed as crashed with counts rebuilt from its events") {
  auto ledger = open_sqlite_ledger(":memory:").value();
  FixedClock clock(at(0));
  std::ostringstream log_text;
  Logger log(log_text);
  SyncSettings s;
  const Sleeper sleep = [](std::chrono::milliseconds) {};
  // A run that died (SIGKILL) after settling two records and starting a third.
  const auto dead = ledger->begin_run("9.9", at(0)).value();
  auto row = [&](const char* key, LedgerState state) {
    LedgerRecord r;
    r.workflow = "9.9";
    r.source_key = key;
    r.state = state;
    r.updated_at = at(1);
    REQUIRE(ledger->record(r, dead));
  };
  row("a", LedgerState::kDelivered);
  row("b", LedgerState::kRejected);
  row("c", LedgerState::kInFlight);
  const EngineDeps deps{*ledger, s, clock, log, sleep};
  const auto report = run_with_ledger(deps, "9.9", [](RecordBook&, RunReport&) -> Result<std::string> { return std::string(); });
  CHECK_FALSE(report.aborted());
  const auto runs = ledger->runs("9.9", 10).value();
  REQUIRE(runs.size() == 2);
  const RunRow& crashed = runs[1];
  CHECK(crashed.id == dead);
  REQUIRE(crashed.finished_at);
  CHECK(crashed.counts.delivered == 1);
  CHECK(crashed.counts.rejected == 1);
  CHECK(crashed.counts.failed == 1);  // the one in flight when it died
  CHECK_THAT(crashed.aborted_reason, Catch::StartsWith("crashed"));
  CHECK_THAT(log_text.str(), Catch::Contains("\"event\":\"run.crashed\""));
}

TEST_CASE("a run that cannot start is logged as a structured line too, and a held lease is exit 75") {
  auto ledger = open_sqlite_ledger(":memory:").value();
  FixedClock clock(at(0));
  std::ostringstream log_text;
  Logger log(log_text);
  SyncSettings s;
  const Sleeper sleep = [](std::chrono::milliseconds) {};
  const EngineDeps deps{*ledger, s, clock, log, sleep};
  auto held = ledger->acquire_run_lease("9.9", at(0));
  REQUIRE(held);
  bool ran = false;
  const auto report = run_with_ledger(deps, "9.9", [&](RecordBook&, RunReport&) -> Result<std::string> {
    ran = true;
    return std::string();
  });
  CHECK_FALSE(ran);
  CHECK(report.aborted());
  CHECK(report.exit_status() == kExitLeaseHeld);
  CHECK_THAT(report.abort_reason(), Catch::Contains("another run holds the run lease"));
  CHECK_THAT(log_text.str(), Catch::Contains("\"event\":\"run.not_started\"") && Catch::Contains("locked"));
  CHECK(ledger->runs("9.9", 10).value().empty());  // nothing recorded
}
