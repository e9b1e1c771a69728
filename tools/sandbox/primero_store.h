#pragma once
// Primero v2 state of the sandbox: cases (with subform merge by unique_id), their referrals,
// users, authentication by version (Basic always; ≤2.10 Bearer JWTs from POST /api/v2/tokens;
// 2.11+ session cookie + CSRF token, §2.1-§2.4; login throttle and lockout, §2.7), the
// instance's configuration (forms and lookups, primero_config.h) and the /api/v2 operations over
// that state. Internal to the sandbox; see sandbox.h and
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

#include "primero_config.h"
#include "primero_index.h"
#include "primero_referrals.h"
#include "primero_users.h"
#include "refbridge/error.h"
#include "support.h"

#include <rapidjson/document.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

namespace refbridge::sandbox::detail {

/// How one sandbox Primero behaves (see SandboxOptions for the public counterparts).
struct PrimeroSettings {
  std::string user = "primero_api";  ///< the one user that can authenticate (the API user)
  std::string password;              ///< empty = authentication disabled (any caller is `user`)
  int max_per = 1000;                ///< `per` is clamped to this (§4)
  std::string version = "2.15.2.1";  ///< what system_settings answers; picks the login mode (§2.1, §9)
  bool relaxed_login = false;        ///< test-only: no login throttle, no lockout (§2.7)
  bool millisecond_ranges = false;   ///< compatibility: date-time ranges at ms, not whole seconds (§5.1)
  std::shared_ptr<const PrimeroConfig> config;  ///< forms and lookups; nullptr = PrimeroConfig::stock()
};

/// "2.15.2.1" -> {2, 15}; nullopt unless it starts with two dot-separated numbers.
std::optional<std::pair<int, int>> parse_primero_version(std::string_view version);

class PrimeroStore {
 public:
  /// Seeds the default users (UserDirectory::seed_defaults) with settings.user as the API user.
  /// settings.version must parse (parse_primero_version); the caller checks it.
  explicit PrimeroStore(PrimeroSettings settings);

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
  /// GET /api/v2/users/{id} (§7.2): {"data": user} by integer id, or 404.
  ApiResponse get_user(const std::string& id, const ApiRequest& request);
  /// GET /api/v2/users/refer-to (§6.8): {"data":[{id, user_name, code, position, location, agency,
  /// disabled, services}]} (not paginated) of the enabled users other than the caller, filtered by
  /// `agency` (the user's agency), `location` and `service` (held in the user's services) when
  /// given; 422 ParameterMissing without `record_type`.
  ApiResponse refer_to_users(const ApiRequest& request, const std::string& caller);
  /// POST /api/v2/cases/referrals (§6.4): one referral per `data.ids` case, in order; no or empty
  /// ids -> {"data": []}; an unknown id -> 404 before anything is created; the first failing case
  /// answers its 422 with the earlier referrals kept (no transaction, as Primero).
  ApiResponse create_referrals_bulk(const ApiRequest& request, const std::string& caller);
  /// DELETE /api/v2/cases/{any}/referrals/{referral_id} (§6.6): status revoked from any state, the
  /// recipient removed from assigned_user_names unless still active elsewhere on the case; consent
  /// is re-checked (not can-receive). 200 with the view + `record` delta, 404, or 422.
  ApiResponse revoke_referral(const std::string& referral_id, const ApiRequest& request, const std::string& caller);
  /// GET /api/v2/forms (§5.5a), filtered by record_type and module_id when given.
  ApiResponse list_forms(const ApiRequest& request) const;
  /// GET /api/v2/lookups (§5.5a): paged as §4 (per default 20, at most max_per).
  ApiResponse list_lookups(const ApiRequest& request) const;
  /// 422 InvalidRecordJson when a referral's `service` is not an option of the services_section
  /// service_type field (its lookup); nullopt when it is absent, null or valid.
  std::optional<ApiResponse> check_referral_service(const rapidjson::Value& data, const std::string& resource) const;
  /// create_referral's work under mutex_.
  ApiResponse create_referral_locked(const std::string& record_id, const rapidjson::Value& data, const std::string& caller,
                                     const std::string& resource, const std::string& referral_id);
  /// `page` and `per` of a list request (§4: defaults 1 and 20, per clamped to max_per_), or the
  /// 500 answer Primero gives for page < 1.
  std::optional<ApiResponse> read_paging(const ApiRequest& request, long long& page, long long& per) const;
  /// The next last_updated_at stamp (see the file comment). Requires mutex_.
  std::string next_stamp();
  /// The stored referral with this id and its case, or {nullptr, nullptr}. Requires mutex_.
  std::pair<Case*, rapidjson::Document*> find_referral(const std::string& referral_id);

  /// The authenticated user name, or a 401 answer. `via_session` is set when a 2.11+ session
  /// cookie (not Basic) authenticated the request: non-GET requests then need the CSRF token.
  std::optional<std::string> authenticate(const ApiRequest& request, ApiResponse& unauthorized, bool* via_session = nullptr);
  /// 403 "Can't verify CSRF token authenticity." unless `request` carries the CSRF token of the
  /// session its cookie names (§2.4).
  std::optional<ApiResponse> check_csrf(const ApiRequest& request);
  /// POST /api/v2/tokens (§2.2): throttle (§2.7), then the ≤2.10 JWT or 2.11+ session login.
  ApiResponse login(const ApiRequest& request);
  /// DELETE /api/v2/tokens (§2.3).
  ApiResponse logout(const ApiRequest& request);
  /// GET /api/v2/primero (§2.5): bootstrap info; on 2.11+ also a session and CSRF-TOKEN cookie.
  ApiResponse bootstrap(const ApiRequest& request);
  /// 429 "Retry later" + Retry-After when `user_name` has logged in more than 6 times in this
  /// minute (Rack::Attack, §2.6/§2.7); counts the attempt. Requires auth_mutex_.
  std::optional<ApiResponse> throttle_login(const std::string& user_name);
  /// Checks the API user's password, with Devise lockable (§2.7): 6 consecutive failures lock the
  /// account for 30 minutes (a locked account fails even with the right password); a success
  /// resets the count. Requires auth_mutex_.
  bool check_password(const std::string& user_name, const std::string& password);
  /// The value of cookie `name` in a Cookie header, or empty.
  static std::string cookie_value(const std::string& header, std::string_view name);
  [[nodiscard]] bool session_mode() const;  ///< version >= 2.11
  ApiResponse list_cases(const ApiRequest& request);
  ApiResponse get_case(const std::string& id, const ApiRequest& request);
  ApiResponse patch_case(const std::string& id, const ApiRequest& request, const std::string& caller);
  ApiResponse disable_case(const std::string& id, const ApiRequest& request, const std::string& caller);
  std::string issue_token();
  bool known_field(const std::string& key) const;
  /// A POST/PATCH `data` after the configuration's rules (clean_case_data).
  CleanedRecord clean(const rapidjson::Value& data, bool check_id) const;

  /// A 2.11+ server session (§2.1, §2.4): anonymous after GET /api/v2/primero, a user's after login.
  struct Session {
    std::string user;  ///< empty until a login
    std::string csrf;
    Millis last_seen{};
  };

  std::string user_;
  std::string password_;
  int max_per_;
  std::string version_;
  std::pair<int, int> version_number_;
  bool relaxed_login_;
  bool millisecond_ranges_;
  std::shared_ptr<const PrimeroConfig> config_;
  /// Guards the cases, referrals, users, indexes and the write clock: shared by reads (GET),
  /// exclusive for writes, so that searches run in parallel (issue "Fast where it counts").
  mutable std::shared_mutex mutex_;
  /// Guards the authentication state below (tokens, sessions, login counts, lockout): every
  /// request touches it, so it is its own short lock, never held with mutex_.
  mutable std::mutex auth_mutex_;
  std::map<std::string, Case> cases_;              ///< by record id
  CaseIndex index_;                                ///< over cases_ (primero_index.h); updated after every case write
  std::map<std::string, Millis> tokens_;           ///< token -> expiry
  std::map<std::string, Session> sessions_;        ///< _app_session id -> session
  std::map<std::string, std::pair<long long, int>> login_counts_;  ///< user name -> (minute, logins in it)
  int failed_attempts_ = 0;                        ///< consecutive password failures of the API user
  Millis locked_until_{};                          ///< lockout end (§2.7)
  std::uint64_t next_seq_ = 1;
  std::map<std::string, std::string> case_ids_;       ///< case_id -> record id
  std::map<std::string, std::string> referral_cases_; ///< referral id -> record id
  UserDirectory users_;
  Millis last_stamp_{};
};

}  // namespace refbridge::sandbox::detail
