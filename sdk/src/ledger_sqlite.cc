// The SQLite ledger: one connection guarded by a mutex, prepared statements, every write inside
// BEGIN IMMEDIATE. See refbridge/ledger.h for the tables and the guarantees; the file, settings and
// schema are in ledger_schema.cc, the run lease in ledger_lease.cc, crashed runs in
// ledger_crashed_runs.cc.
#include "refbridge/ledger.h"
#include "refbridge/crash_point.h"

#include "ledger_crashed_runs.h"
#include "ledger_lease.h"
#include "ledger_schema.h"
#include "ledger_sqlite_support.h"

#include <array>
#include <filesystem>
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

using namespace ledger_detail;

std::int64_t to_limit(std::size_t limit) noexcept {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(limit < kMax ? limit : kMax);
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
  SqliteLedger(std::string path, LedgerOpenMode mode, DbHandle db, Statements statements)
      : path_(std::move(path)), mode_(mode), db_(std::move(db)), statements_(std::move(statements)) {}

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
    REFBRIDGE_TRY(with_transaction(db_.get(), [&]() -> Result<void> {
      Query q = query(kSetCursor);
      const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
      q.bind(workflow).bind(value).bind(now);
      return q.run("cannot save the cursor of workflow " + std::string(workflow));
    }));
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
    return with_transaction(db_.get(), [&]() -> Result<std::int64_t> {
      Query q = query(kBeginRun);
      q.bind(workflow).bind(started_at);
      REFBRIDGE_TRY(q.run("cannot record the start of a run of workflow " + std::string(workflow)));
      return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_.get()));
    });
  }

  Result<void> finish_run(std::int64_t run_id, const RunCounts& counts, LedgerTime finished_at,
                          std::string_view aborted_reason, std::string_view cursor_after) override {
    std::lock_guard lock(mutex_);
    return with_transaction(db_.get(), [&]() -> Result<void> {
      Query q = query(kFinishRun);
      q.bind(run_id).bind(counts.delivered).bind(counts.skipped).bind(counts.rejected).bind(counts.failed);
      q.bind(finished_at).bind(aborted_reason).bind(cursor_after);
      REFBRIDGE_TRY(q.run("cannot record the end of run " + std::to_string(run_id)));
      if (sqlite3_changes(db_.get()) == 0) {
        return make_error(ErrorCode::kInvalidInput, "run " + std::to_string(run_id) + " does not exist in the ledger");
      }
      return ok();
    });
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

  Result<std::unique_ptr<RunLease>> acquire_run_lease(std::string_view workflow, LedgerTime now) override {
    if (mode_ != LedgerOpenMode::kCreate) {
      return make_error(ErrorCode::kInvalidInput, "ledger " + path_ + " is open read-only: it cannot hold the run lease of workflow " +
                                                      std::string(workflow));
    }
    if (path_ == ":memory:") return acquire_memory_lease(this, workflow, now);
    return acquire_file_lease(path_, workflow, now);
  }

  Result<std::vector<RunRow>> close_crashed_runs(std::string_view workflow, LedgerTime now) override {
    if (workflow.empty()) return make_error(ErrorCode::kInvalidInput, "close_crashed_runs needs a workflow");
    std::lock_guard lock(mutex_);
    return with_transaction(db_.get(), [&] { return close_unfinished_runs(db_.get(), workflow, now); });
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

  const std::string path_;
  const LedgerOpenMode mode_;
  std::mutex mutex_;
  DbHandle db_;               // declared before the statements: closed after they are finalized
  Statements statements_;
};

}  // namespace

Result<std::unique_ptr<Ledger>> open_sqlite_ledger(const std::string& path, LedgerOpenMode mode) {
  if (path.empty()) return make_error(ErrorCode::kConfig, "the ledger path is empty");
  REFBRIDGE_TRY(auto db, open_database(path, mode));
  REFBRIDGE_TRY(auto statements, prepare_statements(db.get()));
  return std::unique_ptr<Ledger>(std::make_unique<SqliteLedger>(path, mode, std::move(db), std::move(statements)));
}

Result<std::unique_ptr<Ledger>> open_sqlite_ledger_snapshot(const std::string& path) {
  if (path.empty()) return make_error(ErrorCode::kConfig, "the ledger path is empty");
  REFBRIDGE_TRY(auto copy, open_database(":memory:", LedgerOpenMode::kCreate));
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    REFBRIDGE_TRY(auto source, open_database(path, LedgerOpenMode::kReadOnly));
    sqlite3_backup* backup = sqlite3_backup_init(copy.get(), "main", source.get(), "main");
    if (backup == nullptr) return sqlite_error(copy.get(), sqlite3_errcode(copy.get()), "cannot copy ledger " + path);
    const int step = sqlite3_backup_step(backup, -1);
    const int finish = sqlite3_backup_finish(backup);
    if (step != SQLITE_DONE) return sqlite_error(copy.get(), step, "cannot copy ledger " + path);
    if (finish != SQLITE_OK) return sqlite_error(copy.get(), finish, "cannot copy ledger " + path);
  }
  REFBRIDGE_TRY(auto statements, prepare_statements(copy.get()));
  return std::unique_ptr<Ledger>(
      std::make_unique<SqliteLedger>(":memory:", LedgerOpenMode::kCreate, std::move(copy), std::move(statements)));
}

}  // namespace refbridge
