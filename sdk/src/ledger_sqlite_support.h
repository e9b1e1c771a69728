#pragma once
// Internal to refbridge_ledger: the SQLite handles, errors a person can act on (with how long the
// failed call waited), one-use prepared statements and transactions. Used by ledger_sqlite.cc,
// ledger_schema.cc and ledger_crashed_runs.cc; tests/sdk/ledger_recovery_test.cc checks the messages.

#include "refbridge/ledger.h"
#include "refbridge/redaction.h"

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace refbridge::ledger_detail {

/// How long a statement waits for another connection's lock (sqlite3_busy_timeout).
inline constexpr std::chrono::milliseconds kBusyTimeout{5000};

struct DbCloser {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }
};
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

/// Time since `start` (steady clock), in whole milliseconds.
inline std::chrono::milliseconds elapsed_since(std::chrono::steady_clock::time_point start) noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
}

/// kIo "<what>: <sqlite message> (sqlite <code>)[; <advice>]". `waited`: how long the failed call
/// took, when measured. For SQLITE_BUSY / SQLITE_LOCKED it decides the wording ("No duplicate,
/// ever" issue: busy messages say what actually happened): only a call that waited about the whole
/// busy timeout says "another process held the ledger locked longer than the busy timeout (5 s)";
/// one that returned at once says "the ledger was busy (SQLite returned SQLITE_BUSY_SNAPSHOT at
/// once, without waiting: ...); retry", one that gave up earlier says after how many ms.
/// `db` may be null (the message then comes from sqlite3_errstr(rc)).
Error sqlite_error(sqlite3* db, int rc, std::string_view what,
                   std::optional<std::chrono::milliseconds> waited = std::nullopt);

/// The symbolic name of a result code ("SQLITE_BUSY_SNAPSHOT", "SQLITE_BUSY", ...; "sqlite <n>" otherwise).
std::string result_code_name(int rc);

inline std::int64_t to_millis(LedgerTime t) noexcept { return t.time_since_epoch().count(); }
inline LedgerTime from_millis(std::int64_t ms) noexcept { return LedgerTime{std::chrono::milliseconds{ms}}; }

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

  /// Steps once: true when a row is available, false when done. A failure says how long it took.
  Result<bool> step(std::string_view what) {
    if (bind_rc_ != SQLITE_OK) return sqlite_error(db_, bind_rc_, what);
    const auto start = std::chrono::steady_clock::now();
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return sqlite_error(db_, rc, what, elapsed_since(start));
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

/// Prepares `sql` for one use (persistent statements are prepared by the ledger itself).
Result<StmtHandle> prepare(sqlite3* db, const char* sql, std::string_view what);

/// Runs one or more SQL statements without results (schema, pragmas, transaction control).
Result<void> exec(sqlite3* db, const char* sql, std::string_view what);

/// The first column of the first row of `sql` as text ("" when there is no row).
Result<std::string> single_value(sqlite3* db, const char* sql, std::string_view what);

/// Runs `body` inside BEGIN IMMEDIATE ... COMMIT; rolls back when it (or the commit) fails.
/// Every write goes through here: BEGIN IMMEDIATE takes the write lock first (waiting up to the
/// busy timeout), so no read transaction ever has to be upgraded to a write, which SQLite would
/// refuse at once with SQLITE_BUSY_SNAPSHOT when another connection wrote in between.
template <class Body>
auto with_transaction(sqlite3* db, Body&& body) -> decltype(body()) {
  REFBRIDGE_TRY(exec(db, "BEGIN IMMEDIATE", "cannot start a ledger transaction"));
  auto r = body();
  if (r) {
    if (auto committed = exec(db, "COMMIT", "cannot commit a ledger transaction"); !committed) {
      r = decltype(body())(committed.error());
    }
  }
  if (!r) (void)exec(db, "ROLLBACK", "rollback");  // the first error is the one worth reporting
  return r;
}

}  // namespace refbridge::ledger_detail
