#pragma once
// Primero v2 state of the sandbox: cases (with subform merge by unique_id), their referrals,
// users, authentication (Basic and ≤2.10-style Bearer tokens from POST /api/v2/tokens) and the
// /api/v2 operations over that state. Internal to the sandbox; see sandbox.h and
// primero-api-v2.md §1-§7, §10.
//
// The members are defined by concept: primero_http.cc (routing, constructor, error envelope),
// primero_auth.cc (authentication, login), primero_cases.cc (case endpoints, the write clock),
// primero_query.cc (case list), primero_referral_endpoints.cc (referral endpoints),
// primero_store.cc (users, fixture import, dumps, decide_service); free helpers in
// primero_fields.h (field-type tables, validation), primero_merge.h (merge, derive, delta),
// primero_query.h and primero_http.h.
//
// Every server-side write (case create, PATCH, DELETE, referral create and PATCH) stamps the case
// with last_updated_at from one strictly increasing UTC millisecond clock: max(now, previous + 1 ms),
// so two writes in the same millisecond still get different, increasing values and a reader
// paging with `last_updated_at=<cursor>..` cannot miss a write. Writes faster than one per
// millisecond (bulk synthetic seeding) run the stamps ahead of the wall clock by at most one
// millisecond per write.

#include "primero_referrals.h"
#include "primero_users.h"
#include "refbridge/error.h"
#include "support.h"

#include <rapidjson/document.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace refbridge::sandbox::detail {

class PrimeroStore {
 public:
  /// `password` empty = authentication disabled. `max_per` caps `per`.
  /// Also seeds the default users (UserDirectory::seed_defaults) with `user` as the API user.
  PrimeroStore(std::string user, std::string password, int max_per);

  /// Answers one request under the Primero server.
  ApiResponse handle(const ApiRequest& request);

  /// POST /api/v2/cases semantics for `data` (the object under "data"), as `caller`.
  /// Fills `out` with the answer (200 with the case, 204, 409 or 422).
  ApiResponse create_case(const rapidjson::Value& data, const std::string& caller, const std::string& resource);

  std::string dump_json() const;
  std::optional<std::string> case_json(const std::string& id) const;
  std::size_t count() const;

  /// Primero error envelope {"errors":[{status,resource,message}]}.
  static ApiResponse error(int status, std::string_view resource, std::string_view message);

  // ---- Primero referrals, users, seeding ----
  /// POST /api/v2/cases/{record_id}/referrals semantics (§6.3) for `data` (the object under
  /// "data"), as `caller`: 200 with the referral view + `record` delta, 404, or 422 RecordInvalid.
  /// `referral_id` empty = a random UUID (the API's behaviour); synthetic seeding passes its own.
  ApiResponse create_referral(const std::string& record_id, const rapidjson::Value& data, const std::string& caller,
                              const std::string& resource, const std::string& referral_id = {});
  /// Inserts a case exactly as another Primero stored it (a fixture): keeps id, case_id,
  /// created_at, last_updated_at and every other member (derived members recomputed). Returns
  /// false with `problem` set ("no string id", "id exists", "case_id exists").
  bool import_case(const rapidjson::Value& record, std::string& problem);
  /// Attaches a stored referral (a fixture) to the case named by its `record_id`, keeping its id,
  /// status and created_at; computed keys are dropped; no side effect on the case. Returns false
  /// with `problem` set ("no string id", "unknown record_id", "id exists").
  bool import_referral(const rapidjson::Value& referral, std::string& problem);
  /// {"data":[referral...]} of one case as the API user sees them, oldest first, indented; nullopt
  /// for an unknown case.
  std::optional<std::string> referrals_json(const std::string& record_id) const;
  /// Status of one referral of one case; nullopt when either is unknown or they do not match.
  std::optional<std::string> referral_status(const std::string& record_id, const std::string& referral_id) const;
  /// Adds a user (UserDirectory::add); returns the stored user as JSON text.
  /// Errors: kInvalidInput for a malformed user, kConflict for a taken user_name or id.
  refbridge::Result<std::string> add_user(const rapidjson::Value& user);
  /// A caseworker's decision on a proGres referral (the demo's step between 1.1 and 1.2): PATCHes,
  /// as the API user and with Primero's merge semantics, the services_section row whose
  /// progres_interventionnumber is `intervention_number`: unhcr_referral_status = `status`
  /// ("accepted" | "rejected") and, when given, unhcr_referral_rejection_reason = `reason`.
  /// Answers the PATCH's answer; 404 when no case holds that intervention number, 422 for
  /// another status.
  ApiResponse decide_service(const std::string& intervention_number, const std::string& status,
                             const std::string& reason);

 private:
  struct Case {
    rapidjson::Document doc;
    std::uint64_t seq = 0;  ///< creation order
    std::vector<rapidjson::Document> referrals;  ///< stored referral objects (no computed keys)
  };

  /// GET /api/v2/cases/{record_id}/referrals (§6.2): {"data":[view...]} (not paginated) or 404.
  ApiResponse list_referrals(const std::string& record_id, const ApiRequest& request, const std::string& caller);
  /// PATCH /api/v2/cases/{any}/referrals/{referral_id} (§6.5): 200 with the view + `record` delta
  /// (also for a no-op, which leaves the case untouched), 404, or 422 (no data, revalidation).
  ApiResponse update_referral(const std::string& referral_id, const ApiRequest& request, const std::string& caller);
  /// GET /api/v2/users (§7.1): paging and the exact user_name filter.
  ApiResponse list_users(const ApiRequest& request);
  /// `page` and `per` of a list request (§4: defaults 1 and 20, per clamped to max_per_), or the
  /// 500 answer Primero gives for page < 1.
  std::optional<ApiResponse> read_paging(const ApiRequest& request, long long& page, long long& per) const;
  /// The next last_updated_at stamp (see the file comment). Requires mutex_.
  std::string next_stamp();
  /// The stored referral with this id and its case, or {nullptr, nullptr}. Requires mutex_.
  std::pair<Case*, rapidjson::Document*> find_referral(const std::string& referral_id);

  /// The authenticated user name, or a 401 answer.
  std::optional<std::string> authenticate(const ApiRequest& request, ApiResponse& unauthorized);
  ApiResponse login(const ApiRequest& request);
  ApiResponse list_cases(const ApiRequest& request);
  ApiResponse get_case(const std::string& id, const ApiRequest& request);
  ApiResponse patch_case(const std::string& id, const ApiRequest& request, const std::string& caller);
  ApiResponse disable_case(const std::string& id, const ApiRequest& request, const std::string& caller);
  std::string issue_token();
  bool known_field(const std::string& key) const;

  std::string user_;
  std::string password_;
  int max_per_;
  mutable std::mutex mutex_;
  std::map<std::string, Case> cases_;              ///< by record id
  std::map<std::string, Millis> tokens_;           ///< token -> expiry
  std::uint64_t next_seq_ = 1;
  std::map<std::string, std::string> case_ids_;       ///< case_id -> record id
  std::map<std::string, std::string> referral_cases_; ///< referral id -> record id
  UserDirectory users_;
  Millis last_stamp_{};
};

}  // namespace refbridge::sandbox::detail
