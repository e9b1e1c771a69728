#pragma once
// Internal to refbridge_ledger: the PostgreSQL ledger's schema (refbridge/ledger_postgres.h).

#include "ledger_pg_support.h"

namespace refbridge::ledger_detail::pg {

/// kCreate: creates the schema `refbridge` and applies every missing migration in one transaction
/// under pg_advisory_xact_lock, re-reading the version under the lock (several processes opening a
/// new database at once all succeed with one schema). kReadOnly: the schema must be current.
/// Errors: kConfig (schema newer than kPgLedgerSchemaVersion; missing or older in kReadOnly),
/// kIo (a statement failed, e.g. no CREATE privilege).
Result<void> prepare_schema(Connection& c, LedgerOpenMode mode);

}  // namespace refbridge::ledger_detail::pg
