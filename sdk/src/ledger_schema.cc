// Opening the SQLite ledger file and creating/migrating its schema. See ledger_schema.h.
#include "ledger_schema.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <thread>

namespace refbridge::ledger_detail {
namespace {

// ---- schema ----

// kMigrations[v] takes the schema from user_version v to v + 1.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE cursors (
  workflow   TEXT PRIMARY KEY NOT NULL,
  value      TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE runs (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  workflow       TEXT NOT NULL,
  started_at     INTEGER NOT NULL,
  finished_at    INTEGER,
  delivered      INTEGER NOT NULL DEFAULT 0,
  skipped        INTEGER NOT NULL DEFAULT 0,
  rejected       INTEGER NOT NULL DEFAULT 0,
  failed         INTEGER NOT NULL DEFAULT 0,
  aborted_reason TEXT NOT NULL DEFAULT '',
  cursor_after   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_by_workflow ON runs (workflow, id);
CREATE TABLE records (
  workflow        TEXT NOT NULL,
  source_key      TEXT NOT NULL,
  source_id       TEXT NOT NULL DEFAULT '',
  target_key      TEXT NOT NULL DEFAULT '',
  state           TEXT NOT NULL CHECK (state IN ('in_flight','submitted','delivered','skipped','rejected','failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  error_code      TEXT NOT NULL DEFAULT '',
  error_message   TEXT NOT NULL DEFAULT '',
  transaction_id  TEXT NOT NULL DEFAULT '',
  content_hash    TEXT NOT NULL DEFAULT '',
  delivered_hash  TEXT NOT NULL DEFAULT '',
  first_seen_at   INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  next_attempt_at INTEGER,
  PRIMARY KEY (workflow, source_key)
) WITHOUT ROWID;
CREATE INDEX records_by_state ON records (workflow, state, source_key);
CREATE TABLE record_events (
  id             INTEGER PRIMARY KEY,
  workflow       TEXT NOT NULL,
  source_key     TEXT NOT NULL,
  run_id         INTEGER REFERENCES runs (id),
  at             INTEGER NOT NULL,
  state          TEXT NOT NULL,
  attempts       INTEGER NOT NULL,
  error_code     TEXT NOT NULL,
  error_message  TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  content_hash   TEXT NOT NULL,
  target_key     TEXT NOT NULL,
  FOREIGN KEY (workflow, source_key) REFERENCES records (workflow, source_key)
);
CREATE INDEX record_events_by_record ON record_events (workflow, source_key, id);
CREATE INDEX record_events_by_run ON record_events (run_id);
)sql",
};
static_assert(std::size(kMigrations) == kLedgerSchemaVersion, "one migration per schema version");

Result<int> schema_version(sqlite3* db, const std::string& path) {
  REFBRIDGE_TRY(const std::string text, single_value(db, "PRAGMA user_version", "cannot read the schema version of " + path));
  int version = 0;
  std::from_chars(text.data(), text.data() + text.size(), version);
  if (version > kLedgerSchemaVersion) {
    return make_error(ErrorCode::kConfig, "ledger " + path + " has schema version " + std::to_string(version) +
                                              ", newer than this refbridge supports (" +
                                              std::to_string(kLedgerSchemaVersion) + "); use a newer refbridge");
  }
  return version;
}

/// Creates or migrates the schema in one transaction. The version read before the transaction
/// only spares the write lock when the schema is current; inside BEGIN IMMEDIATE it is read again,
/// so of several processes creating a new ledger at once exactly one creates the tables and the
/// others find version kLedgerSchemaVersion and do nothing.
Result<void> migrate(sqlite3* db, const std::string& path) {
  REFBRIDGE_TRY(const int seen, schema_version(db, path));
  if (seen == kLedgerSchemaVersion) return ok();
  return with_transaction(db, [&]() -> Result<void> {
    REFBRIDGE_TRY(const int version, schema_version(db, path));
    for (int v = version; v < kLedgerSchemaVersion; ++v) {
      REFBRIDGE_TRY(exec(db, kMigrations[v], "cannot migrate ledger " + path + " to schema version " + std::to_string(v + 1)));
    }
    if (version == kLedgerSchemaVersion) return ok();
    const std::string set = "PRAGMA user_version = " + std::to_string(kLedgerSchemaVersion);
    return exec(db, set.c_str(), "cannot set the schema version of " + path);
  });
}

/// Read-only opening: the schema must be exactly the current one.
Result<void> check_schema(sqlite3* db, const std::string& path) {
  REFBRIDGE_TRY(const int version, schema_version(db, path));
  if (version == kLedgerSchemaVersion) return ok();
  if (version == 0) return make_error(ErrorCode::kConfig, path + " is not a refbridge ledger (no schema)");
  return make_error(ErrorCode::kConfig, "ledger " + path + " has the older schema version " + std::to_string(version) +
                                            "; run a workflow once to migrate it");
}

// ---- the file ----

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

/// An existing ledger file must be a regular file without group/other permissions.
Result<void> check_existing_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT) return make_error(ErrorCode::kIo, "ledger file " + path + " does not exist (opened without creating it; check the path)");
    return make_error(ErrorCode::kIo, "cannot inspect ledger file " + path + ": " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) return make_error(ErrorCode::kConfig, "ledger path " + path + " is not a regular file");
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return make_error(ErrorCode::kConfig, "ledger file " + path + " has mode " + mode_text(st.st_mode) +
                                              " (group/others may access it; it holds the audit trail of both agencies); run: chmod 600 " +
                                              path);
  }
  return ok();
}

/// Creates the file with mode 0600 when it does not exist, else checks the existing one.
Result<void> create_or_check_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    const int err = errno;
    if (err == EEXIST) return check_existing_file(path);
    return make_error(ErrorCode::kIo, "cannot create ledger file " + path + ": " + std::strerror(err) +
                                          "; check that the directory exists and is writable");
  }
  const bool chmod_ok = ::fchmod(fd, 0600) == 0;  // exactly 0600 whatever the umask
  ::close(fd);
  if (!chmod_ok) return make_error(ErrorCode::kIo, "cannot set mode 0600 on ledger file " + path);
  return ok();
}

Result<DbHandle> open_connection(const std::string& path, LedgerOpenMode mode) {
  const int flags = (mode == LedgerOpenMode::kCreate ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) |
                    SQLITE_OPEN_NOMUTEX;  // the ledger's own mutex serialises every use
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) return sqlite_error(db.get(), rc, "cannot open ledger " + path);
  // Before any statement (the pragmas below included): every lock is waited for.
  sqlite3_busy_timeout(db.get(), static_cast<int>(kBusyTimeout.count()));
  sqlite3_extended_result_codes(db.get(), 1);
  return db;
}

int first_column(void* out, int columns, char** values, char** /*names*/) {
  if (columns > 0 && values[0] != nullptr) *static_cast<std::string*>(out) = values[0];
  return 0;
}

/// PRAGMA journal_mode = WAL. Switching a new file to WAL needs a moment of exclusive access, and
/// SQLite may answer SQLITE_BUSY at once (without its busy handler) while another process opens
/// the same new file: the switch is retried until the busy timeout has elapsed.
Result<void> enable_wal(sqlite3* db, const std::string& path) {
  const auto start = std::chrono::steady_clock::now();
  for (std::chrono::milliseconds pause{1};; pause = std::min(pause * 2, std::chrono::milliseconds{50})) {
    std::string journal;
    const int rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL", first_column, &journal, nullptr);
    if (rc == SQLITE_OK) {
      if (journal == "wal") return ok();
      return make_error(ErrorCode::kIo, "ledger " + path + " stays in journal mode '" + journal +
                                            "' instead of WAL; is it on a network file system? Use a local disk");
    }
    if ((rc & 0xff) != SQLITE_BUSY || elapsed_since(start) >= kBusyTimeout) {
      return sqlite_error(db, rc, "cannot enable WAL on ledger " + path, elapsed_since(start));
    }
    std::this_thread::sleep_for(pause);
  }
}

Result<void> configure(sqlite3* db, const std::string& path, LedgerOpenMode mode) {
  REFBRIDGE_TRY(exec(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;", "cannot configure ledger " + path));
  if (mode != LedgerOpenMode::kCreate || path == ":memory:") return ok();
  return enable_wal(db, path);
}

}  // namespace

Result<DbHandle> open_database(const std::string& path, LedgerOpenMode mode) {
  if (path != ":memory:") {
    REFBRIDGE_TRY(mode == LedgerOpenMode::kCreate ? create_or_check_file(path) : check_existing_file(path));
  }
  REFBRIDGE_TRY(auto db, open_connection(path, mode));
  REFBRIDGE_TRY(configure(db.get(), path, mode));
  REFBRIDGE_TRY(mode == LedgerOpenMode::kCreate ? migrate(db.get(), path) : check_schema(db.get(), path));
  return db;
}

}  // namespace refbridge::ledger_detail
