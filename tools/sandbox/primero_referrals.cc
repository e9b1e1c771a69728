// Primero referrals of the sandbox. See primero_referrals.h and primero-api-v2.md §6.
#include "primero_referrals.h"

#include <algorithm>

namespace refbridge::sandbox::detail {

namespace {

constexpr std::string_view kInProgress = "in_progress";
constexpr std::string_view kAccepted = "accepted";
constexpr std::string_view kRejected = "rejected";
constexpr std::string_view kDone = "done";

/// Request keys read as booleans (Rails casts "true"/"false" strings too).
const std::vector<std::string> kBoolRequestKeys = {"remote", "consent_overridden", "allow_case_creation"};

std::optional<bool> as_bool(const rapidjson::Value& v) {
  if (v.IsBool()) return v.GetBool();
  if (v.IsString()) {
    const std::string_view s(v.GetString(), v.GetStringLength());
    if (s == "true") return true;
    if (s == "false") return false;
  }
  return std::nullopt;
}

bool bool_member(const rapidjson::Value& obj, std::string_view key) {
  const auto* v = find_member(obj, key);
  return v != nullptr && v->IsBool() && v->GetBool();
}

/// The services_section row whose unique_id is `unique_id`, or nullptr (also for an empty id).
rapidjson::Value* service_row(rapidjson::Value& case_doc, const std::optional<std::string>& unique_id) {
  if (!unique_id || unique_id->empty()) return nullptr;
  auto* rows = find_member(case_doc, "services_section");
  if (rows == nullptr || !rows->IsArray()) return nullptr;
  for (auto& row : rows->GetArray()) {
    if (string_member(row, "unique_id") == unique_id) return &row;
  }
  return nullptr;
}

/// Adds `name` to the string array `key` of `obj` (created when absent) unless it is there.
void add_name(rapidjson::Value& obj, std::string_view key, const std::string& name, Alloc& a) {
  auto* arr = find_member(obj, key);
  if (arr == nullptr || !arr->IsArray()) {
    set_member(obj, key, rapidjson::Value(rapidjson::kArrayType), a);
    arr = find_member(obj, key);
  }
  const bool present = std::any_of(arr->Begin(), arr->End(), [&](const rapidjson::Value& v) {
    return v.IsString() && name == std::string_view(v.GetString(), v.GetStringLength());
  });
  if (!present) arr->PushBack(str_value(name, a), a);
}

/// Removes every `name` from the string array `key` of `obj`.
void remove_name(rapidjson::Value& obj, std::string_view key, const std::string& name) {
  auto* arr = find_member(obj, key);
  if (arr == nullptr || !arr->IsArray()) return;
  for (auto it = arr->Begin(); it != arr->End();) {
    if (it->IsString() && name == std::string_view(it->GetString(), it->GetStringLength())) {
      it = arr->Erase(it);
    } else {
      ++it;
    }
  }
}

/// Copies the string member `key` of `data` onto `referral` (null or non-string: unchanged).
void copy_string(rapidjson::Value& referral, const rapidjson::Value& data, std::string_view key, Alloc& a) {
  if (auto s = string_member(data, key)) set_member(referral, key, str_value(*s, a), a);
}

}  // namespace

const std::vector<std::string>& referral_request_keys() {
  static const std::vector<std::string> keys = {"transitioned_to", "transitioned_to_remote", "transitioned_to_agency",
                                                "service",         "service_record_id",      "remote",
                                                "type_of_export",  "notes",                  "consent_overridden",
                                                "authorized_role_unique_id", "allow_case_creation"};
  return keys;
}

const std::vector<std::string>& referral_computed_keys() {
  static const std::vector<std::string> keys = {"record_access_denied", "user_can_accept_or_reject", "record"};
  return keys;
}

rapidjson::Document new_referral(const rapidjson::Value& data, const rapidjson::Value& case_doc, const ReferralOrigin& origin) {
  rapidjson::Document r(rapidjson::kObjectType);
  auto& a = r.GetAllocator();
  r.AddMember("id", str_value(origin.id, a), a);
  r.AddMember("type", "Referral", a);
  r.AddMember("status", str_value(kInProgress, a), a);
  r.AddMember("record_id", str_value(origin.record_id, a), a);
  r.AddMember("record_type", "case", a);
  r.AddMember("transitioned_by", str_value(origin.caller, a), a);
  for (const auto& key : referral_request_keys()) {
    const auto* v = find_member(data, key);
    if (v == nullptr || v->IsNull()) continue;
    if (std::find(kBoolRequestKeys.begin(), kBoolRequestKeys.end(), key) != kBoolRequestKeys.end()) {
      if (auto b = as_bool(*v)) r.AddMember(str_value(key, a), rapidjson::Value(*b), a);
      continue;
    }
    r.AddMember(str_value(key, a), rapidjson::Value(*v, a), a);
  }
  for (const char* key : {"remote", "consent_overridden", "allow_case_creation"}) {
    if (find_member(r, key) == nullptr) r.AddMember(rapidjson::StringRef(key), false, a);
  }
  r.AddMember("consent_individual_transfer", false, a);
  const std::pair<const char*, const char*> snapshot[] = {{"owned_by", "record_owned_by"},
                                                          {"owned_by_agency_id", "record_owned_by_agency"},
                                                          {"owned_by_groups", "record_owned_by_groups"}};
  for (const auto& [from, to] : snapshot) {
    const auto* v = find_member(case_doc, from);
    if (v != nullptr && !v->IsNull()) r.AddMember(rapidjson::StringRef(to), rapidjson::Value(*v, a), a);
  }
  r.AddMember("created_at", str_value(origin.created_at, a), a);
  return r;
}

std::vector<RecordInvalid> validate_referral(const rapidjson::Value& referral, const rapidjson::Value& case_doc,
                                             const UserDirectory& users, bool check_recipient) {
  std::vector<RecordInvalid> failures;
  if (!bool_member(referral, "consent_overridden")) {
    const bool gbv = string_member(case_doc, "module_id") == std::optional<std::string>("primeromodule-gbv");
    const bool consent = bool_member(case_doc, "consent_for_services") &&
                         (gbv || bool_member(case_doc, "disclosure_other_orgs"));
    if (!consent) failures.push_back({"consent", "transition.errors.consent"});
  }
  if (check_recipient && !bool_member(referral, "remote")) {
    const auto to = string_member(referral, "transitioned_to");
    if (!to || to->empty()) {
      failures.push_back({"transitioned_to", "can't be blank"});
    } else if (users.is_disabled(*to) || (users.exists(*to) && string_member(referral, "transitioned_by") == to)) {
      failures.push_back({"transitioned_to", "transition.errors.to_user_can_receive"});
    }
  }
  return failures;
}

ApiResponse record_invalid(std::string_view resource, const std::vector<RecordInvalid>& failures) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value errors(rapidjson::kArrayType);
  for (const auto& f : failures) {
    rapidjson::Value err(rapidjson::kObjectType);
    err.AddMember("status", 422, a);
    err.AddMember("resource", str_value(resource, a), a);
    err.AddMember("detail", str_value(f.detail, a), a);
    rapidjson::Value message(rapidjson::kArrayType);
    message.PushBack(str_value(f.message, a), a);
    err.AddMember("message", message, a);
    errors.PushBack(err, a);
  }
  d.AddMember("errors", errors, a);
  ApiResponse r;
  r.status = 422;
  r.body = to_json(d);
  return r;
}

std::optional<std::string> referral_transition(std::string_view current, std::string_view requested) {
  if (current == kInProgress && (requested == kAccepted || requested == kRejected)) return std::string(requested);
  if (current == kAccepted && requested == kDone) return std::string(requested);
  return std::nullopt;
}

bool is_active_referral_to(const rapidjson::Value& referral, const std::string& user_name) {
  if (bool_member(referral, "remote") || string_member(referral, "transitioned_to") != user_name) return false;
  const auto status = string_member(referral, "status").value_or("");
  return status == kInProgress || status == kAccepted;
}

void apply_referral_created(rapidjson::Value& case_doc, Alloc& case_alloc, const rapidjson::Value& referral) {
  if (auto* row = service_row(case_doc, string_member(referral, "service_record_id"))) {
    set_member(*row, "service_status_referred", rapidjson::Value(true), case_alloc);
  }
  if (bool_member(referral, "remote")) return;
  if (auto to = string_member(referral, "transitioned_to"); to && !to->empty()) {
    add_name(case_doc, "assigned_user_names", *to, case_alloc);
  }
}

void apply_referral_transition(rapidjson::Value& referral, Alloc& referral_alloc, rapidjson::Value& case_doc,
                               Alloc& case_alloc, const std::string& to_status, const rapidjson::Value& data,
                               const std::string& now, bool recipient_still_active) {
  set_member(referral, "status", str_value(to_status, referral_alloc), referral_alloc);
  if (to_status == kAccepted || to_status == kRejected) {
    set_member(referral, "responded_at", str_value(now, referral_alloc), referral_alloc);
  }
  if (to_status == kRejected) copy_string(referral, data, "rejected_reason", referral_alloc);
  if (to_status == kDone) {
    copy_string(referral, data, "rejection_note", referral_alloc);
    if (auto* row = service_row(case_doc, string_member(referral, "service_record_id"))) {
      set_member(*row, "service_implemented", str_value("implemented", case_alloc), case_alloc);
      const auto done_at = string_member(*row, "service_implemented_day_time");
      if (!done_at || done_at->empty()) set_member(*row, "service_implemented_day_time", str_value(now, case_alloc), case_alloc);
      if (auto note = string_member(data, "rejection_note")) {
        set_member(*row, "note_on_referral_from_provider", str_value(*note, case_alloc), case_alloc);
      }
    }
  }
  if ((to_status == kRejected || to_status == kDone) && !recipient_still_active && !bool_member(referral, "remote")) {
    if (auto to = string_member(referral, "transitioned_to")) remove_name(case_doc, "assigned_user_names", *to);
  }
}

void apply_referral_revoked(rapidjson::Value& referral, Alloc& referral_alloc, rapidjson::Value& case_doc,
                            bool recipient_still_active) {
  set_member(referral, "status", str_value("revoked", referral_alloc), referral_alloc);
  if (!recipient_still_active && !bool_member(referral, "remote")) {
    if (auto to = string_member(referral, "transitioned_to")) remove_name(case_doc, "assigned_user_names", *to);
  }
}

rapidjson::Value referral_view(const rapidjson::Value& referral, const std::string& viewer, Alloc& a) {
  rapidjson::Value out(rapidjson::kObjectType);
  for (auto m = referral.MemberBegin(); m != referral.MemberEnd(); ++m) {
    if (m->value.IsNull()) continue;
    out.AddMember(rapidjson::Value(m->name, a), rapidjson::Value(m->value, a), a);
  }
  const bool can_answer = string_member(referral, "transitioned_to") == viewer &&
                          string_member(referral, "status") == std::optional<std::string>(std::string(kInProgress)) &&
                          !bool_member(referral, "remote");
  out.AddMember("record_access_denied", false, a);
  out.AddMember("user_can_accept_or_reject", can_answer, a);
  return out;
}

}  // namespace refbridge::sandbox::detail
