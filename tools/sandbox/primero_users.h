#pragma once
// Primero users of the sandbox (primero-api-v2.md §7.1): the directory behind GET /api/v2/users
// and the recipients a referral may name (§6.3 item 3). Internal to the sandbox; see sandbox.h.
//
// Not thread-safe: its owner (PrimeroStore) calls it under its own mutex.

#include "support.h"

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace refbridge::sandbox::detail {

class UserDirectory {
 public:
  /// Members a user object may carry (§7.1, as listed by the sandbox); others are dropped on add.
  static const std::vector<std::string>& user_fields();

  /// The users every sandbox starts with: `api_user` (the caller of the API), `openfn_testing`
  /// (owner of the fixture case), `unhcr_cw@cpims-gambella.primero.org`, `unhcr_cw`, `tabide`
  /// and the CPIMS+ admin `cpims_admin` (e-mail cpims.admin@sandbox.invalid). Contact details are
  /// synthetic and clearly fake (".invalid" e-mail domain, "+000" phones): the nested user object
  /// of flow2_primeroReferraltoUNHCR.json is `primero_cp`, not one of these users.
  void seed_defaults(const std::string& api_user);

  /// Adds one user. `user` is an object with a non-empty string `user_name` (unique, compared
  /// case-insensitively as Primero does); `id` (a positive integer) is assigned when absent;
  /// `disabled` defaults to false; members outside user_fields() and null values are dropped.
  /// Returns the stored user, or an error text ("user_name ...", "id ...") naming the problem.
  /// `conflict` is set when the user_name or id is already taken.
  std::optional<rapidjson::Document> add(const rapidjson::Value& user, std::string& problem, bool& conflict);

  /// {"data":[user...], "metadata":{total, per, page, total_enabled}}: users ordered by id,
  /// filtered by the exact `user_name` when given; `page` >= 1, `per` >= 0 (already clamped).
  /// total_enabled counts the enabled users among the filtered ones.
  [[nodiscard]] std::string list_json(const std::optional<std::string>& user_name, long long page, long long per) const;

  /// {"data": user} of the user with integer id `id` (§7.2), or nullopt.
  [[nodiscard]] std::optional<std::string> user_json(std::int64_t id) const;

  /// GET /api/v2/users/refer-to (§6.8): {"data":[{id, user_name, code, position, location, agency,
  /// disabled, services}]} (only those keys, when the user has them; `agency` is the user's
  /// agency_unique_id) of the enabled users other than `caller`, in id order; each non-empty
  /// filter must match: `agency` the agency_unique_id, `location` exactly, `service` one of the
  /// user's services.
  [[nodiscard]] std::string refer_to_json(const std::string& caller, const std::string& agency, const std::string& location,
                                          const std::string& service) const;

  /// True when the user exists and is disabled.
  [[nodiscard]] bool is_disabled(const std::string& user_name) const;
  /// True when the user exists.
  [[nodiscard]] bool exists(const std::string& user_name) const;

 private:
  const rapidjson::Document* find(const std::string& user_name) const;

  std::vector<rapidjson::Document> users_;  ///< in id order of addition
  std::int64_t next_id_ = 1;
};

}  // namespace refbridge::sandbox::detail
