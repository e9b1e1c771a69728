#pragma once
// Primero referrals (transitions of type "Referral") of the sandbox: the object of
// primero-api-v2.md §6.1, its creation (§6.3), its validation (consent, recipient) and the status
// transitions of §6.5 / §6.7 with their side effects on the case. Pure functions over RapidJSON
// values: PrimeroStore owns the state, the locking and the HTTP routing. Internal to the sandbox.

#include "primero_users.h"
#include "support.h"

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace refbridge::sandbox::detail {

/// One RecordInvalid failure (§3): `detail` is the attribute ("consent", "transitioned_to"),
/// `message` the single message of its array ("transition.errors.consent", "can't be blank").
struct RecordInvalid {
  std::string detail;
  std::string message;
};

/// Where a new referral comes from: everything §6.3 takes from outside the request body.
struct ReferralOrigin {
  std::string id;          ///< the new referral id (lower-case UUID)
  std::string record_id;   ///< the case record id (`id`, not `case_id`)
  std::string caller;      ///< transitioned_by
  std::string created_at;  ///< UTC "YYYY-MM-DDTHH:MM:SS.mmmZ"
};

/// Keys of a POST .../referrals `data` object that Primero accepts (§6.3); others are ignored.
const std::vector<std::string>& referral_request_keys();

/// Keys the server computes for each viewer (§6.1); never stored.
const std::vector<std::string>& referral_computed_keys();

/// The stored referral for a POST `data` object on case `case_doc` (§6.1, §6.3): the accepted
/// keys (nulls dropped; `remote`, `consent_overridden`, `allow_case_creation` as booleans, default
/// false), type "Referral", status "in_progress", record_type "case", the ownership snapshot
/// (`record_owned_by`, `record_owned_by_agency`, `record_owned_by_groups` when the case has them)
/// and `consent_individual_transfer: false`. Computed keys are not stored.
rapidjson::Document new_referral(const rapidjson::Value& data, const rapidjson::Value& case_doc, const ReferralOrigin& origin);

/// What saving `referral` on `case_doc` violates (§6.3 items 1-3, re-checked on every save, item 5):
/// consent (CP and non-GBV modules: disclosure_other_orgs and consent_for_services true; GBV:
/// consent_for_services; skipped when consent_overridden), transitioned_to blank when not remote,
/// and a recipient that is known and disabled or is the referring user ("to_user_can_receive").
/// A recipient unknown to `users` is accepted (the real server's 500 is a code reading, §11).
/// `check_recipient` false: consent only (a revoke skips the can-receive check, §6.6).
std::vector<RecordInvalid> validate_referral(const rapidjson::Value& referral, const rapidjson::Value& case_doc,
                                             const UserDirectory& users, bool check_recipient = true);

/// The 422 RecordInvalid envelope (§3): one error object per failure, `message` an array.
ApiResponse record_invalid(std::string_view resource, const std::vector<RecordInvalid>& failures);

/// The status a PATCH requesting `requested` moves a referral in `current` to (§6.5):
/// in_progress -> accepted | rejected, accepted -> done; nullopt for anything else (a no-op).
std::optional<std::string> referral_transition(std::string_view current, std::string_view requested);

/// True when `referral` is an internal referral to `user_name` still in_progress or accepted.
bool is_active_referral_to(const rapidjson::Value& referral, const std::string& user_name);

/// Side effects of a created referral on its case (§6.3): the linked services_section row
/// (unique_id == service_record_id) gets service_status_referred true; an internal referral adds
/// transitioned_to to assigned_user_names. The caller re-derives associated_user_names.
void apply_referral_created(rapidjson::Value& case_doc, Alloc& case_alloc, const rapidjson::Value& referral);

/// Moves `referral` to `to_status` (a value returned by referral_transition) at `now` (UTC ms
/// text) with the PATCH `data` (§6.5): accepted/rejected set responded_at; rejected stores a
/// string rejected_reason; done stores a string rejection_note, copies it to the linked row's
/// note_on_referral_from_provider and marks the row implemented (service_implemented_day_time =
/// now when empty). Rejected and done remove the recipient from assigned_user_names unless
/// `recipient_still_active` (another active referral to them on the case).
void apply_referral_transition(rapidjson::Value& referral, Alloc& referral_alloc, rapidjson::Value& case_doc,
                               Alloc& case_alloc, const std::string& to_status, const rapidjson::Value& data,
                               const std::string& now, bool recipient_still_active);

/// Revokes `referral` (§6.6): status revoked from any state; the recipient leaves
/// assigned_user_names unless `recipient_still_active` (or the referral is remote).
void apply_referral_revoked(rapidjson::Value& referral, Alloc& referral_alloc, rapidjson::Value& case_doc,
                            bool recipient_still_active);

/// The referral as the API answers it to `viewer` (§6.1): nulls removed, plus
/// record_access_denied (false: the sandbox user reads every case) and user_can_accept_or_reject
/// (viewer is transitioned_to, status in_progress, not remote).
rapidjson::Value referral_view(const rapidjson::Value& referral, const std::string& viewer, Alloc& a);

}  // namespace refbridge::sandbox::detail
