#pragma once
// `refbridge-ledger migrate --from sqlite FILE --to postgresql://... --deployment D`: moves a whole
// ledger into another (SQLite into one deployment of a PostgreSQL ledger), then checks it row by
// row. Source: the "Beyond one machine" issue.

#include "refbridge/ledger.h"

#include <cstdint>
#include <string>

namespace refbridge::ledger_tool {

/// What migrate_ledger() moved (and then found identical in the target).
struct MigrateCounts {
  std::int64_t workflows = 0, runs = 0, records = 0, events = 0, cursors = 0;
};

/// Copies every workflow of `from` into `to`, holding both ledgers' run leases of each workflow
/// (no run may write meanwhile), then compares: every record field by field, every record's
/// history event by event (run ids mapped to the target's), every run and every cursor.
/// Runs keep their times, counts, reasons and cursors; unfinished runs stay unfinished (the next
/// run closes them as crashed). Each record's history is replayed in order through record(), so
/// the target's guarantees hold (one event per row change).
/// Errors: kConfig (`to` already holds one of the workflows: migrate into an empty deployment),
/// kLocked (a run holds a lease), kInternal (a row differs after the copy: names workflow, key and
/// field), and the ledgers' own (kIo...).
Result<MigrateCounts> migrate_ledger(Ledger& from, Ledger& to, LedgerTime now);

}  // namespace refbridge::ledger_tool
