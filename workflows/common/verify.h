#pragma once
// --verify (issue "An operator's tool": "verification that records are created or updated in the
// destination system"): for every record the ledger says was delivered (optionally only those
// delivered since an instant), re-read what the destination holds and report each record that is
// missing, duplicated or different. Writes nothing anywhere: the ledger is opened read-only and
// only GET requests are sent. What each workflow compares (its verify_* function):
//   1.1  the case (ledger target_key = Primero case_id) exists, is the only case of its individual,
//        and has exactly one service row whose progres_interventionnumber is the record's key;
//   2.2  the Primero referral the decision designates has the status the current decision maps to;
//   1.2 / 2.1  the record's PING ingestion transaction completed and accepted (or de-duplicated) it.
// Exit status: 0 when every checked record is as the ledger says, 65 (EX_DATAERR) otherwise;
// a system that cannot be read stops the verification with its own status (69, 77, ...).

#include "refbridge/error.h"
#include "refbridge/ledger.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace refbridge::workflows {

/// What the destination holds for one delivered record, compared with the ledger.
enum class Verdict {
  kOk,          ///< as the ledger says
  kMissing,     ///< the destination lacks it (case, service row, referral, transaction or its result)
  kDuplicated,  ///< it is there more than once (two cases for one individual, two service rows)
  kDifferent,   ///< it is there but does not hold what was delivered
};

/// "ok", "missing", "duplicated", "different".
std::string_view to_string(Verdict verdict) noexcept;

/// One checked record: its ledger key, the verdict and, unless ok, why (ids and codes only).
struct VerifyFinding {
  std::string key;
  Verdict verdict = Verdict::kOk;
  std::string detail;
};

/// Which delivered records to check.
struct VerifyOptions {
  std::optional<LedgerTime> since;  ///< only records whose delivery was recorded at or after this instant (UTC)
};

/// Compares one delivered ledger row with the destination. An error means the destination could
/// not be read (the verification stops with that error's exit status); a record the destination
/// lacks is a kMissing finding, not an error.
using VerifyRecord = std::function<Result<VerifyFinding>(const LedgerRecord& row)>;

/// The findings of one verification.
class VerifyReport {
 public:
  explicit VerifyReport(std::string workflow) : workflow_(std::move(workflow)) {}
  void add(VerifyFinding finding);
  [[nodiscard]] const std::vector<VerifyFinding>& problems() const { return problems_; }
  [[nodiscard]] std::size_t checked() const { return checked_; }
  [[nodiscard]] std::size_t count(Verdict verdict) const;
  /// 0 when no problem was found, else 65 (exit_status.h kExitDataMismatch).
  [[nodiscard]] int exit_status() const;
  /// One line per problem ("<key>: missing: <detail>") then
  /// "verify <workflow>: N delivered records checked: a ok, b missing, c duplicated, d different".
  [[nodiscard]] std::string text() const;

 private:
  std::string workflow_;
  std::size_t checked_ = 0;
  std::map<Verdict, std::size_t> counts_;
  std::vector<VerifyFinding> problems_;
};

/// Checks, in key order, every row of `workflow` in state delivered (updated_at >= options.since
/// when set) with `check`. Errors: the ledger's; the first error `check` returns.
Result<VerifyReport> verify_delivered(Ledger& ledger, const std::string& workflow, const VerifyOptions& options,
                                      const VerifyRecord& check);

}  // namespace refbridge::workflows
