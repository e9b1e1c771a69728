#pragma once
// Run-level failures stop the run and charge no record (the "No duplicate, ever" issue;
// ../shared/docs/workflows.md "Common rules": one record's failure never stops the others, a
// run-level failure stops the run).
//
// Two ways a run is stopped by the guard:
//   - a run-level error (classify() == ErrorClass::kRunLevel: 401/403 after the allowed re-login,
//     a configuration error, a lease lost) from any record: the run stops at once (exit 77 / 78);
//   - the breaker: `threshold` consecutive record failures for which one remote system did not
//     answer (is_unavailable(): transport failure, timeout, 502/503/504), without a success in
//     between, stop the run (exit 69). A success of any record closes the breaker again.
// Once tripped, token() is cancelled: the executors start no further record (executor.h), and
// the record that tripped it and those in flight leave their ledger rows as the run found them
// (RecordLife, record_life.h). Nothing is reported to PING as failed for such a run.

#include "refbridge/cancel.h"
#include "refbridge/error.h"

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace refbridge::workflows {

class RunGuard {
 public:
  /// `threshold` consecutive unavailability failures trip the breaker (clamped to >= 1).
  explicit RunGuard(int threshold);

  /// Notes a record's error. Returns true when the run is (now) stopped: `e` is run-level, or it
  /// was the threshold-th consecutive unavailability failure of its system (Error::system).
  bool note_failure(const Error& e);
  /// Notes that a record reached a remote system and succeeded: the breaker counts restart.
  void note_success();

  /// Stops the run with `cause` (first cause wins).
  void stop(const Error& cause);
  [[nodiscard]] bool stopped() const { return token_.cancelled(); }
  /// Cancelled once the run is stopped; executors take it as their abort token.
  [[nodiscard]] const CancellationToken& token() const { return token_; }
  /// The error that stopped the run (its message names the system and the count), if stopped.
  [[nodiscard]] std::optional<Error> cause() const;

 private:
  int threshold_;
  CancellationToken token_;
  mutable std::mutex mutex_;
  std::map<std::string, int> consecutive_;  // by system; guarded by mutex_
  std::optional<Error> cause_;               // guarded by mutex_
};

}  // namespace refbridge::workflows
