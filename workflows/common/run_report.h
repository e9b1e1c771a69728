#pragma once
// The report every workflow run ends with (../shared/docs/workflows.md "Common rules"):
// counts per state, duration, and per record its key, state and, for rejected / failed / skipped
// records, the rule and a reason a person can act on. Only ids, codes and counts: no personal data.
// JSON shape (written by to_json):
//   {"workflow":"1.1","started_at":"<UTC ISO-8601 ms>","finished_at":"...","duration_ms":123,
//    "aborted":"<reason, only when the run could not go on>",
//    "counts":{"delivered":2,"skipped":0,"rejected":9,"failed":0},
//    "records":[{"key":"989-22-PRTITV-0000051","state":"delivered","case_id":"...","action":"created"},
//               {"key":"DAD-21-PRTITV-0000141","state":"rejected","rule":"accepted-type-gate","reason":"..."}]}

#include "refbridge/time.h"

#include <chrono>
#include <map>
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
  RecordState state = RecordState::kFailed;
  std::string rule;                 ///< the rule that decided (rejected / skipped), or the error code (failed)
  std::string reason;               ///< human-readable, ids and codes only
  std::map<std::string, std::string> ids;  ///< further ids, e.g. {"case_id": ..., "action": "created"}
};

/// Collects outcomes during a run; not thread-safe.
class RunReport {
 public:
  RunReport(std::string workflow, std::chrono::sys_time<std::chrono::milliseconds> started_at);

  void add(RecordOutcome outcome);
  /// Records that the run itself could not go on (configuration, authentication, unreachable API);
  /// `reason` is an Error::describe() text. The process then exits non-zero.
  void abort(std::string reason) { aborted_ = std::move(reason); }
  [[nodiscard]] bool aborted() const { return !aborted_.empty(); }
  [[nodiscard]] const std::string& abort_reason() const { return aborted_; }
  void finish(std::chrono::sys_time<std::chrono::milliseconds> finished_at);

  [[nodiscard]] std::size_t count(RecordState state) const;
  [[nodiscard]] const std::vector<RecordOutcome>& records() const { return records_; }
  [[nodiscard]] const std::string& workflow() const { return workflow_; }

  /// The JSON document described at the top of this file (pretty-printed).
  [[nodiscard]] std::string to_json() const;
  /// One human line: "1.1: 2 delivered, 0 skipped, 9 rejected, 0 failed in 0.4 s".
  [[nodiscard]] std::string summary_line() const;

 private:
  std::string workflow_;
  std::chrono::sys_time<std::chrono::milliseconds> started_at_;
  std::chrono::sys_time<std::chrono::milliseconds> finished_at_;
  std::vector<RecordOutcome> records_;
  std::string aborted_;
};

}  // namespace refbridge::workflows
