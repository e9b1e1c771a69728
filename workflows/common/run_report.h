#pragma once
// The report every workflow run ends with (../shared/docs/workflows.md "Common rules"):
// counts per state, duration, and per record its key, state and, for rejected / failed / skipped
// records, the rule and a reason a person can act on. Only ids, codes and counts: no personal data.
// Every string written by to_json() and summary_line() passes refbridge::redact() (secrets).
// JSON shape (written by to_json):
//   {"workflow":"1.1","refbridge_version":"0.1.0","refbridge_commit":"<git, 12 hex or unknown>",
//    "started_at":"<UTC ISO-8601 ms>","finished_at":"...","duration_ms":123,
//    "aborted":"<reason, only when the run could not go on>",
//    "counts":{"delivered":2,"skipped":0,"rejected":9,"failed":0},
//    "records":[{"key":"989-22-PRTITV-0000051","state":"delivered","case_id":"...","action":"created"},
//               {"key":"DAD-21-PRTITV-0000141","state":"rejected","rule":"accepted-type-gate","reason":"..."}]}

#include "refbridge/time.h"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace refbridge::workflows {

/// The final state of one record in one run.
enum class RecordState {
  kDelivered,  ///< written to the target and acknowledged at the source
  kSkipped,    ///< nothing to do (rule says why), e.g. no longer pending
  kRejected,   ///< invalid data: not retried until the source changes it
  kFailed,     ///< transient failure: stays eligible for retry on the next run
};

/// "delivered", "skipped", "rejected", "failed".
std::string_view to_string(RecordState state) noexcept;

struct RecordOutcome {
  std::string key;                  ///< the correlation key (e.g. progres_interventionnumber)
  std::string source_id;            ///< the source record's addressable id (ledger source_id), may be empty
  std::string target_key;           ///< what it became on the other side (ledger target_key), may be empty
  std::string transaction_id;       ///< PING ingestion transaction id, when any
  RecordState state = RecordState::kFailed;
  std::string rule;                 ///< the rule that decided (rejected / skipped), or the error code (failed)
  std::string reason;               ///< human-readable, ids and codes only
  std::map<std::string, std::string> ids;  ///< further ids, e.g. {"case_id": ..., "action": "created"}
};

/// Collects outcomes during a run. add() may be called from several threads at once; the other
/// members are for after the run. Memory stays bounded however many records a run sees: every
/// rejected and failed record is kept (the ids a person must act on), delivered and skipped ones
/// only up to kListedLimit (counts are always exact).
class RunReport {
 public:
  static constexpr std::size_t kListedLimit = 1000;  ///< delivered + skipped records listed at most

  RunReport(std::string workflow, std::chrono::sys_time<std::chrono::milliseconds> started_at);

  void add(RecordOutcome outcome);
  /// Records that the run itself could not go on (configuration, authentication, unreachable API);
  /// `reason` is an Error::describe() text; `exit_status` the process's (exit_status.h: 69 by
  /// default, 77 authentication, 78 configuration, 74 ledger, 3/4 interrupted).
  void abort(std::string reason, int exit_status = 69) {
    aborted_ = std::move(reason);
    exit_status_ = exit_status;
  }
  [[nodiscard]] bool aborted() const { return !aborted_.empty(); }
  /// 0 unless aborted; then the status given to abort().
  [[nodiscard]] int exit_status() const { return aborted() ? exit_status_ : 0; }
  [[nodiscard]] const std::string& abort_reason() const { return aborted_; }
  void finish(std::chrono::sys_time<std::chrono::milliseconds> finished_at);

  [[nodiscard]] std::size_t count(RecordState state) const;
  /// The listed records (see the class comment), in the order they were added.
  [[nodiscard]] const std::vector<RecordOutcome>& records() const { return records_; }
  /// Delivered and skipped records counted but not listed (over kListedLimit).
  [[nodiscard]] std::size_t unlisted() const { return unlisted_; }
  [[nodiscard]] const std::string& workflow() const { return workflow_; }
  [[nodiscard]] std::chrono::sys_time<std::chrono::milliseconds> started_at() const { return started_at_; }
  /// The instant given to finish(); started_at() until then.
  [[nodiscard]] std::chrono::sys_time<std::chrono::milliseconds> finished_at() const { return finished_at_; }

  /// The JSON document described at the top of this file (pretty-printed).
  [[nodiscard]] std::string to_json() const;
  /// One human line: "1.1: 2 delivered, 0 skipped, 9 rejected, 0 failed in 0.4 s".
  [[nodiscard]] std::string summary_line() const;

 private:
  std::string workflow_;
  std::chrono::sys_time<std::chrono::milliseconds> started_at_;
  std::chrono::sys_time<std::chrono::milliseconds> finished_at_;
  std::unique_ptr<std::mutex> mutex_ = std::make_unique<std::mutex>();  // movable report
  std::vector<RecordOutcome> records_;
  std::size_t counts_[4] = {0, 0, 0, 0};  // by RecordState
  std::size_t listed_ok_ = 0;             // delivered + skipped listed
  std::size_t unlisted_ = 0;
  std::string aborted_;
  int exit_status_ = 0;
};

}  // namespace refbridge::workflows
