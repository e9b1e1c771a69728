#pragma once
// PING incoming referrals of the sandbox: progres_interoperabilityreferral records (referrals that
// came from Primero, with proGres' review decision; openfn-primero-progres.md §7) and their
// synchronisation status towards Primero. Serves listReferralDecisions, getReferralDecision and
// updateSyncStatus of schemas/ping/openapi.yaml, and stores the referrals accepted by
// ingestReferrals. Internal to the sandbox; see sandbox.h.
//
// A record is identified by progres_interoperabilityreferralid (GUID) and correlated with Primero
// by progres_orgreferralid ("<case_id>#<12-character service suffix>", unique in the store).
// Documents keep their member names exactly as given (misspellings included); the sandbox's own
// bookkeeping (syncStatus, history, the ingested payload) is kept beside the document.

#include "ping_http.h"
#include "ping_ingestion.h"
#include "sandbox.h"

#include <rapidjson/document.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace refbridge::sandbox::detail {

/// The incoming referrals held by the PING server. Thread-safe.
class IncomingStore {
 public:
  /// Reads `names` from `dir` (each `{"interventions":[InteroperabilityReferral...]}`) as
  /// Sandbox::seed_ping_decisions_from_fixtures() describes. Errors: kIo when `dir` is not a directory.
  refbridge::Result<DecisionSeedReport> seed_files(const std::filesystem::path& dir, const std::vector<std::string>& names);
  /// Adds or merges the records of one parsed `{"interventions":[...]}` document. Returns false
  /// (and adds a notice) when the document has another shape.
  bool seed_document(const rapidjson::Value& doc, std::string_view origin, DecisionSeedReport& report);
  /// Adds or merges one InteroperabilityReferral object; returns its progres_interoperabilityreferralid.
  /// Notices ("<origin>: record <index>: ...") go to `notices`.
  std::string upsert(const rapidjson::Value& record, std::string_view origin, std::size_t index, std::vector<std::string>& notices);
  /// Fills the totals of `report` (incoming_referrals, decisions).
  void count_into(DecisionSeedReport& report) const;

  /// Stores one valid IncomingReferral (ingestReferrals): a new record (name-based GUID,
  /// progres_interoperabilityreferralnumber "REF-IOP-SBX-<9 digits>", no decision) or, when a record
  /// with progres_orgreferralid == record.id exists, a link to it. Identical content already
  /// ingested -> duplicate; otherwise accepted (a changed re-submission replaces the payload).
  RecordOutcome ingest_referral(const rapidjson::Value& record, const std::string& transaction_id, const std::string& at);
  /// Records proGres' decision on the referral with `org_referral_id` (see
  /// Sandbox::decide_incoming_referral); returns its id, or nullopt when no such referral is held.
  std::optional<std::string> decide(const std::string& org_referral_id, const std::string& review_decision_code,
                                    const std::optional<std::string>& reason_code, const std::optional<std::string>& comment);

  /// Answers GET /v1/referrals/incoming/decisions, GET /v1/referrals/incoming/{id} and
  /// PATCH /v1/referrals/incoming/{id}/sync-status. `seg` = decoded path segments ("v1",
  /// "referrals", "incoming", ...).
  ApiResponse handle(const ApiRequest& request, const std::vector<std::string>& seg);

  /// Sandbox::ping_incoming_referrals_json(): every record, oldest first, with its sync history
  /// and ingested payload (personal data: for the demo's files, never for logs).
  std::string dump_json() const;
  /// Current syncStatus of the record with this progres_interoperabilityreferralid, if held.
  std::optional<std::string> sync_status(const std::string& referral_id) const;
  /// Every syncStatus change of the record, oldest first (empty for an unknown id).
  std::vector<SyncUpdate> history(const std::string& referral_id) const;
  /// The progres_interoperabilityreferralid of the record with this progres_orgreferralid.
  std::optional<std::string> id_for_org_referral(const std::string& org_referral_id) const;

 private:
  struct Referral {
    std::string id;
    PageKey key;              ///< (creation sequence, id): the listing order, oldest first
    rapidjson::Document doc;  ///< InteroperabilityReferral members as given
    std::string sync_status = "pending";
    std::optional<std::string> primero_referral_id;
    std::optional<std::string> reason;
    std::string modifiedon;
    std::vector<SyncUpdate> history;
    rapidjson::Document ingested;  ///< the IncomingReferral ingested for it (null: none)
    std::string ingestion_transaction_id;
  };

  Referral& create(const std::string& id, const std::string& at);
  bool merge(Referral& r, const rapidjson::Value& record);
  void set_sync(Referral& r, SyncUpdate update);
  void note_members(const rapidjson::Value& record, const std::string& where, std::vector<std::string>& notices) const;
  bool has_decision(const Referral& r) const;
  void render(const Referral& r, rapidjson::Value& out, Alloc& a, bool for_dump) const;
  ApiResponse list_decisions(const ApiRequest& request);
  ApiResponse get_referral(const std::string& id, const ApiRequest& request);
  ApiResponse patch_sync_status(const std::string& id, const ApiRequest& request);

  mutable std::mutex mutex_;
  std::map<std::string, Referral> referrals_;        ///< by progres_interoperabilityreferralid
  std::map<std::string, std::string> id_by_org_;     ///< progres_orgreferralid -> id
  std::set<PageKey> order_;                          ///< listing order
  std::uint64_t sequence_ = 0;                       ///< creation counter (order key)
  int ingested_numbers_ = 0;                         ///< REF-IOP-SBX-<n> counter
};

}  // namespace refbridge::sandbox::detail
