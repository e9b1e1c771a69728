#pragma once
// PING state of the sandbox: interventions (with their transfer status and its history),
// individuals, languages and specific needs, seeded from flat proGres rows; and the PING HTTP
// operations over that state. Internal to the sandbox; see sandbox.h for the contract.

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
  /// `token` empty = no authentication.
  explicit PingStore(std::string token) : token_(std::move(token)) {}

  /// Adds the rows of one parsed document (`{"interventions":[...]}` or a bare array) to the
  /// store. Returns false (and adds a notice) when the document has another shape.
  bool seed_document(const rapidjson::Value& doc, std::string_view origin, SeedReport& report);
  /// Fills the entity counts of `report` from the store.
  void count_into(SeedReport& report) const;

  /// Answers one PING request (routes under /v1). Admin routes are handled by the caller.
  ApiResponse handle(const ApiRequest& request);

  std::string dump_json() const;
  bool requeue(const std::string& intervention_id);
  std::optional<std::string> transfer_status(const std::string& intervention_id) const;
  std::vector<TransferUpdate> history(const std::string& intervention_id) const;
  std::vector<std::string> ordered_ids() const;

  /// An RFC 7807 problem answer.
  static ApiResponse problem(int status, std::string_view detail, std::string_view instance);

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
};

}  // namespace refbridge::sandbox::detail
