// --verify: the common part. See verify.h.
#include "verify.h"

#include "exit_status.h"

#include <sstream>

namespace refbridge::workflows {

std::string_view to_string(Verdict verdict) noexcept {
  switch (verdict) {
    case Verdict::kOk: return "ok";
    case Verdict::kMissing: return "missing";
    case Verdict::kDuplicated: return "duplicated";
    case Verdict::kDifferent: return "different";
  }
  return "ok";
}

void VerifyReport::add(VerifyFinding finding) {
  ++checked_;
  ++counts_[finding.verdict];
  if (finding.verdict != Verdict::kOk) problems_.push_back(std::move(finding));
}

std::size_t VerifyReport::count(Verdict verdict) const {
  const auto it = counts_.find(verdict);
  return it == counts_.end() ? 0 : it->second;
}

int VerifyReport::exit_status() const { return problems_.empty() ? kExitOk : kExitDataMismatch; }

std::string VerifyReport::text() const {
  std::ostringstream out;
  for (const auto& p : problems_) out << p.key << ": " << to_string(p.verdict) << ": " << p.detail << "\n";
  out << "verify " << workflow_ << ": " << checked_ << " delivered records checked: " << count(Verdict::kOk) << " ok, "
      << count(Verdict::kMissing) << " missing, " << count(Verdict::kDuplicated) << " duplicated, "
      << count(Verdict::kDifferent) << " different\n";
  return out.str();
}

Result<VerifyReport> verify_delivered(Ledger& ledger, const std::string& workflow, const VerifyOptions& options,
                                      const VerifyRecord& check) {
  constexpr std::size_t kPage = 500;
  VerifyReport report(workflow);
  std::string after;
  for (;;) {
    REFBRIDGE_TRY(auto rows, ledger.list(workflow, LedgerState::kDelivered, kPage, after));
    for (const auto& row : rows) {
      if (options.since && row.updated_at < *options.since) continue;
      REFBRIDGE_TRY(auto finding, check(row));
      if (finding.key.empty()) finding.key = row.source_key;
      report.add(std::move(finding));
    }
    if (rows.size() < kPage) return report;
    after = rows.back().source_key;
  }
}

}  // namespace refbridge::workflows
