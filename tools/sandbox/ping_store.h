#pragma once
// PING state of the sandbox: interventions (with their transfer status and its history, and the
// Primero decisions ingested for them), individuals, languages and specific needs, seeded from
// flat proGres rows; the incoming referrals (ping_decisions.h) and ingestion transactions
// (ping_ingestion.h); and the PING HTTP operations over that state. Internal to the sandbox; see
// sandbox.h for the contract.

#include "ping_decisions.h"
#include "ping_http.h"
#include "ping_ingestion.h"
#include "sandbox.h"
#include "support.h"

#include <rapidjson/document.h>

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace refbridge::sandbox::detail {

class PingStore {
 public:
  /// `token` empty = no authentication; `ingestion_polls_to_complete` as in SandboxOptions.
  PingStore(std::string token, int ingestion_polls_to_complete);

  /// Adds the rows of one parsed document (`{"interventions":[...]}` or a bare array) to the
  /// store. Returns false (and adds a notice) when the document has another shape.
  bool seed_document(const rapidjson::Value& doc, std::string_view origin, SeedReport& report);
  /// Fills the entity counts of `report` from the store.
  void count_into(SeedReport& report) const;

  /// Answers one PING request (routes under /v1). Admin routes are handled by the caller.
  ApiResponse handle(const ApiRequest& request);
  /// Answers the admin routes of ingestion and incoming referrals (`seg` = decoded segments of a
  /// /_sandbox/... path): GET ping/incoming-referrals, GET ping/ingestions,
  /// POST ping/ingestion/fail-next?count=N (400 problem when count is not an integer 0..1000000).
  /// nullopt when `seg` is none of them.
  std::optional<ApiResponse> handle_admin(const ApiRequest& request, const std::vector<std::string>& seg);

  /// Stores one valid OutgoingReferralDecision (ingestReferralDecisions) on the intervention with
  /// its progres_interventionnumber: rejected "unknown-intervention" when none is held; duplicate
  /// when the intervention already holds a decision with the same (case_id, status,
  /// closure_reason) (null and absent closure_reason are the same); else accepted and appended.
  RecordOutcome apply_decision(const rapidjson::Value& record, const std::string& transaction_id, const std::string& at);
  /// Primero decisions recorded on an intervention, oldest first.
  std::vector<InterventionDecision> decisions(const std::string& intervention_id) const;

  /// The incoming referrals (decisions, sync status) served under /v1/referrals/incoming.
  IncomingStore& incoming() { return incoming_; }
  const IncomingStore& incoming() const { return incoming_; }
  /// The ingestion transactions served under /v1/ingestion.
  IngestionStore& ingestion() { return ingestion_; }
  const IngestionStore& ingestion() const { return ingestion_; }

  std::string dump_json() const;
  bool requeue(const std::string& intervention_id);
  std::optional<std::string> transfer_status(const std::string& intervention_id) const;
  std::vector<TransferUpdate> history(const std::string& intervention_id) const;
  std::vector<std::string> ordered_ids() const;

  /// An RFC 7807 problem answer (detail::problem()).
  static ApiResponse problem(int status, std::string_view detail, std::string_view instance) {
    return detail::problem(status, detail, instance);
  }

 private:
  struct Intervention {
    std::string id;
    std::string number;
    std::string individual_id;
    rapidjson::Document doc;  ///< intervention members (transfer members are added when rendered)
    std::string transfer_status = "pending";
    std::optional<std::string> primero_case_id;
    std::optional<std::string> primero_record_id;
    std::optional<std::string> reason;
    std::string modifiedon;
    std::vector<TransferUpdate> history;
    std::vector<InterventionDecision> decisions;  ///< ingested Primero decisions, oldest first
  };
  struct Individual {
    rapidjson::Document doc;
    std::vector<std::pair<std::string, rapidjson::Document>> languages;  ///< (dedup key, entry)
    std::vector<std::pair<std::string, rapidjson::Document>> needs;
  };

  void add_row(const rapidjson::Value& row, std::string_view origin, std::size_t index, SeedReport& report);
  void render_intervention(const Intervention& iv, rapidjson::Value& out, rapidjson::Document::AllocatorType& a,
                           bool with_history) const;
  ApiResponse list_outgoing(const ApiRequest& request);
  ApiResponse get_intervention(const std::string& id, const ApiRequest& request);
  ApiResponse patch_transfer_status(const std::string& id, const ApiRequest& request);
  ApiResponse get_individual(const std::string& id, const ApiRequest& request, int part);
  void apply_update(Intervention& iv, TransferUpdate update);

  std::string token_;
  mutable std::mutex mutex_;
  std::map<std::string, Intervention> interventions_;            ///< by progres_lpinterventionid
  std::map<std::string, std::string> id_by_number_;              ///< progres_interventionnumber -> id
  std::set<std::pair<std::string, std::string>> order_;          ///< (number, id), the listing order
  std::map<std::string, Individual> individuals_;                ///< by progres_id
  IncomingStore incoming_;    ///< own lock; never called with mutex_ held
  IngestionStore ingestion_;  ///< own lock, taken before incoming_'s and mutex_ (sinks)
};

}  // namespace refbridge::sandbox::detail
