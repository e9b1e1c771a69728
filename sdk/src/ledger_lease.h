#pragma once
// Internal to refbridge_ledger: the run lease of the SQLite ledger (Ledger::acquire_run_lease,
// refbridge/ledger.h). Source: the "No duplicate, ever" issue (one run per workflow at a time).
//
// A file-backed ledger locks `<ledger path>.<workflow>.lock` beside the ledger (created 0600,
// O_CLOEXEC, never unlinked: unlinking a lock file races with a process that just opened it) with
// flock(LOCK_EX | LOCK_NB): the kernel drops the lock when the process dies, so a SIGKILLed run
// never blocks the next one. The holder writes one JSON line into the file,
//   {"pid":4242,"host":"x","started_at":"2026-12-04T18:00:00.000Z","workflow":"1.1"}
// which a refused acquirer reads to name it. flock belongs to an open file description, so a
// second open() of the file in the same process is refused by the kernel too; a process-wide
// registry of held (canonical lock path) keys, guarded by a mutex, refuses it first and names the
// holder without reading the file. A ":memory:" ledger uses the registry only, keyed by the
// Ledger's address (there is no file another process could share).
//
// Caveat: a child created by fork() inherits the lock's open file description and keeps the lease
// held while it lives; exec() closes it (O_CLOEXEC).

#include "refbridge/ledger.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace refbridge::ledger_detail {

/// The lease of `workflow` on the ledger file `ledger_path` (which exists).
/// Errors: kLocked (held by another run: locked_message()), kInvalidInput (workflow empty or
/// with characters other than letters, digits, '.', '_', '-'), kIo (the lock file cannot be
/// opened, locked or written; names the file and the system's reason), kConfig (the lock path is
/// not a regular file).
Result<std::unique_ptr<RunLease>> acquire_file_lease(const std::string& ledger_path, std::string_view workflow,
                                                     LedgerTime now);

/// The lease of `workflow` on the in-memory ledger at address `ledger`. Errors: kLocked, kInvalidInput.
Result<std::unique_ptr<RunLease>> acquire_memory_lease(const void* ledger, std::string_view workflow, LedgerTime now);

/// ok() when `workflow` may name a lease: 1 to 64 letters, digits, '.', '_', '-'; else kInvalidInput.
Result<void> check_workflow(std::string_view workflow);

/// This process as a lease holder: getpid(), gethostname() ("unknown-host" when it fails), `now`.
LeaseHolder this_process(std::string_view workflow, LedgerTime now);

/// The kLocked message: "workflow W: another run holds the run lease (pid P on host H, started
/// <ISO-8601 UTC>; lock file F); this run did nothing". When the holder is not known,
/// `unknown_why` replaces "pid P on host H, started ..." ("holder unknown: <unknown_why>").
std::string locked_message(std::string_view workflow, const std::optional<LeaseHolder>& holder,
                           std::string_view lock_file, std::string_view unknown_why = {});

/// The holder as the one JSON line written into a lock file (with its trailing newline).
std::string holder_line(const LeaseHolder& holder);
/// The holder read from a lock file's text, or std::nullopt when it is not such a line.
std::optional<LeaseHolder> parse_holder_line(std::string_view text);

}  // namespace refbridge::ledger_detail
