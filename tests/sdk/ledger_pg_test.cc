// What the PostgreSQL ledger (refbridge/ledger_postgres.h) adds to the contract: deployments that
// never see each other's rows, the run lease on the server (advisory lock, holder named, freed when
// its session dies), writes from many connections at once, migrations under a lock, and errors
// that name the key or variable to fix. Runs against the test binary's own server (pg_server.h).
#include "refbridge/ledger_postgres.h"

#include "ledger_fork.h"
#include "pg_server.h"

#include <catch2/catch.hpp>
#include <libpq-fe.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using refbridge::ErrorCode;
using refbridge::Ledger;
using refbridge::LedgerOpenMode;
using refbridge::LedgerRecord;
using refbridge::LedgerState;
using refbridge::LedgerTime;
using refbridge::PostgresLedgerOptions;
using refbridge::testing::fork_child;
using refbridge::testing::PgServer;
using refbridge::testing::Pipe;
using refbridge::testing::wait_child;

namespace {

/// 2025-01-01T10:00:00.000Z plus `ms`.
LedgerTime at(std::int64_t ms = 0) { return LedgerTime{std::chrono::milliseconds{1'735'725'600'000 + ms}}; }

PostgresLedgerOptions options(const std::string& deployment, LedgerOpenMode mode = LedgerOpenMode::kCreate) {
  const auto& server = PgServer::instance();
  return {server.url(), deployment, server.password(), mode};
}

std::unique_ptr<Ledger> open(const PostgresLedgerOptions& o) {
  auto ledger = refbridge::open_postgres_ledger(o);
  if (!ledger) FAIL(ledger.error().describe());
  return std::move(ledger.value());
}

LedgerRecord make_record(std::string key, LedgerState state, std::string workflow = "1.1") {
  LedgerRecord r;
  r.workflow = std::move(workflow);
  r.source_key = std::move(key);
  r.state = state;
  r.attempts = 1;
  r.updated_at = at();
  return r;
}

std::string host_name() {
  char buf[256] = {};
  REQUIRE(::gethostname(buf, sizeof buf - 1) == 0);
  return buf;
}

/// Runs `sql` as the server's superuser on `database`; the first cell of the answer ("" when none).
std::string admin(const std::string& database, const std::string& sql) {
  const auto& server = PgServer::instance();
  const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(server.port()) + " user=refbridge dbname=" + database +
                               " password=" + server.password();
  PGconn* conn = PQconnectdb(conninfo.c_str());
  REQUIRE(PQstatus(conn) == CONNECTION_OK);
  PGresult* r = PQexec(conn, sql.c_str());
  const auto status = PQresultStatus(r);
  const std::string error = PQresultErrorMessage(r);
  const std::string cell = status == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
  PQclear(r);
  PQfinish(conn);
  INFO(error);
  REQUIRE((status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK));
  return cell;
}

/// A new empty database on the server, and the ledger options pointing at it.
PostgresLedgerOptions on_new_database(const std::string& name) {
  admin("postgres", "CREATE DATABASE " + name);
  auto o = options("eth-gambella");
  o.url = "postgresql://refbridge@127.0.0.1:" + std::to_string(PgServer::instance().port()) + "/" + name;
  return o;
}

}  // namespace

TEST_CASE("pg: rows, cursors and runs of one deployment are invisible to another") {
  const auto a_name = PgServer::fresh_deployment("gambella");
  const auto b_name = PgServer::fresh_deployment("kakuma");
  auto a = open(options(a_name));
  auto b = open(options(b_name));
  const auto run_a = a->begin_run("1.1", at()).value();
  REQUIRE(a->record(make_record("989-22-PRTITV-0000051", LedgerState::kDelivered), run_a));
  REQUIRE(a->set_cursor("1.1", "cursor-a"));
  REQUIRE(b->record(make_record("989-22-PRTITV-0000051", LedgerState::kFailed), 0));

  CHECK(a->find("1.1", "989-22-PRTITV-0000051").value()->state == LedgerState::kDelivered);
  CHECK(b->find("1.1", "989-22-PRTITV-0000051").value()->state == LedgerState::kFailed);
  CHECK(b->history("1.1", "989-22-PRTITV-0000051").value().size() == 1);
  CHECK(b->cursor("1.1").value() == std::nullopt);
  CHECK(b->runs("1.1", 10).value().empty());
  CHECK(b->count_by_state("1.1").value().at("delivered") == 0);
  CHECK(a->workflows().value() == std::vector<std::string>{"1.1"});

  SECTION("a run id of another deployment is refused as unknown, and changes nothing") {
    const auto r = b->record(make_record("k2", LedgerState::kDelivered), run_a);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kInvalidInput);
    CHECK_THAT(r.error().message, Catch::Contains("run " + std::to_string(run_a)) && Catch::Contains(b_name));
    CHECK(b->find("1.1", "k2").value() == std::nullopt);
    CHECK(b->finish_run(run_a, {}, at(), "", "").error().code == ErrorCode::kInvalidInput);
  }
}

TEST_CASE("pg: a second acquire is refused with kLocked naming the holder; other workflows and deployments are free") {
  const auto deployment = PgServer::fresh_deployment("lease");
  auto ledger = open(options(deployment));
  auto first = ledger->acquire_run_lease("1.1", at());
  REQUIRE(first);
  CHECK(first.value()->holder().pid == ::getpid());
  CHECK(first.value()->holder().host == host_name());

  auto other = open(options(deployment));
  const auto refused = other->acquire_run_lease("1.1", at(1'000));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::kLocked);
  const std::string expected = "workflow 1.1: another run holds the run lease (pid " + std::to_string(::getpid()) +
                               " on host " + host_name() + ", started 2025-01-01T10:00:00.000Z; lock file " +
                               "PostgreSQL advisory lock of deployment " + deployment + " on postgresql://refbridge@127.0.0.1:" +
                               std::to_string(PgServer::instance().port()) + "/refbridge); this run did nothing";
  CHECK(refused.error().message == expected);
  CHECK(ledger->acquire_run_lease("1.1", at()).error().code == ErrorCode::kLocked);  // the same object too

  CHECK(ledger->acquire_run_lease("1.2", at()));
  auto elsewhere = open(options(PgServer::fresh_deployment("lease-other")));
  CHECK(elsewhere->acquire_run_lease("1.1", at()));

  first.value().reset();
  auto again = other->acquire_run_lease("1.1", at(2'000));
  REQUIRE(again);
  CHECK(again.value()->holder().started_at == at(2'000));
}

TEST_CASE("pg: a forked child holding the lease refuses the parent, and frees it when SIGKILLed") {
  const auto o = options(PgServer::fresh_deployment("fork"));  // the server runs before fork()
  Pipe ready;
  Pipe hold;
  const pid_t child = fork_child([&] {
    ready.close_read();
    hold.close_write();
    auto ledger = refbridge::open_postgres_ledger(o);
    if (!ledger) return 1;
    auto lease = ledger.value()->acquire_run_lease("2.1", at());
    if (!lease) return 2;
    ready.signal();
    (void)hold.wait();  // until killed
    return 0;
  });
  ready.close_write();
  hold.close_read();
  REQUIRE(ready.wait());
  auto ledger = open(o);
  const auto refused = ledger->acquire_run_lease("2.1", at(5'000));
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message, Catch::Contains("pid " + std::to_string(child) + " on host " + host_name()));

  REQUIRE(::kill(child, SIGKILL) == 0);
  CHECK(wait_child(child) == 128 + SIGKILL);
  // The server notices the closed socket and ends the session: the lock frees within moments.
  refbridge::Result<std::unique_ptr<refbridge::RunLease>> after = refused.error();
  for (int i = 0; i < 100 && !after; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
    after = ledger->acquire_run_lease("2.1", at(6'000));
  }
  REQUIRE(after);
  CHECK(after.value()->holder().pid == ::getpid());
}

TEST_CASE("pg: eight connections writing the same record at once lose no event (serialization failures retried)") {
  const auto deployment = PgServer::fresh_deployment("concurrent");
  auto setup = open(options(deployment));
  const auto run = setup->begin_run("1.1", at()).value();
  constexpr int kWriters = 8;
  constexpr int kEach = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([&, t] {
      auto ledger = refbridge::open_postgres_ledger(options(deployment));
      if (!ledger) {
        ++failures;
        return;
      }
      for (int i = 0; i < kEach; ++i) {
        if (!ledger.value()->record(make_record("shared", LedgerState::kFailed), run)) ++failures;
        if (!ledger.value()->record(make_record("w" + std::to_string(t) + "-" + std::to_string(i), LedgerState::kDelivered), run)) ++failures;
        if (!ledger.value()->set_cursor("1.1", "w" + std::to_string(t))) ++failures;
      }
    });
  }
  for (auto& w : writers) w.join();
  CHECK(failures == 0);
  CHECK(setup->history("1.1", "shared").value().size() == kWriters * kEach);
  CHECK(setup->count_by_state("1.1").value().at("delivered") == kWriters * kEach);
  CHECK_THAT(setup->cursor("1.1").value().value(), Catch::StartsWith("w"));
}

TEST_CASE("pg: ledgers opening a new database at once all succeed with one schema; a newer schema is refused") {
  auto o = on_new_database("refbridge_migrate_" + std::to_string(::getpid()));
  std::atomic<int> opened{0};
  std::vector<std::thread> openers;
  for (int i = 0; i < 4; ++i) {
    openers.emplace_back([&] {
      if (refbridge::open_postgres_ledger(o)) ++opened;
    });
  }
  for (auto& t : openers) t.join();
  CHECK(opened == 4);
  const std::string db = o.url.substr(o.url.rfind('/') + 1);
  CHECK(admin(db, "SELECT COUNT(*) FROM refbridge.schema_migrations") == std::to_string(refbridge::kPgLedgerSchemaVersion));

  admin(db, "INSERT INTO refbridge.schema_migrations (version) VALUES (99)");
  for (const auto mode : {LedgerOpenMode::kCreate, LedgerOpenMode::kReadOnly}) {
    o.mode = mode;
    const auto refused = refbridge::open_postgres_ledger(o);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == ErrorCode::kConfig);
    CHECK_THAT(refused.error().message, Catch::Contains("99") && Catch::Contains("newer"));
  }
}

TEST_CASE("pg: opening errors name what to fix, never the password") {
  auto o = options("eth-gambella");
  SECTION("a password in the URL") {
    o.url = "postgresql://refbridge:hunter22@127.0.0.1:1/refbridge";
    const auto r = refbridge::open_postgres_ledger(o);
    CHECK(r.error().code == ErrorCode::kConfig);
    CHECK_THAT(r.error().message, Catch::Contains("REFBRIDGE_LEDGER_PASSWORD") && !Catch::Contains("hunter22"));
  }
  SECTION("a wrong password") {
    o.password = "not-the-password";
    const auto r = refbridge::open_postgres_ledger(o);
    CHECK(r.error().code == ErrorCode::kUnauthorized);
    CHECK_THAT(r.error().message, !Catch::Contains("not-the-password"));
  }
  SECTION("no password where the server asks for one") {
    o.password.clear();
    const auto r = refbridge::open_postgres_ledger(o);
    CHECK(r.error().code == ErrorCode::kConfig);
    CHECK_THAT(r.error().message, Catch::Contains("REFBRIDGE_LEDGER_PASSWORD_FILE"));
  }
  SECTION("a malformed deployment id") {
    o.deployment = "eth gambella";
    CHECK(refbridge::open_postgres_ledger(o).error().code == ErrorCode::kConfig);
  }
  SECTION("no server on the port") {
    o.url = "postgresql://refbridge@127.0.0.1:1/refbridge?connect_timeout=2";
    const auto r = refbridge::open_postgres_ledger(o);
    CHECK(r.error().code == ErrorCode::kIo);
    CHECK_THAT(r.error().message, Catch::Contains("postgresql://refbridge@127.0.0.1:1/refbridge"));
  }
  SECTION("read-only on a database without a ledger") {
    auto fresh = on_new_database("refbridge_empty_" + std::to_string(::getpid()));
    fresh.mode = LedgerOpenMode::kReadOnly;
    const auto r = refbridge::open_postgres_ledger(fresh);
    CHECK(r.error().code == ErrorCode::kConfig);
    CHECK_THAT(r.error().message, Catch::Contains("no refbridge ledger"));
    (void)open(options("x"));  // the schema exists from here on
    CHECK(open(options("x", LedgerOpenMode::kReadOnly))->acquire_run_lease("1.1", at()).error().code == ErrorCode::kInvalidInput);
  }
}
