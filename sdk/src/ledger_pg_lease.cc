// The run lease of the PostgreSQL ledger: a session-level advisory lock on a connection of its
// own, the holder kept in refbridge.run_leases. See ledger_pg_lease.h.
#include "ledger_pg_lease.h"

#include "ledger_lease.h"

#include <utility>

namespace refbridge::ledger_detail::pg {
namespace {

/// The advisory lock key of (deployment, workflow), computed by the server.
constexpr const char* kKey = "hashtextextended('refbridge-run-lease/' || $1 || '/' || $2, 0)";

const std::string kTryLock = std::string("SELECT pg_try_advisory_lock(") + kKey + ")";
const std::string kUnlock = std::string("SELECT pg_advisory_unlock(") + kKey + ")";

constexpr const char* kWriteHolder =
    "INSERT INTO refbridge.run_leases (deployment, workflow, pid, host, started_at, backend_pid) "
    "VALUES ($1, $2, $3, $4, $5, pg_backend_pid()) ON CONFLICT (deployment, workflow) DO UPDATE SET "
    "pid = excluded.pid, host = excluded.host, started_at = excluded.started_at, backend_pid = excluded.backend_pid";

constexpr const char* kReadHolder =
    "SELECT pid, host, started_at FROM refbridge.run_leases WHERE deployment = $1 AND workflow = $2";

/// Only this session's own row: a holder that died left its row, which the next holder overwrites.
constexpr const char* kClearHolder =
    "DELETE FROM refbridge.run_leases WHERE deployment = $1 AND workflow = $2 AND backend_pid = pg_backend_pid()";

Params key_params(const std::string& deployment, std::string_view workflow) {
  Params p;
  p.add(deployment).add(workflow);
  return p;
}

/// A held lease: the session holding the advisory lock. Destroying it clears the holder row,
/// unlocks and closes the session (closing alone would release the lock too).
class PgLease final : public RunLease {
 public:
  PgLease(Connection conn, std::string deployment, LeaseHolder holder)
      : conn_(std::move(conn)), deployment_(std::move(deployment)), holder_(std::move(holder)) {}
  ~PgLease() override {
    const Params p = key_params(deployment_, holder_.workflow);
    (void)conn_.exec(kClearHolder, p, "cannot clear the run lease holder");
    (void)conn_.exec(kUnlock.c_str(), p, "cannot release the run lease");
  }
  PgLease(const PgLease&) = delete;
  PgLease& operator=(const PgLease&) = delete;

  [[nodiscard]] const LeaseHolder& holder() const override { return holder_; }

 private:
  Connection conn_;
  std::string deployment_;
  LeaseHolder holder_;
};

/// The kLocked error naming the holder as run_leases says (it writes its row just after locking,
/// so a missing row is read again a few times, at most ~50 ms).
Error refused(Connection& c, const std::string& deployment, std::string_view workflow, const std::string& where) {
  std::string why = "the holder has not written refbridge.run_leases yet (it may be starting)";
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds{10});
    auto rows = c.exec(kReadHolder, key_params(deployment, workflow), "cannot read the run lease holder");
    if (!rows) {
      why = rows.error().message;
      break;
    }
    if (rows.value().size() == 1) {
      const Rows& r = rows.value();
      const LeaseHolder h{r.integer(0, 0), r.text(0, 1), r.time(0, 2), std::string(workflow)};
      return make_error(ErrorCode::kLocked, locked_message(workflow, h, where));
    }
  }
  return make_error(ErrorCode::kLocked, locked_message(workflow, std::nullopt, where, why));
}

}  // namespace

Result<std::unique_ptr<RunLease>> acquire_pg_lease(const PostgresLedgerOptions& options, const std::string& where,
                                                   std::string_view workflow, LedgerTime now) {
  REFBRIDGE_TRY(check_workflow(workflow));
  if (options.mode != LedgerOpenMode::kCreate) {
    return make_error(ErrorCode::kInvalidInput, "PostgreSQL ledger " + where +
                                                    " is open read-only: it cannot hold the run lease of workflow " +
                                                    std::string(workflow));
  }
  const std::string lock_name = "PostgreSQL advisory lock of deployment " + options.deployment + " on " + where;
  REFBRIDGE_TRY(auto handle, connect(options, where));
  Connection conn(std::move(handle), where);
  const Params p = key_params(options.deployment, workflow);
  REFBRIDGE_TRY(auto got, conn.exec(kTryLock.c_str(), p, "cannot try the run lease of workflow " + std::string(workflow)));
  if (got.text(0, 0) != "t") return refused(conn, options.deployment, workflow, lock_name);
  LeaseHolder me = this_process(workflow, now);
  Params h = key_params(options.deployment, workflow);
  h.add(me.pid).add(me.host).add(me.started_at);
  // On failure the connection closes, which releases the lock.
  REFBRIDGE_TRY(conn.exec(kWriteHolder, h, "cannot write the run lease holder of workflow " + std::string(workflow)));
  return std::unique_ptr<RunLease>(std::make_unique<PgLease>(std::move(conn), options.deployment, std::move(me)));
}

}  // namespace refbridge::ledger_detail::pg
