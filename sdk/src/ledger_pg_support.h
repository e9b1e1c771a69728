#pragma once
// Internal to refbridge_ledger: libpq handles, one connection with errors a person can act on,
// text parameters, result rows and SERIALIZABLE transactions retried on serialization failures
// and deadlocks. Used by ledger_pg.cc, ledger_pg_schema.cc, ledger_pg_lease.cc and
// ledger_pg_crashed_runs.cc. See refbridge/ledger_postgres.h for the guarantees.

#include "refbridge/ledger.h"
#include "refbridge/ledger_postgres.h"

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace refbridge::ledger_detail::pg {

struct ConnCloser {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
using ConnHandle = std::unique_ptr<PGconn, ConnCloser>;

struct ResultClearer {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using ResultHandle = std::unique_ptr<PGresult, ResultClearer>;

/// Statement parameters, all sent as text ($1, $2, ... in order). Texts pass redact()
/// (refbridge/redaction.h) as the SQLite ledger's do; NULL is std::nullopt.
class Params {
 public:
  Params& add(std::string_view text);
  Params& add(std::int64_t value) { return add_raw(std::to_string(value)); }
  Params& add(LedgerTime t) { return add(static_cast<std::int64_t>(t.time_since_epoch().count())); }
  Params& add(std::optional<LedgerTime> t) { return t ? add(*t) : add_null(); }
  Params& add_null() {
    values_.emplace_back(std::nullopt);
    return *this;
  }
  Params& add_null_if_zero(std::int64_t value) { return value != 0 ? add(value) : add_null(); }

  /// Pointers for PQexecParams, valid while this object lives unchanged.
  [[nodiscard]] std::vector<const char*> pointers() const;

 private:
  Params& add_raw(std::string text) {
    values_.emplace_back(std::move(text));
    return *this;
  }
  std::vector<std::optional<std::string>> values_;
};

/// The rows of one statement's result (text format).
class Rows {
 public:
  explicit Rows(ResultHandle r) : r_(std::move(r)) {}
  [[nodiscard]] int size() const { return PQntuples(r_.get()); }
  [[nodiscard]] bool is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  [[nodiscard]] std::string text(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col), static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
  }
  /// The integer in the cell; 0 when NULL.
  [[nodiscard]] std::int64_t integer(int row, int col) const;
  [[nodiscard]] LedgerTime time(int row, int col) const {
    return LedgerTime{std::chrono::milliseconds{integer(row, col)}};
  }
  [[nodiscard]] std::optional<LedgerTime> optional_time(int row, int col) const {
    if (is_null(row, col)) return std::nullopt;
    return time(row, col);
  }
  /// Rows a command changed (UPDATE, INSERT, DELETE).
  [[nodiscard]] std::int64_t affected() const;

 private:
  ResultHandle r_;
};

/// One libpq connection of the ledger. Not thread-safe: the owner serialises its use.
class Connection {
 public:
  Connection(ConnHandle conn, std::string where) : conn_(std::move(conn)), where_(std::move(where)) {}

  /// Runs `sql` with `params`. Errors: kIo "PostgreSQL ledger <where>: <what>: <server message>
  /// (SQLSTATE <code>)"; kInvalidInput for a foreign-key violation (23503). The SQLSTATE of the
  /// last failure is kept (last_sqlstate()). A connection the server closed is re-established
  /// before the next statement (the failed one is reported, never repeated).
  Result<Rows> exec(const char* sql, const Params& params, std::string_view what);
  Result<Rows> exec(const char* sql, std::string_view what) { return exec(sql, Params{}, what); }

  [[nodiscard]] const std::string& last_sqlstate() const { return sqlstate_; }
  [[nodiscard]] const std::string& where() const { return where_; }

 private:
  ConnHandle conn_;
  std::string where_;
  std::string sqlstate_;
};

/// Connects with `options` (URL expanded by libpq, password passed separately, TCP keepalives on,
/// application_name "refbridge"). `where` names the server in messages (describe_postgres_url).
/// Errors: kConfig (the server wants a password and none is set: names REFBRIDGE_LEDGER_PASSWORD),
/// kUnauthorized (password or user refused), kIo (anything else, with libpq's reason).
Result<ConnHandle> connect(const PostgresLedgerOptions& options, const std::string& where);

/// True for the SQLSTATEs a transaction is tried again for: 40001 serialization_failure,
/// 40P01 deadlock_detected.
inline bool retryable(std::string_view sqlstate) noexcept { return sqlstate == "40001" || sqlstate == "40P01"; }

/// Runs `body` (a function answering Result<T>) inside BEGIN ISOLATION LEVEL SERIALIZABLE ...
/// COMMIT; rolls back when it or the commit fails. A serialization failure or deadlock (of a
/// statement or of the commit) runs the whole transaction again, up to kPgWriteAttempts tries,
/// pausing 2, 4, 8 ... ms (at most 200 ms) between them; the last error is answered.
template <class Body>
auto with_transaction(Connection& c, Body&& body) -> decltype(body()) {
  using R = decltype(body());
  std::chrono::milliseconds pause{2};
  for (int attempt = 1;; ++attempt) {
    auto begun = c.exec("BEGIN ISOLATION LEVEL SERIALIZABLE", "cannot start a ledger transaction");
    if (!begun) return R(begun.error());
    R r = body();
    if (r) {
      if (auto committed = c.exec("COMMIT", "cannot commit a ledger transaction"); !committed) r = R(committed.error());
      if (r) return r;
    }
    const std::string failed_with = c.last_sqlstate();  // the first error is the one worth reporting
    (void)c.exec("ROLLBACK", "rollback");               // (a failed COMMIT has already ended it)
    if (!retryable(failed_with) || attempt >= kPgWriteAttempts) return r;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds{200});
  }
}

}  // namespace refbridge::ledger_detail::pg
