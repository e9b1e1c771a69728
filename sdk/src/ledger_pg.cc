// The PostgreSQL ledger: one connection guarded by a mutex, every statement filtered by the
// deployment, every write one SERIALIZABLE transaction retried on serialization failures. See
// refbridge/ledger_postgres.h for the tables and the guarantees; the schema is in
// ledger_pg_schema.cc, the run lease in ledger_pg_lease.cc, crashed runs in ledger_pg_crashed_runs.cc.
#include "refbridge/ledger_postgres.h"
#include "refbridge/crash_point.h"

#include "ledger_lease.h"
#include "ledger_pg_crashed_runs.h"
#include "ledger_pg_lease.h"
#include "ledger_pg_schema.h"
#include "ledger_pg_support.h"

#include <limits>
#include <mutex>
#include <utility>

namespace refbridge {
namespace {

using namespace ledger_detail::pg;

constexpr const char* kRecordColumns =
    "SELECT workflow, source_key, source_id, target_key, state, attempts, error_code, error_message, transaction_id, "
    "content_hash, delivered_hash, first_seen_at, updated_at, next_attempt_at FROM refbridge.records ";

const std::string kFind = std::string(kRecordColumns) + "WHERE deployment = $1 AND workflow = $2 AND source_key = $3";
const std::string kList = std::string(kRecordColumns) +
                          "WHERE deployment = $1 AND workflow = $2 AND ($3::text IS NULL OR state = $3) AND source_key > $4 "
                          "ORDER BY source_key LIMIT $5";
const std::string kDue = std::string(kRecordColumns) +
                         "WHERE deployment = $1 AND workflow = $2 AND source_key > $3 AND (state IN ('in_flight', 'submitted') "
                         "OR (state = 'failed' AND (next_attempt_at IS NULL OR next_attempt_at <= $4))) "
                         "ORDER BY source_key LIMIT $5";

constexpr const char* kGetCursor = "SELECT value FROM refbridge.cursors WHERE deployment = $1 AND workflow = $2";
constexpr const char* kSetCursor =
    "INSERT INTO refbridge.cursors (deployment, workflow, value, updated_at) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (deployment, workflow) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";
constexpr const char* kUpsert =
    "INSERT INTO refbridge.records (deployment, workflow, source_key, source_id, target_key, state, attempts, error_code, "
    "error_message, transaction_id, content_hash, delivered_hash, first_seen_at, updated_at, next_attempt_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
    "ON CONFLICT (deployment, workflow, source_key) DO UPDATE SET source_id = excluded.source_id, "
    "target_key = excluded.target_key, state = excluded.state, attempts = excluded.attempts, "
    "error_code = excluded.error_code, error_message = excluded.error_message, transaction_id = excluded.transaction_id, "
    "content_hash = excluded.content_hash, delivered_hash = excluded.delivered_hash, updated_at = excluded.updated_at, "
    "next_attempt_at = excluded.next_attempt_at";
constexpr const char* kInsertEvent =
    "INSERT INTO refbridge.record_events (deployment, workflow, source_key, run_id, at, state, attempts, error_code, "
    "error_message, transaction_id, content_hash, target_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
constexpr const char* kHistory =
    "SELECT run_id, at, state, attempts, error_code, error_message, transaction_id, content_hash, target_key "
    "FROM refbridge.record_events WHERE deployment = $1 AND workflow = $2 AND source_key = $3 ORDER BY id";
constexpr const char* kBeginRun =
    "INSERT INTO refbridge.runs (deployment, workflow, started_at) VALUES ($1, $2, $3) RETURNING id";
constexpr const char* kFinishRun =
    "UPDATE refbridge.runs SET delivered = $3, skipped = $4, rejected = $5, failed = $6, finished_at = $7, "
    "aborted_reason = $8, cursor_after = $9 WHERE deployment = $1 AND id = $2";
constexpr const char* kRuns =
    "SELECT id, workflow, started_at, finished_at, delivered, skipped, rejected, failed, aborted_reason, cursor_after "
    "FROM refbridge.runs WHERE deployment = $1 AND workflow = $2 ORDER BY id DESC LIMIT $3";
constexpr const char* kCountByState =
    "SELECT state, COUNT(*) FROM refbridge.records WHERE deployment = $1 AND workflow = $2 GROUP BY state";
constexpr const char* kWorkflows =
    "SELECT workflow FROM refbridge.cursors WHERE deployment = $1 UNION SELECT workflow FROM refbridge.records "
    "WHERE deployment = $1 UNION SELECT workflow FROM refbridge.runs WHERE deployment = $1 ORDER BY 1";

std::int64_t to_limit(std::size_t limit) noexcept {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(limit < kMax ? limit : kMax);
}

Result<LedgerState> state_of(const Rows& r, int row, int col) {
  const std::string text = r.text(row, col);
  if (auto s = ledger_state_from_string(text)) return *s;
  return make_error(ErrorCode::kIo, "ledger holds the unknown state '" + text + "'; was it written by a newer refbridge?");
}

Result<LedgerRecord> read_record(const Rows& q, int i) {
  LedgerRecord r;
  r.workflow = q.text(i, 0);
  r.source_key = q.text(i, 1);
  r.source_id = q.text(i, 2);
  r.target_key = q.text(i, 3);
  REFBRIDGE_TRY(r.state, state_of(q, i, 4));
  r.attempts = static_cast<int>(q.integer(i, 5));
  r.error_code = q.text(i, 6);
  r.error_message = q.text(i, 7);
  r.transaction_id = q.text(i, 8);
  r.content_hash = q.text(i, 9);
  r.delivered_hash = q.text(i, 10);
  r.first_seen_at = q.time(i, 11);
  r.updated_at = q.time(i, 12);
  r.next_attempt_at = q.optional_time(i, 13);
  return r;
}

Result<LedgerEvent> read_event(const Rows& q, int i) {
  LedgerEvent e;
  e.run_id = q.integer(i, 0);  // NULL (outside a run) reads as 0
  e.at = q.time(i, 1);
  REFBRIDGE_TRY(e.state, state_of(q, i, 2));
  e.attempts = static_cast<int>(q.integer(i, 3));
  e.error_code = q.text(i, 4);
  e.error_message = q.text(i, 5);
  e.transaction_id = q.text(i, 6);
  e.content_hash = q.text(i, 7);
  e.target_key = q.text(i, 8);
  return e;
}

Result<RunRow> read_run(const Rows& q, int i) {
  RunRow r;
  r.id = q.integer(i, 0);
  r.workflow = q.text(i, 1);
  r.started_at = q.time(i, 2);
  r.finished_at = q.optional_time(i, 3);
  r.counts = {q.integer(i, 4), q.integer(i, 5), q.integer(i, 6), q.integer(i, 7)};
  r.aborted_reason = q.text(i, 8);
  r.cursor_after = q.text(i, 9);
  return r;
}

/// Every row of `rows`, read by `read` (a function (Rows, index) -> Result<T>).
template <class Read>
auto collect(const Rows& rows, Read read) -> Result<std::vector<typename decltype(read(rows, 0))::value_type>> {
  std::vector<typename decltype(read(rows, 0))::value_type> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    REFBRIDGE_TRY(auto item, read(rows, i));
    out.push_back(std::move(item));
  }
  return out;
}

class PgLedger final : public Ledger {
 public:
  PgLedger(PostgresLedgerOptions options, std::string where, Connection conn)
      : options_(std::move(options)), where_(std::move(where)), conn_(std::move(conn)) {}

  Result<std::optional<std::string>> cursor(std::string_view workflow) override {
    std::lock_guard lock(mutex_);
    REFBRIDGE_TRY(auto rows, conn_.exec(kGetCursor, keyed(workflow), "cannot read the cursor"));
    if (rows.size() == 0) return std::optional<std::string>();
    return std::optional<std::string>(rows.text(0, 0));
  }

  Result<void> set_cursor(std::string_view workflow, std::string_view value) override {
    std::lock_guard lock(mutex_);
    Params p = keyed(workflow);
    p.add(value).add(std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()));
    REFBRIDGE_TRY(with_transaction(conn_, [&]() -> Result<void> {
      REFBRIDGE_TRY(conn_.exec(kSetCursor, p, "cannot save the cursor of workflow " + std::string(workflow)));
      return ok();
    }));
    crash_point("ledger.cursor");  // tests/crash: a SIGKILL right after the commit
    return ok();
  }

  Result<std::optional<LedgerRecord>> find(std::string_view workflow, std::string_view source_key) override {
    std::lock_guard lock(mutex_);
    Params p = keyed(workflow);
    p.add(source_key);
    REFBRIDGE_TRY(auto rows, conn_.exec(kFind.c_str(), p, "cannot read a ledger record"));
    if (rows.size() == 0) return std::optional<LedgerRecord>();
    REFBRIDGE_TRY(auto record, read_record(rows, 0));
    return std::optional<LedgerRecord>(std::move(record));
  }

  Result<void> record(const LedgerRecord& row, std::int64_t run_id) override {
    if (row.workflow.empty() || row.source_key.empty()) {
      return make_error(ErrorCode::kInvalidInput, "ledger record needs a workflow and a source_key");
    }
    if (run_id < 0) return make_error(ErrorCode::kInvalidInput, "run id " + std::to_string(run_id) + " is negative");
    const LedgerTime first_seen = row.first_seen_at == LedgerTime{} ? row.updated_at : row.first_seen_at;
    Params upsert = keyed(row.workflow);
    upsert.add(row.source_key).add(row.source_id).add(row.target_key).add(to_string(row.state));
    upsert.add(std::int64_t{row.attempts}).add(row.error_code).add(row.error_message).add(row.transaction_id);
    upsert.add(row.content_hash).add(row.delivered_hash).add(first_seen).add(row.updated_at).add(row.next_attempt_at);
    Params event = keyed(row.workflow);
    event.add(row.source_key).add_null_if_zero(run_id).add(row.updated_at).add(to_string(row.state));
    event.add(std::int64_t{row.attempts}).add(row.error_code).add(row.error_message).add(row.transaction_id);
    event.add(row.content_hash).add(row.target_key);
    std::lock_guard lock(mutex_);
    auto committed = with_transaction(conn_, [&]() -> Result<void> {
      REFBRIDGE_TRY(conn_.exec(kUpsert, upsert, "cannot save ledger record " + row.workflow + " " + row.source_key));
      auto appended = conn_.exec(kInsertEvent, event, "cannot append to the history of " + row.workflow + " " + row.source_key);
      if (!appended && appended.error().code == ErrorCode::kInvalidInput) {
        return make_error(ErrorCode::kInvalidInput, "run " + std::to_string(run_id) + " does not exist in the ledger of deployment " +
                                                        options_.deployment + " (pass an id from begin_run(), or 0)");
      }
      REFBRIDGE_TRY(std::move(appended));
      return ok();
    });
    if (committed) crash_point("ledger.record");  // tests/crash: a SIGKILL right after the commit
    return committed;
  }

  Result<std::vector<LedgerRecord>> list(std::string_view workflow, std::optional<LedgerState> state, std::size_t limit,
                                         std::string_view after_key) override {
    Params p = keyed(workflow);
    if (state) {
      p.add(to_string(*state));
    } else {
      p.add_null();  // any state
    }
    p.add(after_key).add(to_limit(limit));
    std::lock_guard lock(mutex_);
    REFBRIDGE_TRY(auto rows, conn_.exec(kList.c_str(), p, "cannot list ledger records"));
    return collect(rows, read_record);
  }

  Result<std::vector<LedgerRecord>> due(std::string_view workflow, LedgerTime now, std::size_t limit,
                                        std::string_view after_key) override {
    Params p = keyed(workflow);
    p.add(after_key).add(now).add(to_limit(limit));
    std::lock_guard lock(mutex_);
    REFBRIDGE_TRY(auto rows, conn_.exec(kDue.c_str(), p, "cannot list the ledger records due"));
    return collect(rows, read_record);
  }

  Result<std::vector<LedgerEvent>> history(std::string_view workflow, std::string_view source_key) override {
    Params p = keyed(workflow);
    p.add(source_key);
    std::lock_guard lock(mutex_);
    REFBRIDGE_TRY(auto rows, conn_.exec(kHistory, p, "cannot read a record's history"));
    return collect(rows, read_event);
  }

  Result<std::int64_t> begin_run(std::string_view workflow, LedgerTime started_at) override {
    Params p = keyed(workflow);
    p.add(started_at);
    std::lock_guard lock(mutex_);
    return with_transaction(conn_, [&]() -> Result<std::int64_t> {
      REFBRIDGE_TRY(auto rows, conn_.exec(kBeginRun, p, "cannot record the start of a run of workflow " + std::string(workflow)));
      return rows.integer(0, 0);
    });
  }

  Result<void> finish_run(std::int64_t run_id, const RunCounts& counts, LedgerTime finished_at,
                          std::string_view aborted_reason, std::string_view cursor_after) override {
    Params p;
    p.add(options_.deployment).add(run_id).add(counts.delivered).add(counts.skipped).add(counts.rejected);
    p.add(counts.failed).add(finished_at).add(aborted_reason).add(cursor_after);
    std::lock_guard lock(mutex_);
    return with_transaction(conn_, [&]() -> Result<void> {
      REFBRIDGE_TRY(auto done, conn_.exec(kFinishRun, p, "cannot record the end of run " + std::to_string(run_id)));
      if (done.affected() == 0) {
        return make_error(ErrorCode::kInvalidInput, "run " + std::to_string(run_id) + " does not exist in the ledger of deployment " +
                                                        options_.deployment);
      }
      return ok();
    });
  }

  Result<std::vector<RunRow>> runs(std::string_view workflow, std::size_t limit) override {
    Params p = keyed(workflow);
    p.add(to_limit(limit));
    std::lock_guard lock(mutex_);
    REFBRIDGE_TRY(auto rows, conn_.exec(kRuns, p, "cannot list runs"));
    return collect(rows, read_run);
  }

  Result<std::map<std::string, std::int64_t>> count_by_state(std::string_view workflow) override {
    std::map<std::string, std::int64_t> out;
    for (const LedgerState s : kAllLedgerStates) out.emplace(to_string(s), 0);
    std::lock_guard lock(mutex_);
    REFBRIDGE_TRY(auto rows, conn_.exec(kCountByState, keyed(workflow), "cannot count ledger records"));
    for (int i = 0; i < rows.size(); ++i) out[rows.text(i, 0)] = rows.integer(i, 1);
    return out;
  }

  Result<std::vector<std::string>> workflows() override {
    Params p;
    p.add(options_.deployment);
    std::lock_guard lock(mutex_);
    REFBRIDGE_TRY(auto rows, conn_.exec(kWorkflows, p, "cannot list workflows"));
    return collect(rows, [](const Rows& r, int i) -> Result<std::string> { return r.text(i, 0); });
  }

  Result<std::unique_ptr<RunLease>> acquire_run_lease(std::string_view workflow, LedgerTime now) override {
    return acquire_pg_lease(options_, where_, workflow, now);  // its own session: no mutex needed
  }

  Result<std::vector<RunRow>> close_crashed_runs(std::string_view workflow, LedgerTime now) override {
    if (workflow.empty()) return make_error(ErrorCode::kInvalidInput, "close_crashed_runs needs a workflow");
    std::lock_guard lock(mutex_);
    return with_transaction(conn_, [&] { return close_unfinished_runs(conn_, options_.deployment, workflow, now); });
  }

 private:
  /// Parameters starting with ($1 deployment, $2 workflow).
  [[nodiscard]] Params keyed(std::string_view workflow) const {
    Params p;
    p.add(options_.deployment).add(workflow);
    return p;
  }

  const PostgresLedgerOptions options_;
  const std::string where_;
  std::mutex mutex_;
  Connection conn_;
};

}  // namespace

Result<std::unique_ptr<Ledger>> open_postgres_ledger(const PostgresLedgerOptions& options) {
  if (!is_postgres_url(options.url)) {
    return make_error(ErrorCode::kConfig, "ledger: a PostgreSQL ledger needs a postgresql:// URL");
  }
  const std::string where = describe_postgres_url(options.url);
  char* err = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(options.url.c_str(), &err);
  bool has_password = false;
  for (const PQconninfoOption* o = parsed; o != nullptr && o->keyword != nullptr; ++o) {
    has_password = has_password || (std::string_view(o->keyword) == "password" && o->val != nullptr && *o->val != '\0');
  }
  if (parsed != nullptr) PQconninfoFree(parsed);
  if (err != nullptr) PQfreemem(err);
  if (parsed == nullptr) return make_error(ErrorCode::kConfig, "ledger: the PostgreSQL URL cannot be parsed (libpq URI syntax)");
  if (has_password) {
    return make_error(ErrorCode::kConfig, "ledger: the PostgreSQL URL of " + where +
                                              " carries a password; remove it and set REFBRIDGE_LEDGER_PASSWORD or "
                                              "REFBRIDGE_LEDGER_PASSWORD_FILE");
  }
  if (auto valid = ledger_detail::check_workflow(options.deployment); !valid) {
    return make_error(ErrorCode::kConfig, "deployment: a PostgreSQL ledger needs a deployment id of 1 to 64 letters, "
                                          "digits, '.', '_' or '-' (e.g. eth-gambella)");
  }
  REFBRIDGE_TRY(auto handle, connect(options, where));
  Connection conn(std::move(handle), where + " (deployment " + options.deployment + ")");
  REFBRIDGE_TRY(prepare_schema(conn, options.mode));
  if (options.mode == LedgerOpenMode::kReadOnly) {
    REFBRIDGE_TRY(conn.exec("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", "cannot make the session read-only"));
  }
  return std::unique_ptr<Ledger>(std::make_unique<PgLedger>(options, where, std::move(conn)));
}

}  // namespace refbridge
