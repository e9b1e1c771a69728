#pragma once
// Internal to refbridge_ledger: the run lease of the PostgreSQL ledger (Ledger::acquire_run_lease,
// refbridge/ledger_postgres.h). Source: the "No duplicate, ever" and "Beyond one machine" issues.
//
// Each lease opens its own session and takes pg_try_advisory_lock(hashtextextended(
// 'refbridge-run-lease/<deployment>/<workflow>', 0)) on it: exclusive across hosts, pods,
// processes and the sessions of one process; the server drops it when the session ends, so a
// crashed holder never blocks the next run. The holder (pid, host, started_at, backend pid) is
// upserted into refbridge.run_leases right after locking, read by a refused acquirer to name it,
// and deleted by the holder on release (a dead holder's stale row is overwritten by the next one).

#include "ledger_pg_support.h"

#include <memory>
#include <string>
#include <string_view>

namespace refbridge::ledger_detail::pg {

/// The lease of (options.deployment, workflow). `where`: the server as messages name it.
/// Errors: kLocked (held by another session: locked_message() naming the holder and the lock),
/// kInvalidInput (malformed workflow; read-only ledger), kIo / kConfig / kUnauthorized (connect()).
Result<std::unique_ptr<RunLease>> acquire_pg_lease(const PostgresLedgerOptions& options, const std::string& where,
                                                   std::string_view workflow, LedgerTime now);

}  // namespace refbridge::ledger_detail::pg
