#pragma once
// Internal to refbridge_ledger: opening the SQLite file (permissions, settings, WAL) and creating or
// migrating its schema, race-free when several processes open a new ledger at the same moment.

#include "ledger_sqlite_support.h"

#include <string>

namespace refbridge::ledger_detail {

/// Opens the ledger database at `path` as open_sqlite_ledger() documents (refbridge/ledger.h):
/// creates the file (O_CREAT|O_EXCL, 0600) or checks the existing one, opens the connection with
/// the busy timeout set before any statement, switches to WAL (retried while busy, up to the busy
/// timeout), and creates/migrates the schema inside BEGIN IMMEDIATE re-reading user_version there
/// (kCreate), or checks it is the current one (kReadOnly). Errors: kIo, kConfig.
Result<DbHandle> open_database(const std::string& path, LedgerOpenMode mode);

}  // namespace refbridge::ledger_detail
