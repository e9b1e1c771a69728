#pragma once
// Internal to refbridge_ledger: Ledger::close_crashed_runs on PostgreSQL (the rules are those of
// ledger_crashed_runs.h, shared through add_state() and settle_crashed_run()).

#include "ledger_pg_support.h"

#include <string>
#include <string_view>
#include <vector>

namespace refbridge::ledger_detail::pg {

/// Closes the unfinished runs of (deployment, workflow) that started at or before `now` and
/// answers them as closed, oldest first. The caller runs it inside with_transaction(). Errors: kIo.
Result<std::vector<RunRow>> close_unfinished_runs(Connection& c, const std::string& deployment, std::string_view workflow,
                                                  LedgerTime now);

}  // namespace refbridge::ledger_detail::pg
