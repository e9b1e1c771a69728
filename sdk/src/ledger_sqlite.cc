// The SQLite ledger: one connection guarded by a mutex, prepared statements, schema migrations in
// one transaction. See refbridge/ledger.h for the tables and the guarantees.
#include "refbridge/ledger.h"
#include "refbridge/redaction.h"
#include "refbridge/crash_point.h"

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <limits>
#include <mutex>
#include <utility>

namespace refbridge {

std::string_view to_string(LedgerState state) noexcept {
  switch (state) {
    case LedgerState::kInFlight: return "in_flight";
    case LedgerState::kSubmitted: return "submitted";
    case LedgerState::kDelivered: return "delivered";
    case LedgerState::kSkipped: return "skipped";
    case LedgerState::kRejected: return "rejected";
    case LedgerState::kFailed: return "failed";
  }
  return "in_flight";
}

std::optional<LedgerState> ledger_state_from_string(std::string_view text) noexcept {
  for (const LedgerState s : kAllLedgerStates) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

namespace {

constexpr int kBusyTimeoutMs = 5000;

struct DbCloser {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }
};
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

/// What a person can do about a failed SQLite call, by primary result code.
std::string_view advice(int rc) noexcept {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "another process held the ledger locked longer than the busy timeout; is another run still going?";
    case SQLITE_READONLY: return "the ledger is read-only here (opened read-only, or the file/directory is not writable)";
    case SQLITE_FULL: return "the disk is full; free space and run again";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return "the file is not a SQLite database or is damaged; restore it from a backup";
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH: return "check that the path exists and that its directory is writable by this user";
    case SQLITE_IOERR: return "the file system reported an I/O error; check the disk";
    default: return {};
  }
}

/// kIo "<what>: <sqlite message> (sqlite <code>)[; <advice>]".
Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  message += " (sqlite " + std::to_string(rc) + ")";
  if (const auto hint = advice(rc); !hint.empty()) {
    message += "; ";
    message += hint;
  }
  return make_error(ErrorCode::kIo, std::move(message));
}

std::int64_t to_millis(LedgerTime t) noexcept { return t.time_since_epoch().count(); }
LedgerTime from_millis(std::int64_t ms) noexcept { return LedgerTime{std::chrono::milliseconds{ms}}; }

std::int64_t to_limit(std::size_t limit) noexcept {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(limit < kMax ? limit : kMax);
}

/// One use of a prepared statement: binds parameters in order, steps, reads columns; resets the
/// statement when it goes out of scope. Binding errors are reported by the first step().
class Query {
 public:
  Query(sqlite3* db, sqlite3_stmt* stmt) noexcept : db_(db), stmt_(stmt) {}
  ~Query() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& bind(std::string_view text) {
    // Every text passes secret redaction (refbridge/redaction.h): an error message quoting a
    // server's answer can never put a credential into the ledger. SQLITE_TRANSIENT copies it.
    const std::string clean = redact(text);
    return note(sqlite3_bind_text(stmt_, ++index_, clean.c_str(), static_cast<int>(clean.size()), SQLITE_TRANSIENT));
  }
  Query& bind(std::int64_t value) { return note(sqlite3_bind_int64(stmt_, ++index_, value)); }
  Query& bind(LedgerTime t) { return bind(to_millis(t)); }
  Query& bind_null() { return note(sqlite3_bind_null(stmt_, ++index_)); }
  Query& bind(std::optional<LedgerTime> t) { return t ? bind(*t) : bind_null(); }
  Query& bind_null_if_zero(std::int64_t value) { return value != 0 ? bind(value) : bind_null(); }

  /// Steps once: true when a row is available, false when done.
  Result<bool> step(std::string_view what) {
    if (bind_rc_ != SQLITE_OK) return sqlite_error(db_, bind_rc_, what);
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return sqlite_error(db_, rc, what);
  }
  /// Steps to the end (statements that return no rows).
  Result<void> run(std::string_view what) {
    for (;;) {
      REFBRIDGE_TRY(const bool row, step(what));
      if (!row) return ok();
    }
  }

  [[nodiscard]] std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    if (p == nullptr) return {};
    return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
  }
  [[nodiscard]] std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  [[nodiscard]] bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  [[nodiscard]] LedgerTime time(int col) const { return from_millis(integer(col)); }
  [[nodiscard]] std::optional<LedgerTime> optional_time(int col) const {
    if (is_null(col)) return std::nullopt;
    return time(col);
  }

 private:
  Query& note(int rc) {
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
    return *this;
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int index_ = 0;
  int bind_rc_ = SQLITE_OK;
};

/// Runs one or more SQL statements without results (schema, pragmas, transaction control).
Result<void> exec(sqlite3* db, const char* sql, std::string_view what) {
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, what);
  return ok();
}

/// The first column of the first row of `sql` as text ("" when there is no row).
Result<std::string> single_value(sqlite3* db, const char* sql, std::string_view what) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
  StmtHandle stmt(raw);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, what);
  Query q(db, stmt.get());
  REFBRIDGE_TRY(const bool row, q.step(what));
  return row ? q.text(0) : std::string();
}

/// Runs `body` inside BEGIN IMMEDIATE ... COMMIT; rolls back when it (or the commit) fails.
template <class Body>
Result<void> with_transaction(sqlite3* db, Body&& body) {
  REFBRIDGE_TRY(exec(db, "BEGIN IMMEDIATE", "cannot start a ledger transaction"));
  Result<void> r = body();
  if (r) r = exec(db, "COMMIT", "cannot commit a ledger transaction");
  if (!r) (void)exec(db, "ROLLBACK", "rollback");  // the first error is the one worth reporting
  return r;
}

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

/// Creates or migrates the schema in one transaction.
Result<void> migrate(sqlite3* db, const std::string& path) {
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
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  return db;
}

Result<void> configure(sqlite3* db, const std::string& path, LedgerOpenMode mode) {
  REFBRIDGE_TRY(exec(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;", "cannot configure ledger " + path));
  if (mode != LedgerOpenMode::kCreate || path == ":memory:") return ok();
  REFBRIDGE_TRY(const std::string journal, single_value(db, "PRAGMA journal_mode = WAL", "cannot enable WAL on ledger " + path));
  if (journal != "wal") {
    return make_error(ErrorCode::kIo, "ledger " + path + " stays in journal mode '" + journal +
                                          "' instead of WAL; is it on a network file system? Use a local disk");
  }
  return ok();
}

// ---- statements ----

enum Stmt : std::size_t {
  kGetCursor,
  kSetCursor,
  kFind,
  kUpsert,
  kInsertEvent,
  kList,
  kDue,
  kHistory,
  kBeginRun,
  kFinishRun,
  kRuns,
  kCountByState,
  kWorkflows,
  kStmtCount,
};

constexpr const char* kRecordColumns =
    "SELECT workflow, source_key, source_id, target_key, state, attempts, error_code, error_message, transaction_id, "
    "content_hash, delivered_hash, first_seen_at, updated_at, next_attempt_at FROM records ";

std::array<std::string, kStmtCount> statement_sql() {
  std::array<std::string, kStmtCount> sql;
  sql[kGetCursor] = "SELECT value FROM cursors WHERE workflow = ?1";
  sql[kSetCursor] =
      "INSERT INTO cursors (workflow, value, updated_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (workflow) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";
  sql[kFind] = std::string(kRecordColumns) + "WHERE workflow = ?1 AND source_key = ?2";
  sql[kUpsert] =
      "INSERT INTO records (workflow, source_key, source_id, target_key, state, attempts, error_code, error_message, "
      "transaction_id, content_hash, delivered_hash, first_seen_at, updated_at, next_attempt_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
      "ON CONFLICT (workflow, source_key) DO UPDATE SET source_id = excluded.source_id, target_key = excluded.target_key, "
      "state = excluded.state, attempts = excluded.attempts, error_code = excluded.error_code, "
      "error_message = excluded.error_message, transaction_id = excluded.transaction_id, "
      "content_hash = excluded.content_hash, delivered_hash = excluded.delivered_hash, "
      "updated_at = excluded.updated_at, next_attempt_at = excluded.next_attempt_at";
  sql[kInsertEvent] =
      "INSERT INTO record_events (workflow, source_key, run_id, at, state, attempts, error_code, error_message, "
      "transaction_id, content_hash, target_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
  sql[kList] = std::string(kRecordColumns) +
               "WHERE workflow = ?1 AND (?2 IS NULL OR state = ?2) AND source_key > ?3 ORDER BY source_key LIMIT ?4";
  sql[kDue] = std::string(kRecordColumns) +
              "WHERE workflow = ?1 AND source_key > ?2 AND (state IN ('in_flight', 'submitted') OR "
              "(state = 'failed' AND (next_attempt_at IS NULL OR next_attempt_at <= ?3))) ORDER BY source_key LIMIT ?4";
  sql[kHistory] =
      "SELECT run_id, at, state, attempts, error_code, error_message, transaction_id, content_hash, target_key "
      "FROM record_events WHERE workflow = ?1 AND source_key = ?2 ORDER BY id";
  sql[kBeginRun] = "INSERT INTO runs (workflow, started_at) VALUES (?1, ?2)";
  sql[kFinishRun] =
      "UPDATE runs SET delivered = ?2, skipped = ?3, rejected = ?4, failed = ?5, finished_at = ?6, "
      "aborted_reason = ?7, cursor_after = ?8 WHERE id = ?1";
  sql[kRuns] =
      "SELECT id, workflow, started_at, finished_at, delivered, skipped, rejected, failed, aborted_reason, cursor_after "
      "FROM runs WHERE workflow = ?1 ORDER BY id DESC LIMIT ?2";
  sql[kCountByState] = "SELECT state, COUNT(*) FROM records WHERE workflow = ?1 GROUP BY state";
  sql[kWorkflows] =
      "SELECT workflow FROM cursors UNION SELECT workflow FROM records UNION SELECT workflow FROM runs ORDER BY 1";
  return sql;
}

using Statements = std::array<StmtHandle, kStmtCount>;

Result<Statements> prepare_statements(sqlite3* db) {
  Statements out;
  const auto sql = statement_sql();
  for (std::size_t i = 0; i < kStmtCount; ++i) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db, sql[i].c_str(), -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    out[i].reset(raw);
    if (rc != SQLITE_OK) return sqlite_error(db, rc, "cannot prepare ledger statement " + std::to_string(i));
  }
  return out;
}

// ---- rows ----

Result<LedgerState> state_of(const Query& q, int col) {
  const std::string text = q.text(col);
  if (auto s = ledger_state_from_string(text)) return *s;
  return make_error(ErrorCode::kIo, "ledger holds the unknown state '" + text + "'; was it written by a newer refbridge?");
}

Result<LedgerRecord> read_record(const Query& q) {
  LedgerRecord r;
  r.workflow = q.text(0);
  r.source_key = q.text(1);
  r.source_id = q.text(2);
  r.target_key = q.text(3);
  REFBRIDGE_TRY(r.state, state_of(q, 4));
  r.attempts = static_cast<int>(q.integer(5));
  r.error_code = q.text(6);
  r.error_message = q.text(7);
  r.transaction_id = q.text(8);
  r.content_hash = q.text(9);
  r.delivered_hash = q.text(10);
  r.first_seen_at = q.time(11);
  r.updated_at = q.time(12);
  r.next_attempt_at = q.optional_time(13);
  return r;
}

Result<LedgerEvent> read_event(const Query& q) {
  LedgerEvent e;
  e.run_id = q.integer(0);  // NULL (outside a run) reads as 0
  e.at = q.time(1);
  REFBRIDGE_TRY(e.state, state_of(q, 2));
  e.attempts = static_cast<int>(q.integer(3));
  e.error_code = q.text(4);
  e.error_message = q.text(5);
  e.transaction_id = q.text(6);
  e.content_hash = q.text(7);
  e.target_key = q.text(8);
  return e;
}

Result<RunRow> read_run(const Query& q) {
  RunRow r;
  r.id = q.integer(0);
  r.workflow = q.text(1);
  r.started_at = q.time(2);
  r.finished_at = q.optional_time(3);
  r.counts = {q.integer(4), q.integer(5), q.integer(6), q.integer(7)};
  r.aborted_reason = q.text(8);
  r.cursor_after = q.text(9);
  return r;
}

/// Every row of `q`, read by `read` (a function Query -> Result<T>).
template <class Read>
auto collect(Query& q, Read read, std::string_view what) -> Result<std::vector<typename decltype(read(q))::value_type>> {
  std::vector<typename decltype(read(q))::value_type> out;
  for (;;) {
    REFBRIDGE_TRY(const bool row, q.step(what));
    if (!row) return out;
    REFBRIDGE_TRY(auto item, read(q));
    out.push_back(std::move(item));
  }
}

class SqliteLedger final : public Ledger {
 public:
  SqliteLedger(DbHandle db, Statements statements) : db_(std::move(db)), statements_(std::move(statements)) {}

  Result<std::optional<std::string>> cursor(std::string_view workflow) override {
    std::lock_guard lock(mutex_);
    Query q = query(kGetCursor);
    q.bind(workflow);
    REFBRIDGE_TRY(const bool row, q.step("cannot read the cursor"));
    if (!row) return std::optional<std::string>();
    return std::optional<std::string>(q.text(0));
  }

  Result<void> set_cursor(std::string_view workflow, std::string_view value) override {
    std::lock_guard lock(mutex_);
    Query q = query(kSetCursor);
    const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    q.bind(workflow).bind(value).bind(now);
    REFBRIDGE_TRY(q.run("cannot save the cursor of workflow " + std::string(workflow)));
    crash_point("ledger.cursor");  // tests/crash: a SIGKILL right after the commit
    return ok();
  }

  Result<std::optional<LedgerRecord>> find(std::string_view workflow, std::string_view source_key) override {
    std::lock_guard lock(mutex_);
    Query q = query(kFind);
    q.bind(workflow).bind(source_key);
    REFBRIDGE_TRY(const bool row, q.step("cannot read a ledger record"));
    if (!row) return std::optional<LedgerRecord>();
    REFBRIDGE_TRY(auto record, read_record(q));
    return std::optional<LedgerRecord>(std::move(record));
  }

  Result<void> record(const LedgerRecord& row, std::int64_t run_id) override {
    if (row.workflow.empty() || row.source_key.empty()) {
      return make_error(ErrorCode::kInvalidInput, "ledger record needs a workflow and a source_key");
    }
    if (run_id < 0) return make_error(ErrorCode::kInvalidInput, "run id " + std::to_string(run_id) + " is negative");
    std::lock_guard lock(mutex_);
    auto committed = with_transaction(db_.get(), [&]() -> Result<void> {
      REFBRIDGE_TRY(upsert(row));
      return insert_event(row, run_id);
    });
    if (committed) crash_point("ledger.record");  // tests/crash: a SIGKILL right after the commit
    return committed;
  }

  Result<std::vector<LedgerRecord>> list(std::string_view workflow, std::optional<LedgerState> state, std::size_t limit,
                                         std::string_view after_key) override {
    std::lock_guard lock(mutex_);
    Query q = query(kList);
    q.bind(workflow);
    if (state) {
      q.bind(to_string(*state));
    } else {
      q.bind_null();  // any state
    }
    q.bind(after_key).bind(to_limit(limit));
    return collect(q, read_record, "cannot list ledger records");
  }

  Result<std::vector<LedgerRecord>> due(std::string_view workflow, LedgerTime now, std::size_t limit,
                                        std::string_view after_key) override {
    std::lock_guard lock(mutex_);
    Query q = query(kDue);
    q.bind(workflow).bind(after_key).bind(now).bind(to_limit(limit));
    return collect(q, read_record, "cannot list the ledger records due");
  }

  Result<std::vector<LedgerEvent>> history(std::string_view workflow, std::string_view source_key) override {
    std::lock_guard lock(mutex_);
    Query q = query(kHistory);
    q.bind(workflow).bind(source_key);
    return collect(q, read_event, "cannot read a record's history");
  }

  Result<std::int64_t> begin_run(std::string_view workflow, LedgerTime started_at) override {
    std::lock_guard lock(mutex_);
    Query q = query(kBeginRun);
    q.bind(workflow).bind(started_at);
    REFBRIDGE_TRY(q.run("cannot record the start of a run of workflow " + std::string(workflow)));
    return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_.get()));
  }

  Result<void> finish_run(std::int64_t run_id, const RunCounts& counts, LedgerTime finished_at,
                          std::string_view aborted_reason, std::string_view cursor_after) override {
    std::lock_guard lock(mutex_);
    Query q = query(kFinishRun);
    q.bind(run_id).bind(counts.delivered).bind(counts.skipped).bind(counts.rejected).bind(counts.failed);
    q.bind(finished_at).bind(aborted_reason).bind(cursor_after);
    REFBRIDGE_TRY(q.run("cannot record the end of run " + std::to_string(run_id)));
    if (sqlite3_changes(db_.get()) == 0) {
      return make_error(ErrorCode::kInvalidInput, "run " + std::to_string(run_id) + " does not exist in the ledger");
    }
    return ok();
  }

  Result<std::vector<RunRow>> runs(std::string_view workflow, std::size_t limit) override {
    std::lock_guard lock(mutex_);
    Query q = query(kRuns);
    q.bind(workflow).bind(to_limit(limit));
    return collect(q, read_run, "cannot list runs");
  }

  Result<std::map<std::string, std::int64_t>> count_by_state(std::string_view workflow) override {
    std::map<std::string, std::int64_t> out;
    for (const LedgerState s : kAllLedgerStates) out.emplace(to_string(s), 0);
    std::lock_guard lock(mutex_);
    Query q = query(kCountByState);
    q.bind(workflow);
    for (;;) {
      REFBRIDGE_TRY(const bool row, q.step("cannot count ledger records"));
      if (!row) return out;
      out[q.text(0)] = q.integer(1);
    }
  }

  Result<std::vector<std::string>> workflows() override {
    std::lock_guard lock(mutex_);
    Query q = query(kWorkflows);
    return collect(q, [](const Query& row) -> Result<std::string> { return row.text(0); }, "cannot list workflows");
  }

 private:
  Query query(Stmt s) { return Query(db_.get(), statements_[s].get()); }

  Result<void> upsert(const LedgerRecord& row) {
    const LedgerTime first_seen = row.first_seen_at == LedgerTime{} ? row.updated_at : row.first_seen_at;
    Query q = query(kUpsert);
    q.bind(row.workflow).bind(row.source_key).bind(row.source_id).bind(row.target_key).bind(to_string(row.state));
    q.bind(std::int64_t{row.attempts}).bind(row.error_code).bind(row.error_message).bind(row.transaction_id);
    q.bind(row.content_hash).bind(row.delivered_hash).bind(first_seen).bind(row.updated_at).bind(row.next_attempt_at);
    return q.run("cannot save ledger record " + row.workflow + " " + row.source_key);
  }

  Result<void> insert_event(const LedgerRecord& row, std::int64_t run_id) {
    Query q = query(kInsertEvent);
    q.bind(row.workflow).bind(row.source_key).bind_null_if_zero(run_id).bind(row.updated_at).bind(to_string(row.state));
    q.bind(std::int64_t{row.attempts}).bind(row.error_code).bind(row.error_message).bind(row.transaction_id);
    q.bind(row.content_hash).bind(row.target_key);
    auto r = q.run("cannot append to the history of " + row.workflow + " " + row.source_key);
    if (!r && sqlite3_extended_errcode(db_.get()) == SQLITE_CONSTRAINT_FOREIGNKEY) {
      return make_error(ErrorCode::kInvalidInput, "run " + std::to_string(run_id) +
                                                      " does not exist in the ledger (pass an id from begin_run(), or 0)");
    }
    return r;
  }

  std::mutex mutex_;
  DbHandle db_;               // declared before the statements: closed after they are finalized
  Statements statements_;
};

}  // namespace

Result<std::unique_ptr<Ledger>> open_sqlite_ledger(const std::string& path, LedgerOpenMode mode) {
  if (path.empty()) return make_error(ErrorCode::kConfig, "the ledger path is empty");
  if (path != ":memory:") {
    REFBRIDGE_TRY(mode == LedgerOpenMode::kCreate ? create_or_check_file(path) : check_existing_file(path));
  }
  REFBRIDGE_TRY(auto db, open_connection(path, mode));
  REFBRIDGE_TRY(configure(db.get(), path, mode));
  REFBRIDGE_TRY(mode == LedgerOpenMode::kCreate ? migrate(db.get(), path) : check_schema(db.get(), path));
  REFBRIDGE_TRY(auto statements, prepare_statements(db.get()));
  return std::unique_ptr<Ledger>(std::make_unique<SqliteLedger>(std::move(db), std::move(statements)));
}

}  // namespace refbridge
