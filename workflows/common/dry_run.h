#pragma once
// --dry-run (issue "An operator's tool"): the run reads everything, validates, maps and looks the
// targets up as a real run does, but no write reaches PING or Primero, and the ledger it works on
// is an in-memory copy (refbridge::open_sqlite_ledger_snapshot; a missing ledger is not created).
// DryRunPing / DryRunPrimero wrap the real clients (generated Forwarding<Api>: every read passes
// through) and withhold each write, answering what the system would have answered so that the
// workflow goes on exactly as in a real run:
//   Primero createCase          -> the case with record id "dry-run-record-<n>", case_id "dry-run-case-<n>"
//   Primero updateCase          -> the case as sent, under the requested record id
//   Primero create/updateCaseReferral -> the referral as sent; listCaseReferrals then shows the
//                                  withheld status (2.2 reads the referral back after its PATCH)
//   PING ingestReferrals / ingestReferralDecisions -> transaction "dry-run-<n>", which
//                                  getIngestionTransaction answers as completed, every record accepted
//   PING updateTransferStatus / updateSyncStatus -> the status as sent
// Primero's login (createToken) and PING's OAuth2 token are not data writes and are sent.
// Every withheld write is kept in the DryRunJournal (ids and codes only: record ids, case ids,
// intervention ids, statuses, counts; never a name or free text), which the program prints.

#include "run_report.h"

#include "refbridge/ping/forwarding.h"
#include "refbridge/primero/forwarding.h"

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace refbridge::workflows {

/// One write a dry run did not send.
struct WithheldWrite {
  std::string system;     ///< "PING" | "Primero"
  std::string operation;  ///< the operationId, e.g. "createCase"
  std::string what;       ///< ids and codes, e.g. "case dry-run-case-1 for individual 989-00012345"
};

/// The writes a dry run withheld, in the order they were asked for. Thread-safe.
class DryRunJournal {
 public:
  void add(WithheldWrite write);
  [[nodiscard]] std::vector<WithheldWrite> writes() const;
  /// "Primero createCase" -> how many, ordered by system then operation.
  [[nodiscard]] std::map<std::string, std::size_t> counts() const;

 private:
  mutable std::mutex mutex_;
  std::vector<WithheldWrite> writes_;
};

/// PING with its writes withheld (see the file comment). `inner` and `journal` must outlive it.
class DryRunPing : public ping::ForwardingPing {
 public:
  DryRunPing(ping::Ping& inner, DryRunJournal& journal) : ForwardingPing(inner), journal_(journal) {}

  Result<ping::IngestionAccepted> ingest_referrals(const ping::IngestReferralsRequest& req) override;
  Result<ping::IngestionAccepted> ingest_referral_decisions(const ping::IngestReferralDecisionsRequest& req) override;
  Result<ping::IngestionTransaction> get_ingestion_transaction(const ping::GetIngestionTransactionRequest& req) override;
  Result<ping::TransferStatus> update_transfer_status(const ping::UpdateTransferStatusRequest& req) override;
  Result<ping::SyncStatus> update_sync_status(const ping::UpdateSyncStatusRequest& req) override;

 private:
  ping::IngestionAccepted withhold_ingestion(std::string operation, std::size_t records);

  DryRunJournal& journal_;
  std::mutex mutex_;
  std::map<std::string, std::size_t> transactions_;  // dry-run transaction id -> records submitted
};

/// Primero with its writes withheld (see the file comment). `inner` and `journal` must outlive it.
class DryRunPrimero : public primero::ForwardingPrimero {
 public:
  DryRunPrimero(primero::Primero& inner, DryRunJournal& journal) : ForwardingPrimero(inner), journal_(journal) {}

  Result<std::optional<primero::CaseEnvelope>> create_case(const primero::CreateCaseRequest& req) override;
  Result<primero::CaseEnvelope> update_case(const primero::UpdateCaseRequest& req) override;
  Result<primero::ReferralEnvelope> create_case_referral(const primero::CreateCaseReferralRequest& req) override;
  Result<primero::ReferralEnvelope> update_case_referral(const primero::UpdateCaseReferralRequest& req) override;
  Result<primero::ReferralList> list_case_referrals(const primero::ListCaseReferralsRequest& req) override;

 private:
  DryRunJournal& journal_;
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, refbridge::OpenEnum<primero::ReferralStatus>> statuses_;  // (case record id, referral id)
  std::atomic<std::uint64_t> created_{0};
};

/// One line per listed record of the dry run's report: "record <key>: would be delivered (action
/// created, case_id dry-run-case-1, ...)", "record <key>: would be rejected (<rule>: <reason>)".
std::string dry_run_records(const RunReport& report);

/// The dry run's closing lines: one per withheld write ("would <operation> in <system>: <what>"),
/// then "dry run: N writes withheld (<counts>); nothing was written to PING, Primero or the ledger".
std::string dry_run_summary(const DryRunJournal& journal);

}  // namespace refbridge::workflows
