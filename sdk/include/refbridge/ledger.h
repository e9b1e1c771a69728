#pragma once
// The durable ledger: what refbridge did with every record, per workflow, across runs.
// Source: the state-store issue ("an embedded SQLite database by default ... behind a small store
// interface so that a server database can follow") and ../shared/docs/workflows.md "Common rules"
// (send once per change, retry failed records, report per record).
//
// Tables (SQLite implementation, schema version 1 in PRAGMA user_version):
//   cursors(workflow PK, value, updated_at)
//       the per-workflow resume point (opaque text the workflow chose, e.g. a PING page token or an
//       ISO-8601 "last modified" instant).
//   records(workflow, source_key) PK, source_id, target_key, state, attempts, error_code,
//           error_message, transaction_id, content_hash, delivered_hash, first_seen_at, updated_at,
//           next_attempt_at
//       one row per source record: its latest state (LedgerRecord).
//   record_events(id PK, workflow, source_key -> records, run_id -> runs, at, state, attempts,
//                 error_code, error_message, transaction_id, content_hash, target_key)
//       append-only history: one row per Ledger::record() call (LedgerEvent), never updated.
//   runs(id PK AUTOINCREMENT, workflow, started_at, finished_at, delivered, skipped, rejected,
//        failed, aborted_reason, cursor_after)
//       one row per workflow run (RunRow); ids are never reused.
// Times are stored as integer milliseconds since the Unix epoch, UTC.
//
// Guarantees:
//   - record() writes the row and its event in one transaction: the history never misses a state
//     the row went through, and a crash leaves either both or neither.
//   - Committed writes survive a process crash (SIGKILL, OOM kill): WAL journal, synchronous=NORMAL.
//     A power loss or kernel crash may lose the last few commits (never corrupts the file); the
//     in_flight state exists so that a write whose outcome was lost is done again (remote writes
//     are keyed, so doing one again is safe).
//   - The file and its -wal/-shm companions are owner-only (0600); messages in the ledger carry ids
//     and codes only, never personal data (same rule as refbridge/log.h).
//   - Every Ledger method may be called from several threads at once; several processes may open
//     the same file (a workflow run and `refbridge-ledger`), waiting up to 5 s for a lock. Every
//     write is one BEGIN IMMEDIATE transaction (no read is ever upgraded to a write). Several
//     processes may create the same new file at the same moment: one creates the schema, all succeed.
//   - One run per workflow at a time ("No duplicate, ever" issue): a run holds the workflow's
//     RunLease (acquire_run_lease) for its whole life, and closes the runs a dead process left
//     open (close_crashed_runs). The SQLite lease is an OS lock (flock) on the file
//     `<ledger path>.<workflow>.lock` beside the ledger, which the kernel releases when the process
//     dies (a SIGKILLed run never blocks the next one); the file is never deleted.

#include "refbridge/error.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace refbridge {

/// An instant in the ledger: milliseconds since the Unix epoch, UTC.
using LedgerTime = std::chrono::sys_time<std::chrono::milliseconds>;

/// Where a record stands. Final states: delivered, skipped, rejected. Needing work: in_flight,
/// submitted, failed (see Ledger::due).
enum class LedgerState {
  kInFlight,   ///< a remote write may have started, outcome unknown (crash recovery re-does it; writes are keyed)
  kSubmitted,  ///< an ingestion was accepted by PING with transaction_id, final status not yet known
  kDelivered,  ///< the target system holds the payload whose hash is delivered_hash
  kSkipped,    ///< nothing to send (unchanged since the last delivery, or out of scope)
  kRejected,   ///< a business rule refused it (error_code is the rule id); not retried until it changes
  kFailed,     ///< the last attempt failed (error_code is the ErrorCode name); retried from next_attempt_at
};

/// Stable lower-case name: "in_flight", "submitted", "delivered", "skipped", "rejected", "failed".
std::string_view to_string(LedgerState state) noexcept;

/// The state named by `text` (exactly a to_string() name), or std::nullopt.
std::optional<LedgerState> ledger_state_from_string(std::string_view text) noexcept;

/// Every state, in declaration order (for reports that list all of them).
inline constexpr LedgerState kAllLedgerStates[] = {LedgerState::kInFlight,  LedgerState::kSubmitted,
                                                   LedgerState::kDelivered, LedgerState::kSkipped,
                                                   LedgerState::kRejected,  LedgerState::kFailed};

/// The error_code of a record an operator made due again by hand (`refbridge-ledger retry`,
/// tools/ledger/actions.h): state failed, attempts 0. A workflow whose source no longer lists the
/// record (a PING queue that was told "failed") re-reads it from the source and processes it once
/// more (workflows/common/record_life.h RecordLife::reconcile).
inline constexpr std::string_view kRetryByHandRule = "retry-by-hand";

/// The latest state of one source record of one workflow.
struct LedgerRecord {
  std::string workflow;        ///< "1.1" | "1.2" | "2.1" | "2.2"
  std::string source_key;      ///< the correlation key, unique per workflow (e.g. "989-22-PRTITV-0000051", "<case_id>#<suffix>")
  std::string source_id;       ///< the source record's addressable id, used to re-fetch it for a retry (Primero case record id, PING intervention GUID)
  std::string target_key;      ///< what it became on the other side (Primero case_id, PING record key, Primero referral id); may be empty
  LedgerState state = LedgerState::kInFlight;
  int attempts = 0;            ///< delivery attempts so far (failed ones included)
  std::string error_code;      ///< rule id or ErrorCode name of the last non-delivered outcome; empty when delivered
  std::string error_message;   ///< the last error message (ids and codes only, never personal data)
  std::string transaction_id;  ///< PING ingestion transaction id, when any
  std::string content_hash;    ///< hash of the payload last attempted
  std::string delivered_hash;  ///< hash of the payload last delivered ("send once per change")
  LedgerTime first_seen_at{};  ///< when the ledger first recorded it (kept by later record() calls)
  LedgerTime updated_at{};     ///< when this state was recorded
  std::optional<LedgerTime> next_attempt_at;  ///< failed records: not before this instant (unset: at once)
};

/// One history row: the record as one record() call left it.
struct LedgerEvent {
  std::int64_t run_id = 0;  ///< the run that recorded it; 0 when recorded outside a run
  LedgerTime at{};          ///< the row's updated_at as recorded
  LedgerState state = LedgerState::kInFlight;
  int attempts = 0;
  std::string error_code, error_message, transaction_id, content_hash, target_key;
};

/// Per-run outcome counts (the run report's totals).
struct RunCounts {
  std::int64_t delivered = 0, skipped = 0, rejected = 0, failed = 0;
};

/// One workflow run.
struct RunRow {
  std::int64_t id = 0;                     ///< > 0, increasing, never reused
  std::string workflow;
  LedgerTime started_at{};
  std::optional<LedgerTime> finished_at;   ///< unset while running (or when the process died, until close_crashed_runs)
  RunCounts counts;
  std::string aborted_reason;              ///< empty unless the run could not finish ("ids and codes only")
  std::string cursor_after;                ///< the cursor value the run ended with
};

/// Who holds a workflow's run lease (RunLease::holder(), and named by a refused acquire).
struct LeaseHolder {
  std::int64_t pid = 0;   ///< the holding process's id (on `host`)
  std::string host;       ///< the holding machine's host name (gethostname)
  LedgerTime started_at{};  ///< the `now` passed to acquire_run_lease (milliseconds, UTC)
  std::string workflow;   ///< the workflow the lease is for ("1.1" ...)
};

/// The exclusive right to run one workflow on one ledger ("No duplicate, ever" issue: two runs of
/// the same workflow at once could both send the same record). Held from acquire_run_lease()
/// until this object is destroyed (the destructor releases it; if the process dies, the system
/// releases it). Destroy it before the Ledger that issued it. A back end implements it with a lock
/// the server or kernel drops with its holder (SQLite: flock on a file; PostgreSQL later:
/// pg_try_advisory_lock on the run's own session).
class RunLease {
 public:
  virtual ~RunLease() = default;
  /// This lease's holder: this process, this host, the acquiring `now`.
  [[nodiscard]] virtual const LeaseHolder& holder() const = 0;
};

/// The state store interface. Every method is safe to call from several threads at once.
/// Errors of every method: kIo (the database failed: locked longer than the busy timeout, busy
/// at once without waiting, disk full, read-only, corrupt; the message says which and what to do),
/// kInvalidInput (an argument the store cannot accept; named in the message).
class Ledger {
 public:
  virtual ~Ledger() = default;

  /// The workflow's cursor, or std::nullopt when none was set.
  virtual Result<std::optional<std::string>> cursor(std::string_view workflow) = 0;
  /// Sets (replaces) the workflow's cursor. Cursors of different workflows are independent.
  virtual Result<void> set_cursor(std::string_view workflow, std::string_view value) = 0;

  /// The row (workflow, source_key), or std::nullopt when the ledger has never seen it.
  virtual Result<std::optional<LedgerRecord>> find(std::string_view workflow, std::string_view source_key) = 0;

  /// Upserts the row (workflow, source_key) and appends one LedgerEvent for run_id, in one transaction.
  /// first_seen_at of an existing row is kept; a new row takes row.first_seen_at (row.updated_at
  /// when first_seen_at is left at the epoch). The event's `at` is row.updated_at.
  /// run_id: an id from begin_run(), or 0 for a change made outside a run (an operator's tool).
  /// Errors: kInvalidInput (empty workflow or source_key; run_id names no run), kIo.
  virtual Result<void> record(const LedgerRecord& row, std::int64_t run_id) = 0;

  /// Rows of a workflow, optionally of one state, ordered by source_key (byte order), those with
  /// source_key > after_key, at most limit. Page on by passing the last key as after_key.
  virtual Result<std::vector<LedgerRecord>> list(std::string_view workflow, std::optional<LedgerState> state,
                                                 std::size_t limit, std::string_view after_key = {}) = 0;

  /// Rows that need work at `now`: failed with next_attempt_at <= now (or unset), and every
  /// in_flight / submitted row; ordered by source_key, keyset-paged like list().
  virtual Result<std::vector<LedgerRecord>> due(std::string_view workflow, LedgerTime now, std::size_t limit,
                                                std::string_view after_key = {}) = 0;

  /// Every event of the record, oldest first (empty when the ledger has never seen it).
  virtual Result<std::vector<LedgerEvent>> history(std::string_view workflow, std::string_view source_key) = 0;

  /// Starts a run: inserts a RunRow and answers its id (> 0).
  virtual Result<std::int64_t> begin_run(std::string_view workflow, LedgerTime started_at) = 0;
  /// Ends the run `run_id` with its counts. Does not move the cursor (call set_cursor()).
  /// Errors: kInvalidInput (no such run), kIo.
  virtual Result<void> finish_run(std::int64_t run_id, const RunCounts& counts, LedgerTime finished_at,
                                  std::string_view aborted_reason, std::string_view cursor_after) = 0;
  /// The workflow's last `limit` runs, newest first.
  virtual Result<std::vector<RunRow>> runs(std::string_view workflow, std::size_t limit) = 0;

  /// Number of rows per state name (to_string(LedgerState)); every state is present, 0 when none.
  virtual Result<std::map<std::string, std::int64_t>> count_by_state(std::string_view workflow) = 0;

  /// Every workflow with a cursor, a record or a run, sorted.
  virtual Result<std::vector<std::string>> workflows() = 0;

  /// Takes the run lease of `workflow` on this ledger, exclusive per (ledger file, workflow) across
  /// processes and within this process (a second call in the same process is refused too); never
  /// waits. Leases of different workflows are independent. `now`: the holder's started_at
  /// (milliseconds, UTC). Source: the "No duplicate, ever" issue.
  /// Errors: kLocked when another run holds it; the message names the workflow, the holder's pid,
  /// host and start time (ISO-8601 UTC) and the lock file, e.g. "workflow 1.1: another run holds
  /// the run lease (pid 4242 on host x, started 2026-12-04T18:00:00.000Z; lock file
  /// /var/lib/refbridge/ledger.sqlite.1.1.lock); this run did nothing" ("holder unknown: <why>"
  /// when the lock file cannot tell). kInvalidInput (workflow empty or not made of letters,
  /// digits, '.', '_', '-'; ledger opened read-only), kIo (the lock file cannot be created, locked
  /// or written: names it and the system's reason), kConfig (the lock path is not a regular file).
  /// SQLite: the lock file `<ledger path>.<workflow>.lock` (canonical path, 0600) holds the holder
  /// as one JSON line {"pid":..,"host":..,"started_at":"<ISO-8601>","workflow":..}; a ":memory:"
  /// ledger's lease is only known to this process. A child made by fork() inherits a held lease
  /// until it exits or execs.
  virtual Result<std::unique_ptr<RunLease>> acquire_run_lease(std::string_view workflow, LedgerTime now) = 0;

  /// Closes the runs of `workflow` a dead process left open (finished_at unset), and answers them
  /// as closed, oldest first (empty when there are none). Call it only while holding the
  /// workflow's RunLease and before begin_run(): any open run is then one whose process ended.
  /// Runs that started after `now` (milliseconds, UTC) are left alone. Per run:
  ///   finished_at = the latest `at` of its record events (not before started_at, not after
  ///                 `now`), started_at when it has none;
  ///   counts      = the last event of each record within the run: delivered / skipped /
  ///                 rejected as such; failed, in_flight and submitted count as failed;
  ///   aborted_reason = "crashed: the process ended without closing the run; counts rebuilt
  ///                 from N record events"; cursor_after is kept.
  /// Source: the "No duplicate, ever" issue. Errors: kInvalidInput (empty workflow), kIo.
  virtual Result<std::vector<RunRow>> close_crashed_runs(std::string_view workflow, LedgerTime now) = 0;
};

/// How open_sqlite_ledger treats the file.
enum class LedgerOpenMode {
  kCreate,    ///< create the file (0600) and the schema when missing, migrate an older schema (workflow runs)
  kReadOnly,  ///< the file must exist and hold the current schema; nothing is written (refbridge-ledger)
};

/// The SQLite schema version this build reads and writes (PRAGMA user_version).
inline constexpr int kLedgerSchemaVersion = 1;

/// Opens (creating if needed) the SQLite ledger at `path` (":memory:" for tests).
/// New files are created with mode 0600 (owner-only) before SQLite opens them; a pre-existing file
/// with any group/other permission bit is refused with kConfig naming the `chmod 600 <path>` to run
/// (SQLite gives the -wal and -shm files the database file's mode). Settings: journal_mode=WAL,
/// synchronous=NORMAL (durable across a process crash such as SIGKILL; a power loss may lose the
/// last commits but does not corrupt the file), busy_timeout 5000 ms (set before any statement),
/// foreign_keys=ON. The schema is versioned with PRAGMA user_version and created/migrated in one
/// BEGIN IMMEDIATE transaction that re-reads the version, so that several processes opening the
/// same new path at once all succeed with one schema (the file itself is created O_CREAT|O_EXCL).
/// kReadOnly: never creates a file or writes; the schema must be the current version.
/// Errors: kIo (cannot open/create, with the path and SQLite's message; the file does not exist in
/// kReadOnly), kConfig (permissions, not a regular file, no/older schema in kReadOnly, schema newer
/// than kLedgerSchemaVersion).
Result<std::unique_ptr<Ledger>> open_sqlite_ledger(const std::string& path,
                                                   LedgerOpenMode mode = LedgerOpenMode::kCreate);

/// An in-memory copy of the SQLite ledger at `path` (SQLite's online backup of a read-only
/// connection, consistent even while a run writes to the file), or an empty in-memory ledger when
/// no file exists (none is created). Every write stays in memory and is gone with the object; its
/// run lease is in-process only (it never contends with a real run's). For `--dry-run`
/// (workflows/common/dry_run.h). Errors: those of open_sqlite_ledger(path, kReadOnly) (kIo, kConfig:
/// permissions, older or newer schema) and kIo when the copy fails.
Result<std::unique_ptr<Ledger>> open_sqlite_ledger_snapshot(const std::string& path);

}  // namespace refbridge
