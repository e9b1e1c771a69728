#pragma once
// Ledger rows of a queue-driven workflow (1.1 outgoing referrals, 2.2 referral decisions) that the
// source no longer lists as pending although the ledger still holds them failed or in flight: the
// acknowledgement to PING (transfer / sync status PATCH) took effect but its answer was lost
// (reset, timeout, crash). The source is the queue, so nothing would ever look at such a row
// again and the audit trail would say "failed" for a delivered record. After the listing the
// workflow reads each such row's source record and settles the row from its status
// (../shared/docs/workflows.md "Common rules": every record ends in a final state; tests/faults).

#include "record_book.h"
#include "run_report.h"

#include "refbridge/error.h"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace refbridge::workflows {

/// Calls `reconcile` for every ledger row of the book's workflow that is due (failed and past its
/// backoff, or in flight) and was not claimed in this run (RecordBook::claim), adding each outcome
/// it returns to `report` (nullopt: leave the row as it is). Errors: the ledger's.
inline Result<void> reconcile_unlisted(RecordBook& book, RunReport& report,
                                       const std::function<std::optional<RecordOutcome>(const LedgerRecord&)>& reconcile) {
  constexpr std::size_t kPage = 500;
  std::string after;
  for (;;) {
    REFBRIDGE_TRY(auto rows, book.ledger().due(book.workflow(), book.clock().now(), kPage, after));
    for (const auto& row : rows) {
      if (row.state == LedgerState::kSubmitted || !book.claim(row.source_key)) continue;
      if (auto outcome = reconcile(row)) report.add(std::move(*outcome));
    }
    if (rows.size() < kPage) return ok();
    after = rows.back().source_key;
  }
}

/// The outcome of an unlisted `row` from the status its source record holds now: delivered
/// ("acknowledged-earlier") when `acknowledged`, otherwise rejected with the rule an earlier attempt
/// recorded ("failed-in-ping" when none) and a reason naming `status_field` and `status`.
inline RecordOutcome unlisted_outcome(const LedgerRecord& row, bool acknowledged, std::string_view status_field,
                                      std::string_view status) {
  RecordOutcome out;
  out.key = row.source_key;
  out.source_id = row.source_id;
  out.target_key = row.target_key;
  if (acknowledged) {
    out.state = RecordState::kDelivered;
    out.ids["action"] = "acknowledged-earlier";
  } else {
    out.state = RecordState::kRejected;
    out.rule = row.error_code.empty() ? std::string("failed-in-ping") : row.error_code;
    out.reason = "PING holds " + std::string(status_field) + " " + std::string(status) +
                 " (reported by an earlier attempt whose answer was lost)";
  }
  return out;
}

}  // namespace refbridge::workflows
