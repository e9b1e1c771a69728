#pragma once
// A PostgreSQL 15 server of the test binary's own: initdb in a temporary directory, postgres on
// 127.0.0.1 with an ephemeral port, password (scram-sha-256) authentication over TCP. Started at
// the first use, stopped (pg_ctl stop -m fast) and removed when the test binary exits. When the
// tests run as root, initdb and postgres run as the unprivileged user `nobody` (PostgreSQL refuses
// to run as root). Source: the "Beyond one machine" issue ("the test suite starts its own
// PostgreSQL 15 ... skipping because the server is missing is a failure").
//
// The binaries come from REFBRIDGE_PG_BIN, else /usr/lib/postgresql/15/bin (Debian postgresql-15,
// tools/install-deps.sh). A missing binary or a server that does not start throws
// std::runtime_error naming what is missing: the test using it FAILS, it never skips.

#include <string>
#include <string_view>

namespace refbridge::testing {

class PgServer {
 public:
  /// The running server (started by the first call). Throws std::runtime_error when it cannot start.
  static PgServer& instance();

  /// "postgresql://refbridge@127.0.0.1:<port>/refbridge?sslmode=disable" (no password in it).
  [[nodiscard]] std::string url() const;
  /// The password of user refbridge (pass it as REFBRIDGE_LEDGER_PASSWORD or PostgresLedgerOptions::password).
  [[nodiscard]] const std::string& password() const { return password_; }
  [[nodiscard]] int port() const { return port_; }

  /// A deployment id no other call of this process answered ("t<pid>-<n>-<tag>"): a fresh, empty
  /// ledger within the one shared database (rows of other deployments are invisible).
  static std::string fresh_deployment(std::string_view tag = "x");

  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

 private:
  PgServer();
  std::string dir_;       // the temporary directory: data/, the socket, logs
  std::string bin_;       // where initdb, pg_ctl and postgres are
  std::string password_;
  int port_ = 0;
};

}  // namespace refbridge::testing
