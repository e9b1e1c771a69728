#pragma once
// The ledger contract tests run on both back ends: SQLite (a file in a per-test temporary
// directory) and PostgreSQL (a fresh deployment id in the test binary's own server,
// tests/support/pg_server.h; a missing server fails the test). Use
//   LEDGER_ON_EACH_BACKEND(place);  auto ledger = place.open();
// at the top of a TEST_CASE: the case runs once per back end (Catch2 GENERATE).

#include "refbridge/ledger.h"
#include "refbridge/ledger_postgres.h"

#include "ledger_temp_dir.h"
#include "pg_server.h"

#include <catch2/catch.hpp>

#include <memory>
#include <string>

namespace refbridge::testing {

enum class Backend { kSqlite, kPostgres };

/// One empty ledger of a back end, which can be opened several times (several Ledger objects,
/// read-only too) and outlives every Ledger opened on it.
class LedgerPlace {
 public:
  explicit LedgerPlace(Backend backend) : backend_(backend) {
    if (backend_ == Backend::kPostgres) deployment_ = PgServer::fresh_deployment("contract");
  }

  [[nodiscard]] Backend backend() const { return backend_; }
  [[nodiscard]] std::string name() const { return backend_ == Backend::kSqlite ? "sqlite" : "postgresql"; }
  [[nodiscard]] const std::string& deployment() const { return deployment_; }
  [[nodiscard]] std::string sqlite_path() const { return dir_.file("ledger.db"); }

  /// PostgreSQL options of this place (the server is started by the first call).
  [[nodiscard]] PostgresLedgerOptions pg_options(LedgerOpenMode mode = LedgerOpenMode::kCreate) const {
    const PgServer& server = PgServer::instance();
    return PostgresLedgerOptions{server.url(), deployment_, server.password(), mode};
  }

  [[nodiscard]] Result<std::unique_ptr<Ledger>> try_open(LedgerOpenMode mode = LedgerOpenMode::kCreate) const {
    if (backend_ == Backend::kSqlite) return open_sqlite_ledger(sqlite_path(), mode);
    return open_postgres_ledger(pg_options(mode));
  }

  /// The ledger, or the test fails with the error.
  [[nodiscard]] std::unique_ptr<Ledger> open(LedgerOpenMode mode = LedgerOpenMode::kCreate) const {
    auto ledger = try_open(mode);
    if (!ledger) FAIL(name() + ": " + ledger.error().describe());
    return std::move(ledger.value());
  }

 private:
  Backend backend_;
  TempDir dir_;
  std::string deployment_;
};

}  // namespace refbridge::testing

/// Declares `place`, a LedgerPlace of each back end in turn (the test case runs once per back end).
#define LEDGER_ON_EACH_BACKEND(place)                                                                                 \
  const ::refbridge::testing::LedgerPlace place(                                                                     \
      GENERATE(::refbridge::testing::Backend::kSqlite, ::refbridge::testing::Backend::kPostgres));                   \
  CAPTURE(place.name())
