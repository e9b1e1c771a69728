// libpq connection, parameters, rows and errors of the PostgreSQL ledger. See ledger_pg_support.h.
#include "ledger_pg_support.h"

#include "refbridge/redaction.h"

#include <charconv>
#include <cstdlib>

namespace refbridge::ledger_detail::pg {
namespace {

/// The server's one-line reason of a failed result (never its DETAIL, which may quote key values).
std::string reason_of(const PGresult* r, PGconn* conn) {
  const char* primary = r != nullptr ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string text = primary != nullptr ? primary : PQerrorMessage(conn);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

struct ConninfoFree {
  void operator()(PQconninfoOption* o) const noexcept { PQconninfoFree(o); }
};

}  // namespace

Params& Params::add(std::string_view text) { return add_raw(redact(text)); }

std::vector<const char*> Params::pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

std::int64_t Rows::integer(int row, int col) const {
  if (is_null(row, col)) return 0;
  const char* p = PQgetvalue(r_.get(), row, col);
  std::int64_t v = 0;
  std::from_chars(p, p + PQgetlength(r_.get(), row, col), v);
  return v;
}

std::int64_t Rows::affected() const {
  const char* n = PQcmdTuples(r_.get());
  std::int64_t v = 0;
  if (n != nullptr) std::from_chars(n, n + std::char_traits<char>::length(n), v);
  return v;
}

Result<Rows> Connection::exec(const char* sql, const Params& params, std::string_view what) {
  sqlstate_.clear();
  if (PQstatus(conn_.get()) == CONNECTION_BAD) PQreset(conn_.get());  // the server or network closed it
  const auto values = params.pointers();
  // Without parameters: PQexec, which also runs scripts of several statements (the migrations).
  ResultHandle r(values.empty() ? PQexec(conn_.get(), sql)
                                : PQexecParams(conn_.get(), sql, static_cast<int>(values.size()), nullptr, values.data(),
                                               nullptr, nullptr, 0));
  const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Rows(std::move(r));
  const char* state = r ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
  sqlstate_ = state != nullptr ? state : "";
  std::string m = "PostgreSQL ledger " + where_ + ": " + std::string(what) + ": " + reason_of(r.get(), conn_.get());
  if (!sqlstate_.empty()) m += " (SQLSTATE " + sqlstate_ + ")";
  if (PQstatus(conn_.get()) == CONNECTION_BAD) m += "; the connection was lost (it is re-established for the next call)";
  if (sqlstate_ == "23503") return make_error(ErrorCode::kInvalidInput, std::move(m));
  if (sqlstate_ == "25006") m += "; the ledger was opened read-only";
  return make_error(ErrorCode::kIo, std::move(m));
}

Result<ConnHandle> connect(const PostgresLedgerOptions& options, const std::string& where) {
  // Later keywords override what the URL says; the password never travels inside the URL.
  const char* keys[] = {"dbname", "password", "application_name", "keepalives", "keepalives_idle",
                        "keepalives_interval", "keepalives_count", nullptr};
  const char* values[] = {options.url.c_str(),
                          options.password.empty() ? nullptr : options.password.c_str(),
                          "refbridge",
                          "1",
                          "30",
                          "10",
                          "3",
                          nullptr};
  ConnHandle conn(PQconnectdbParams(keys, values, 1));
  if (!conn) return make_error(ErrorCode::kIo, "PostgreSQL ledger " + where + ": out of memory while connecting");
  if (PQstatus(conn.get()) == CONNECTION_OK) return conn;
  std::string reason = PQerrorMessage(conn.get());
  while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
  const std::string m = "cannot connect to the PostgreSQL ledger " + where + ": " + redact(reason);
  if (PQconnectionNeedsPassword(conn.get()) != 0) {
    return make_error(ErrorCode::kConfig, m + "; the server asks for a password: set REFBRIDGE_LEDGER_PASSWORD or "
                                              "REFBRIDGE_LEDGER_PASSWORD_FILE");
  }
  if (reason.find("authentication failed") != std::string::npos) {
    return make_error(ErrorCode::kUnauthorized, m + "; check the user in `ledger` and REFBRIDGE_LEDGER_PASSWORD");
  }
  return make_error(ErrorCode::kIo, m + "; check host, port and sslmode in `ledger` and that the server runs");
}

}  // namespace refbridge::ledger_detail::pg

namespace refbridge {

bool is_postgres_url(std::string_view ledger) noexcept {
  return ledger.rfind("postgresql://", 0) == 0 || ledger.rfind("postgres://", 0) == 0;
}

std::string describe_postgres_url(std::string_view url) {
  char* err = nullptr;
  std::unique_ptr<PQconninfoOption, ledger_detail::pg::ConninfoFree> opts(PQconninfoParse(std::string(url).c_str(), &err));
  if (err != nullptr) PQfreemem(err);
  if (!opts) return "(unparsable URL)";
  std::string host, port, db, user;
  for (const PQconninfoOption* o = opts.get(); o->keyword != nullptr; ++o) {
    const std::string_view k = o->keyword;
    const std::string v = o->val != nullptr ? o->val : "";
    if (k == "host") host = v;
    if (k == "port") port = v;
    if (k == "dbname") db = v;
    if (k == "user") user = v;
  }
  std::string out = "postgresql://";
  if (!user.empty()) out += user + "@";
  out += host.empty() ? "localhost" : host;
  if (!port.empty()) out += ":" + port;
  return out + "/" + db;
}

}  // namespace refbridge
