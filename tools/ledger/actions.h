#pragma once
// refbridge-ledger's two writing commands (issue 12, "Ledger actions, audited"):
//   retry   --workflow W (--key K | --state rejected [--rule R]) --reason TEXT [--yes]
//     a rejected record (any rule, retries-exhausted included) or a failed one becomes due at the
//     next run: state failed, attempts 0, next_attempt_at unset, error_code "retry-by-hand";
//   resolve --workflow W (--key K | --state rejected|failed [--rule R]) --reason TEXT [--yes]
//     a rejected or failed record is closed by hand: state skipped, error_code (rule)
//     "resolved-by-hand"; no run touches it again until its source changes.
// Both append one event per record to its history (Ledger::record with run_id 0) whose
// error_message is "by <OS user>: <reason> (was <state>: <rule>)" and whose `at` is now: who,
// when and why. The reason is stored as written (after secret redaction): it must hold ids and
// codes only, never personal data (same rule as the ledger's other messages).
// Both hold the workflow's run lease (Ledger::acquire_run_lease) while they work, so they never
// change a record under a running workflow: lease held -> exit 75, nothing changed. A filtered
// set (--state, optionally --rule = the error_code) is counted and confirmed on stdin ("y")
// unless --yes. Source: issue 12.

#include "refbridge/ledger.h"

#include <iosfwd>
#include <string>

namespace refbridge::ledger_tool {

inline constexpr int kExitOk = 0;
inline constexpr int kExitNothingDone = 1;  ///< unknown key, no record matched, not eligible, not confirmed
inline constexpr int kExitUsage = 64;
inline constexpr int kExitSoftware = 70;
inline constexpr int kExitIo = 74;
inline constexpr int kExitLeaseHeld = 75;
inline constexpr int kExitConfig = 78;

/// The exit status for a ledger error: kLocked 75, kIo 74, kConfig 78, kInvalidInput 64, else 70.
int exit_status_for(const Error& e) noexcept;

enum class Action { kRetry, kResolve };

struct ActionRequest {
  Action action = Action::kRetry;
  std::string workflow;  ///< one of the four workflow ids (checked by the parser)
  std::string key;       ///< one record, or empty with `state`
  std::string state;     ///< filtered set: "rejected" (retry, resolve) or "failed" (resolve)
  std::string rule;      ///< optional filter on error_code, with `state`
  std::string reason;    ///< why; ids and codes only
  bool yes = false;      ///< no confirmation prompt
};

/// The acting user: the login name of the real uid ("uid <n>" when it has none), with
/// " (sudo from <SUDO_USER>)" when run through sudo.
std::string acting_user();

/// Runs the action on `ledger` (opened writable). Prints what it did to `out`, prompts on `err`
/// and reads the answer from `in`. Answers the exit status; ledger errors are printed to `err`.
int run_action(Ledger& ledger, const ActionRequest& request, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace refbridge::ledger_tool
