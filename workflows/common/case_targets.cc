// Case anchors in the ledger. See case_targets.h.
#include "case_targets.h"

namespace refbridge::workflows {

CaseTargets::CaseTargets(RecordBook& book) : book_(book), namespace_(namespace_of(book.workflow())) {}

Result<std::optional<CaseRef>> CaseTargets::recall(const std::string& anchor) {
  REFBRIDGE_TRY(auto row, book_.ledger().find(namespace_, anchor));
  if (!row || row->source_id.empty()) return std::optional<CaseRef>();
  return std::optional<CaseRef>(CaseRef{row->source_id, row->target_key});
}

Result<void> CaseTargets::remember(const std::string& anchor, const CaseRef& ref) {
  LedgerRecord row;
  row.workflow = namespace_;
  row.source_key = anchor;
  row.source_id = ref.record_id;
  row.target_key = ref.case_id;
  row.state = LedgerState::kDelivered;
  row.first_seen_at = book_.clock().now();
  row.updated_at = row.first_seen_at;
  return book_.ledger().record(row, book_.run_id());
}

}  // namespace refbridge::workflows
