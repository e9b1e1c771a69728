// The dry run's clients. See dry_run.h.
#include "dry_run.h"

#include <sstream>

namespace refbridge::workflows {
namespace {

constexpr std::string_view kTransactionPrefix = "dry-run-";

template <typename T>
std::string text_or(const T& value, std::string fallback) {
  return value.has_value() ? std::string(*value) : std::move(fallback);
}

}  // namespace

void DryRunJournal::add(WithheldWrite write) {
  std::lock_guard lock(mutex_);
  writes_.push_back(std::move(write));
}

std::vector<WithheldWrite> DryRunJournal::writes() const {
  std::lock_guard lock(mutex_);
  return writes_;
}

std::map<std::string, std::size_t> DryRunJournal::counts() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, std::size_t> out;
  for (const auto& w : writes_) ++out[w.system + " " + w.operation];
  return out;
}

ping::IngestionAccepted DryRunPing::withhold_ingestion(std::string operation, std::size_t records) {
  std::lock_guard lock(mutex_);
  const std::string id = std::string(kTransactionPrefix) + std::to_string(transactions_.size() + 1);
  transactions_[id] = records;
  journal_.add({"PING", std::move(operation), std::to_string(records) + " records as transaction " + id});
  return ping::IngestionAccepted{.transactionId = id, .status = ping::IngestionStatusValue::kReceived};
}

Result<ping::IngestionAccepted> DryRunPing::ingest_referrals(const ping::IngestReferralsRequest& req) {
  return withhold_ingestion("ingestReferrals", req.body.records.size());
}

Result<ping::IngestionAccepted> DryRunPing::ingest_referral_decisions(const ping::IngestReferralDecisionsRequest& req) {
  return withhold_ingestion("ingestReferralDecisions", req.body.records.size());
}

Result<ping::IngestionTransaction> DryRunPing::get_ingestion_transaction(const ping::GetIngestionTransactionRequest& req) {
  std::size_t records = 0;
  {
    std::lock_guard lock(mutex_);
    const auto it = transactions_.find(req.transactionId);
    if (it == transactions_.end()) return inner().get_ingestion_transaction(req);  // a real one (resumed from the ledger)
    records = it->second;
  }
  ping::IngestionTransaction t{.transactionId = req.transactionId, .status = ping::IngestionStatusValue::kCompleted};
  std::vector<ping::IngestionRecordResult> results;
  for (std::size_t i = 0; i < records; ++i) {
    results.push_back({.index = static_cast<std::int32_t>(i), .status = ping::IngestionRecordStatusValue::kAccepted});
  }
  t.results = std::move(results);
  return t;
}

Result<ping::TransferStatus> DryRunPing::update_transfer_status(const ping::UpdateTransferStatusRequest& req) {
  journal_.add({"PING", "updateTransferStatus",
                "intervention " + req.interventionId + " -> " + std::string(req.body.transferStatus.text()) +
                    (req.body.primeroCaseId ? " (case " + *req.body.primeroCaseId + ")" : std::string())});
  return ping::TransferStatus{.progres_lpinterventionid = req.interventionId,
                              .transferStatus = req.body.transferStatus,
                              .primeroCaseId = req.body.primeroCaseId};
}

Result<ping::SyncStatus> DryRunPing::update_sync_status(const ping::UpdateSyncStatusRequest& req) {
  journal_.add({"PING", "updateSyncStatus", "referral " + req.referralId + " -> " + std::string(req.body.syncStatus.text())});
  return ping::SyncStatus{.progres_interoperabilityreferralid = req.referralId,
                          .syncStatus = req.body.syncStatus,
                          .primeroReferralId = req.body.primeroReferralId};
}

Result<std::optional<primero::CaseEnvelope>> DryRunPrimero::create_case(const primero::CreateCaseRequest& req) {
  const std::string n = std::to_string(++created_);
  primero::CaseEnvelope answer = req.body;
  answer.data.id = "dry-run-record-" + n;
  answer.data.case_id = "dry-run-case-" + n;
  const auto services = req.body.data.services_section ? req.body.data.services_section->size() : 0;
  journal_.add({"Primero", "createCase",
                "case dry-run-case-" + n + " for individual " + text_or(req.body.data.unhcr_individual_no, "(none)") +
                    " with " + std::to_string(services) + " service rows"});
  return std::optional<primero::CaseEnvelope>(std::move(answer));
}

Result<primero::CaseEnvelope> DryRunPrimero::update_case(const primero::UpdateCaseRequest& req) {
  const auto services = req.body.data.services_section ? req.body.data.services_section->size() : 0;
  journal_.add({"Primero", "updateCase", "case record " + req.id + " with " + std::to_string(services) + " service rows"});
  primero::CaseEnvelope answer = req.body;
  answer.data.id = req.id;
  return answer;
}

Result<primero::ReferralEnvelope> DryRunPrimero::create_case_referral(const primero::CreateCaseReferralRequest& req) {
  journal_.add({"Primero", "createCaseReferral", "case record " + req.id});
  primero::ReferralEnvelope answer = req.body;
  answer.data.record_id = req.id;
  return answer;
}

Result<primero::ReferralEnvelope> DryRunPrimero::update_case_referral(const primero::UpdateCaseReferralRequest& req) {
  journal_.add({"Primero", "updateCaseReferral",
                "referral " + req.referral_id + " of case record " + req.id + " -> " + std::string(req.body.data.status.text())});
  {
    std::lock_guard lock(mutex_);
    statuses_[{req.id, req.referral_id}] = req.body.data.status;
  }
  primero::ReferralEnvelope answer;
  answer.data.id = req.referral_id;
  answer.data.record_id = req.id;
  answer.data.status = req.body.data.status;
  return answer;
}

Result<primero::ReferralList> DryRunPrimero::list_case_referrals(const primero::ListCaseReferralsRequest& req) {
  REFBRIDGE_TRY(auto list, inner().list_case_referrals(req));
  std::lock_guard lock(mutex_);
  for (auto& r : list.data) {
    if (auto it = statuses_.find({req.id, r.id}); it != statuses_.end()) r.status = it->second;
  }
  return list;
}

std::string dry_run_records(const RunReport& report) {
  std::ostringstream out;
  for (const auto& r : report.records()) {
    out << "record " << r.key << ": would be " << to_string(r.state);
    std::string detail;
    for (const auto& [k, v] : r.ids) detail += (detail.empty() ? "" : ", ") + k + " " + v;
    if (!r.transaction_id.empty()) detail += (detail.empty() ? "" : ", ") + std::string("transaction ") + r.transaction_id;
    if (!r.rule.empty()) detail += (detail.empty() ? "" : "; ") + r.rule + ": " + r.reason;
    if (!detail.empty()) out << " (" << detail << ")";
    out << "\n";
  }
  if (report.unlisted() > 0) out << "(" << report.unlisted() << " more delivered or skipped records not listed)\n";
  return out.str();
}

std::string dry_run_summary(const DryRunJournal& journal) {
  std::ostringstream out;
  const auto writes = journal.writes();
  for (const auto& w : writes) out << "would " << w.operation << " in " << w.system << ": " << w.what << "\n";
  out << "dry run: " << writes.size() << " writes withheld (";
  bool first = true;
  for (const auto& [what, n] : journal.counts()) {
    out << (first ? "" : ", ") << what << " " << n;
    first = false;
  }
  out << "); nothing was written to PING, Primero or the ledger\n";
  return out.str();
}

}  // namespace refbridge::workflows
