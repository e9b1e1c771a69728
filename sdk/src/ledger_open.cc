// Opening the ledger a configuration names, SQLite file or PostgreSQL URL. See refbridge/ledger_postgres.h.
#include "refbridge/ledger_postgres.h"
#include "refbridge/secrets.h"

namespace refbridge {

Result<std::unique_ptr<Ledger>> open_ledger(const std::string& ledger, const std::string& deployment, LedgerOpenMode mode) {
  if (!is_postgres_url(ledger)) return open_sqlite_ledger(ledger, mode);
  REFBRIDGE_TRY(auto password, read_secret("REFBRIDGE_LEDGER_PASSWORD"));
  return open_postgres_ledger(PostgresLedgerOptions{ledger, deployment, password.value_or(""), mode});
}

}  // namespace refbridge
