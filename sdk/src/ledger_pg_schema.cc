// The PostgreSQL ledger's schema: versioned migrations applied at opening under an advisory lock.
// See ledger_pg_schema.h.
#include "ledger_pg_schema.h"

#include <iterator>

namespace refbridge::ledger_detail::pg {
namespace {

// kMigrations[v] takes the schema from version v to v + 1 (v rows in refbridge.schema_migrations).
// Keys are COLLATE "C" (byte order, as SQLite compares them); times are ms since the epoch, UTC.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE refbridge.cursors (
  deployment text COLLATE "C" NOT NULL,
  workflow   text COLLATE "C" NOT NULL,
  value      text NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (deployment, workflow)
);
CREATE TABLE refbridge.runs (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  deployment     text COLLATE "C" NOT NULL,
  workflow       text COLLATE "C" NOT NULL,
  started_at     bigint NOT NULL,
  finished_at    bigint,
  delivered      bigint NOT NULL DEFAULT 0,
  skipped        bigint NOT NULL DEFAULT 0,
  rejected       bigint NOT NULL DEFAULT 0,
  failed         bigint NOT NULL DEFAULT 0,
  aborted_reason text NOT NULL DEFAULT '',
  cursor_after   text NOT NULL DEFAULT '',
  UNIQUE (id, deployment)
);
CREATE INDEX runs_by_workflow ON refbridge.runs (deployment, workflow, id);
CREATE TABLE refbridge.records (
  deployment      text COLLATE "C" NOT NULL,
  workflow        text COLLATE "C" NOT NULL,
  source_key      text COLLATE "C" NOT NULL,
  source_id       text NOT NULL DEFAULT '',
  target_key      text NOT NULL DEFAULT '',
  state           text NOT NULL CHECK (state IN ('in_flight','submitted','delivered','skipped','rejected','failed')),
  attempts        integer NOT NULL DEFAULT 0,
  error_code      text NOT NULL DEFAULT '',
  error_message   text NOT NULL DEFAULT '',
  transaction_id  text NOT NULL DEFAULT '',
  content_hash    text NOT NULL DEFAULT '',
  delivered_hash  text NOT NULL DEFAULT '',
  first_seen_at   bigint NOT NULL,
  updated_at      bigint NOT NULL,
  next_attempt_at bigint,
  PRIMARY KEY (deployment, workflow, source_key)
);
CREATE INDEX records_by_state ON refbridge.records (deployment, workflow, state, source_key);
CREATE TABLE refbridge.record_events (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  deployment     text COLLATE "C" NOT NULL,
  workflow       text COLLATE "C" NOT NULL,
  source_key     text COLLATE "C" NOT NULL,
  run_id         bigint,
  at             bigint NOT NULL,
  state          text NOT NULL,
  attempts       integer NOT NULL,
  error_code     text NOT NULL,
  error_message  text NOT NULL,
  transaction_id text NOT NULL,
  content_hash   text NOT NULL,
  target_key     text NOT NULL,
  FOREIGN KEY (deployment, workflow, source_key) REFERENCES refbridge.records (deployment, workflow, source_key),
  FOREIGN KEY (run_id, deployment) REFERENCES refbridge.runs (id, deployment)
);
CREATE INDEX record_events_by_record ON refbridge.record_events (deployment, workflow, source_key, id);
CREATE INDEX record_events_by_run ON refbridge.record_events (run_id);
CREATE TABLE refbridge.run_leases (
  deployment  text COLLATE "C" NOT NULL,
  workflow    text COLLATE "C" NOT NULL,
  pid         bigint NOT NULL,
  host        text NOT NULL,
  started_at  bigint NOT NULL,
  backend_pid integer NOT NULL,
  PRIMARY KEY (deployment, workflow)
);
)sql",
};
static_assert(std::size(kMigrations) == kPgLedgerSchemaVersion, "one migration per schema version");

/// Serialises every migrating process of the database (released at the transaction's end).
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(hashtextextended('refbridge-ledger-migrations', 0))";

constexpr const char* kBootstrap =
    "CREATE SCHEMA IF NOT EXISTS refbridge; "
    "CREATE TABLE IF NOT EXISTS refbridge.schema_migrations (version integer PRIMARY KEY, "
    "applied_at timestamptz NOT NULL DEFAULT now())";

/// The applied version (0: no refbridge schema), or kConfig when newer than this build.
Result<int> applied_version(Connection& c) {
  REFBRIDGE_TRY(auto has, c.exec("SELECT to_regclass('refbridge.schema_migrations') IS NOT NULL", "cannot read the schema version"));
  if (has.text(0, 0) != "t") return 0;
  REFBRIDGE_TRY(auto rows, c.exec("SELECT COALESCE(MAX(version), 0) FROM refbridge.schema_migrations", "cannot read the schema version"));
  const auto version = static_cast<int>(rows.integer(0, 0));
  if (version > kPgLedgerSchemaVersion) {
    return make_error(ErrorCode::kConfig, "PostgreSQL ledger " + c.where() + " has schema version " + std::to_string(version) +
                                              ", newer than this refbridge supports (" +
                                              std::to_string(kPgLedgerSchemaVersion) + "); use a newer refbridge");
  }
  return version;
}

/// One transaction under the migration lock: re-reads the version, applies what is missing.
Result<void> migrate_locked(Connection& c) {
  REFBRIDGE_TRY(c.exec("BEGIN", "cannot start the schema migration"));
  auto body = [&]() -> Result<void> {
    REFBRIDGE_TRY(c.exec(kMigrationLock, "cannot take the migration lock"));
    REFBRIDGE_TRY(c.exec(kBootstrap, "cannot create the schema refbridge (does the user have CREATE on the database?)"));
    REFBRIDGE_TRY(const int version, applied_version(c));
    for (int v = version; v < kPgLedgerSchemaVersion; ++v) {
      REFBRIDGE_TRY(c.exec(kMigrations[v], "cannot migrate to schema version " + std::to_string(v + 1)));
      Params p;
      p.add(std::int64_t{v + 1});
      REFBRIDGE_TRY(c.exec("INSERT INTO refbridge.schema_migrations (version) VALUES ($1)", p, "cannot record a migration"));
    }
    REFBRIDGE_TRY(c.exec("COMMIT", "cannot commit the schema migration"));
    return ok();
  };
  auto r = body();
  if (!r) (void)c.exec("ROLLBACK", "rollback");
  return r;
}

}  // namespace

Result<void> prepare_schema(Connection& c, LedgerOpenMode mode) {
  REFBRIDGE_TRY(const int seen, applied_version(c));
  if (seen == kPgLedgerSchemaVersion) return ok();
  if (mode == LedgerOpenMode::kCreate) return migrate_locked(c);
  if (seen == 0) return make_error(ErrorCode::kConfig, "PostgreSQL database " + c.where() + " holds no refbridge ledger (no schema refbridge)");
  return make_error(ErrorCode::kConfig, "PostgreSQL ledger " + c.where() + " has the older schema version " +
                                            std::to_string(seen) + "; run a workflow once to migrate it");
}

}  // namespace refbridge::ledger_detail::pg
