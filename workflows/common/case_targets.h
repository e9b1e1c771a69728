#pragma once
// Which Primero case refbridge created for which individual (the "No duplicate, ever" issue:
// "the second referral of a child must find the case the first one created (or the ledger's
// record of it); do not rely on Primero's search seeing a case created a moment ago").
//
// Kept in the durable ledger beside the workflow's own rows, under the workflow id
// "<workflow>/targets" (e.g. "1.1/targets"): one row per anchor (the unhcr_individual_no a case is
// matched on), source_id = the case's record id (URL id), target_key = its case_id, state
// delivered, with the history of every record() like any ledger row (refbridge-ledger list
// --workflow 1.1/targets shows them). Only ids: never personal data.
// A crash between createCase and remember() leaves no row: the next run (minutes later) finds the
// case through Primero's search instead (tests/crash).

#include "record_book.h"

#include "refbridge/error.h"

#include <optional>
#include <string>

namespace refbridge::workflows {

/// A Primero case: its record id (URL id, UUID) and its case_id (UUID).
struct CaseRef {
  std::string record_id;
  std::string case_id;
};

/// The anchors of one workflow run's book. Thread-safe (the ledger is).
class CaseTargets {
 public:
  /// Not owned; must outlive this object.
  explicit CaseTargets(RecordBook& book);

  /// The case remembered for `anchor`, or nullopt. Errors: the ledger's (kIo).
  Result<std::optional<CaseRef>> recall(const std::string& anchor);
  /// Remembers that `ref` is the case of `anchor` (replacing any earlier one). Errors: the ledger's.
  Result<void> remember(const std::string& anchor, const CaseRef& ref);

  /// The ledger workflow id the anchors of `workflow` are kept under ("<workflow>/targets").
  static std::string namespace_of(const std::string& workflow) { return workflow + "/targets"; }

 private:
  RecordBook& book_;
  std::string namespace_;
};

}  // namespace refbridge::workflows
