// --verify for 1.2 and 2.1. See verify_ingested.h.
#include "verify_ingested.h"

#include <map>
#include <optional>

namespace refbridge::workflows {
namespace {

/// PING's transactions, each read once; std::nullopt for one PING does not know (404).
class Transactions {
 public:
  explicit Transactions(ping::Ping& ping) : ping_(ping) {}

  Result<const std::optional<ping::IngestionTransaction>*> get(const std::string& id) {
    if (auto it = seen_.find(id); it != seen_.end()) return &it->second;
    auto t = ping_.get_ingestion_transaction({.transactionId = id});
    if (!t && t.error().code != ErrorCode::kNotFound) return t.error();
    auto& slot = seen_[id];
    if (t) slot = std::move(t).value();
    return &slot;
  }

 private:
  ping::Ping& ping_;
  std::map<std::string, std::optional<ping::IngestionTransaction>> seen_;
};

VerifyFinding check_result(const ping::IngestionTransaction& t, const LedgerRecord& row) {
  const std::string& key = row.target_key.empty() ? row.source_key : row.target_key;
  if (t.status != ping::IngestionStatusValue::kCompleted) {
    return {row.source_key, Verdict::kDifferent, "transaction " + t.transactionId + " is " + std::string(t.status.text())};
  }
  if (t.results.has_value()) {
    for (const auto& r : *t.results) {
      if (!r.recordKey.has_value() || *r.recordKey != key) continue;
      if (r.status == ping::IngestionRecordStatusValue::kAccepted || r.status == ping::IngestionRecordStatusValue::kDuplicate) {
        return {row.source_key, Verdict::kOk, {}};
      }
      return {row.source_key, Verdict::kDifferent,
              "PING " + std::string(r.status.text()) + " record " + key + " in transaction " + t.transactionId};
    }
  }
  return {row.source_key, Verdict::kMissing, "transaction " + t.transactionId + " has no result for record " + key};
}

}  // namespace

Result<VerifyReport> verify_ingested(ping::Ping& ping, Ledger& ledger, const std::string& workflow,
                                     const VerifyOptions& options) {
  Transactions transactions(ping);
  return verify_delivered(ledger, workflow, options, [&](const LedgerRecord& row) -> Result<VerifyFinding> {
    if (row.transaction_id.empty()) return VerifyFinding{row.source_key, Verdict::kMissing, "the ledger names no transaction"};
    REFBRIDGE_TRY(auto t, transactions.get(row.transaction_id));
    if (!t->has_value()) {
      return VerifyFinding{row.source_key, Verdict::kMissing, "PING does not know transaction " + row.transaction_id};
    }
    return check_result(**t, row);
  });
}

}  // namespace refbridge::workflows
