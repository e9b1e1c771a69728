#pragma once
// The ledger on PostgreSQL: the same refbridge::Ledger (refbridge/ledger.h) on a server database,
// shared by many deployments (country operations) and many hosts or pods.
// Source: the "Beyond one machine: the ledger on PostgreSQL" issue.
//
// Tables (schema `refbridge`, created by versioned migrations; see ledger_pg_schema.cc):
//   schema_migrations(version PK, applied_at)  one row per applied migration
//   cursors, runs, records, record_events      as in SQLite, every row with a `deployment` column
//                                              that is part of every key and every query
//   run_leases(deployment, workflow) PK, pid, host, started_at, backend_pid
//                                              who holds a run lease (names the holder when refused)
// Times are integer milliseconds since the Unix epoch, UTC (as in SQLite), keys compare in byte
// order (COLLATE "C"), as SQLite's do.
//
// Guarantees (the same as SQLite's, see ledger.h):
//   - Every write is one SERIALIZABLE transaction, committed with synchronous_commit as the server
//     has it (on by default: a committed write survives a crash of the client and of the server).
//     A serialization failure (SQLSTATE 40001) or a deadlock (40P01) is retried, up to
//     kPgWriteAttempts times with a growing pause; each try runs the whole transaction again.
//   - Rows of one deployment are invisible to another: every statement filters by the deployment
//     given at opening; a run id of another deployment is refused by record() as an unknown run.
//   - The run lease of (deployment, workflow) is pg_try_advisory_lock(hashtextextended(
//     'refbridge-run-lease/' || deployment || '/' || workflow, 0)) taken on a connection of its
//     own, held while the RunLease lives: the server drops it when that session ends (process
//     crash, pod deletion; a host that vanishes without closing TCP is detected by the keepalives
//     this client asks for, after about one minute). The holder is written into run_leases.
//   - Migrations run at opening under pg_advisory_xact_lock, in one transaction: several
//     processes opening a new database at once all succeed with one schema.
//   - Messages in the ledger carry ids and codes only; texts pass redact() as in SQLite. The
//     password never appears in a message (errors name host, port, database and user only).

#include "refbridge/ledger.h"

#include <memory>
#include <string>
#include <string_view>

namespace refbridge {

/// How many times a write transaction is tried when the server answers a serialization failure
/// or a deadlock.
inline constexpr int kPgWriteAttempts = 8;

/// The PostgreSQL schema version this build reads and writes (rows of refbridge.schema_migrations).
inline constexpr int kPgLedgerSchemaVersion = 1;

/// Where and as whom the PostgreSQL ledger is opened.
struct PostgresLedgerOptions {
  /// A libpq connection URI, "postgresql://user@host:port/database?sslmode=verify-full&sslrootcert=/path"
  /// (or "postgres://..."); every libpq URI parameter is accepted (sslmode, sslrootcert, sslcert,
  /// sslkey, connect_timeout, ...). It must not carry a password (use `password`).
  std::string url;
  /// The deployment whose rows this ledger reads and writes: 1 to 64 letters, digits, '.', '_',
  /// '-' (e.g. "eth-gambella"). Configuration key `deployment`.
  std::string deployment;
  /// The password (from REFBRIDGE_LEDGER_PASSWORD / _FILE); empty = none (peer, certificate or
  /// .pgpass authentication).
  std::string password;
  /// kReadOnly: nothing is written (no migration: the schema must be current; the run lease is refused).
  LedgerOpenMode mode = LedgerOpenMode::kCreate;
};

/// True when `ledger` (a configuration value) names a PostgreSQL server ("postgresql://" or "postgres://").
bool is_postgres_url(std::string_view ledger) noexcept;

/// The URL without user info and with no query ("postgresql://host:5432/db"), for messages.
std::string describe_postgres_url(std::string_view url);

/// Connects, creates or migrates the schema (kCreate) and answers the ledger of options.deployment.
/// Errors: kConfig (the URL is not a postgresql:// URL or carries a password; the deployment id is
/// empty or malformed; the schema is newer than kPgLedgerSchemaVersion, or older/missing in
/// kReadOnly), kIo (cannot connect: names host, port, database and the server's reason;
/// a migration failed), kUnauthorized (the server refused the password or the user).
Result<std::unique_ptr<Ledger>> open_postgres_ledger(const PostgresLedgerOptions& options);

}  // namespace refbridge

namespace refbridge {

/// Opens the ledger a configuration names (`ledger` key, tools/ledger --ledger): a PostgreSQL URL
/// (is_postgres_url) opens the rows of `deployment` with the password from
/// REFBRIDGE_LEDGER_PASSWORD / REFBRIDGE_LEDGER_PASSWORD_FILE (refbridge/secrets.h; none set = no
/// password); anything else is the SQLite file at `ledger` (one deployment per file: `deployment`
/// is not stored). Errors: those of open_postgres_ledger / open_sqlite_ledger, and of read_secret.
Result<std::unique_ptr<Ledger>> open_ledger(const std::string& ledger, const std::string& deployment,
                                            LedgerOpenMode mode = LedgerOpenMode::kCreate);

}  // namespace refbridge
