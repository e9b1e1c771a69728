// Primero case field-type tables and record validation (InvalidRecordJson). See primero_fields.h.
#include "primero_fields.h"

#include "primero_http.h"

#include <algorithm>

namespace refbridge::sandbox::detail {

// Field groups used for type validation (primero-api-v2.md §5.6; services_section rows §5.6).
const std::set<std::string, std::less<>> kIntegerFields = {"age"};
const std::set<std::string, std::less<>> kDateFields = {"date_of_birth", "registration_date", "date_closure"};
const std::set<std::string, std::less<>> kBoolFields = {"record_state", "estimated", "consent_for_services",
                                                        "disclosure_other_orgs", "hidden_name", "case_status_reopened"};
const std::set<std::string, std::less<>> kStringArrayFields = {"language", "nationality", "ethnicity", "religion",
                                                               "protection_concerns", "assigned_user_names"};
const std::set<std::string, std::less<>> kIdentifierFields = {
    "unique_identifier", "short_id", "case_id_display", "case_id", "client_code", "ration_card_no", "icrc_ref_no",
    "rc_id_no", "unhcr_id_no", "unhcr_individual_no", "un_no", "other_agency_id", "survivor_code_no", "national_id_no",
    "other_id_no", "biometrics_id", "family_count_no", "dss_id", "camp_id", "tent_number", "nfi_distribution_id",
    "oscar_number", "registry_no", "family_number", "cpims_id"};
const std::set<std::string, std::less<>> kStringFields = {"name", "name_first", "name_middle", "name_last", "name_nickname",
                                                          "name_other", "sex", "owned_by", "module_id", "status",
                                                          "workflow", "risk_level"};
const std::set<std::string, std::less<>> kStatusValues = {"open", "closed", "transferred", "identified"};
const std::set<std::string, std::less<>> kRowDateFields = {"service_appointment_date"};
const std::set<std::string, std::less<>> kRowDateTimeFields = {"service_response_day_time", "service_implemented_day_time"};
const std::set<std::string, std::less<>> kRowBoolFields = {"service_request_external", "service_status_referred",
                                                           "service_external_referral"};
/// Server-maintained members a client cannot write (dropped, as Primero drops unpermitted keys).
const std::set<std::string, std::less<>> kReadOnly = {
    "enabled", "created_at", "created_by", "created_organization", "last_updated_at", "last_updated_by", "short_id",
    "case_id_display", "associated_user_names", "posted_at", "record_in_scope", "flag_count", "alert_count"};
/// Fields a role can read in the default CP configuration (filters on them are honoured even when
/// no case holds them; filters on other keys held by no case are ignored).
const std::set<std::string, std::less<>> kAlwaysFilterable = {
    "record_state", "status", "workflow", "sex", "age", "registration_date", "created_at", "last_updated_at", "owned_by",
    "owned_by_agency_id", "assigned_user_names", "associated_user_names", "created_by", "owned_by_groups", "date_closure",
    "location_current", "module_id", "name", "name_first", "name_last", "date_of_birth", "risk_level", "nationality",
    "language", "protection_concerns", "consent_for_services", "disclosure_other_orgs"};
const std::set<std::string, std::less<>> kNonFilterParams = {"page", "per", "order_by", "order", "fields", "query",
                                                             "id_search", "phonetic", "phone_number", "locale", "format",
                                                             "or", "not"};
const std::vector<std::string> kShortFields = {
    "created_at", "owned_by", "owned_by_agency_id", "photos", "flag_count", "status", "record_in_scope", "short_id",
    "alert_count", "case_id_display", "name", "survivor_code_no", "age", "sex", "registration_date", "hidden_name",
    "workflow", "case_status_reopened", "module_id", "registry_record_id", "client_code", "gender",
    "reporting_location_hierarchy", "location_current", "photo"};

std::string pointer_escape(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool is_object_array(const rapidjson::Value& v) {
  if (!v.IsArray() || v.Empty()) return false;
  return std::all_of(v.Begin(), v.End(), [](const rapidjson::Value& e) { return e.IsObject(); });
}

bool is_date(const rapidjson::Value& v, bool check_future_year) {
  if (!v.IsString()) return false;
  auto year = parse_calendar_date(std::string_view(v.GetString(), v.GetStringLength()));
  if (!year) return false;
  if (check_future_year) {
    const auto this_year = static_cast<int>(std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(now_ms())).year());
    if (*year > this_year) return false;
  }
  return true;
}

bool is_date_time(const rapidjson::Value& v) {
  return v.IsString() && parse_date_time(std::string_view(v.GetString(), v.GetStringLength()), false).has_value();
}

namespace {

void validate_row(const rapidjson::Value& row, const std::string& at, std::vector<std::string>& bad) {
  for (auto m = row.MemberBegin(); m != row.MemberEnd(); ++m) {
    const std::string key(m->name.GetString(), m->name.GetStringLength());
    const auto& v = m->value;
    const std::string ptr = at + "/" + pointer_escape(key);
    if (key == "unique_id") {
      if (!v.IsString() || !is_lower_uuid(std::string_view(v.GetString(), v.GetStringLength()))) bad.push_back(ptr);
      continue;
    }
    if (key == "_destroy") {
      if (!v.IsBool()) bad.push_back(ptr);
      continue;
    }
    if (v.IsNull()) continue;
    if (kRowDateFields.count(key) != 0 && !is_date(v, false)) bad.push_back(ptr);
    if (kRowDateTimeFields.count(key) != 0 && !is_date_time(v)) bad.push_back(ptr);
    if (kRowBoolFields.count(key) != 0 && !v.IsBool()) bad.push_back(ptr);
  }
}

}  // namespace

/// JSON pointers of the members of `data` that violate the case schema (InvalidRecordJson).
std::vector<std::string> validate_case(const rapidjson::Value& data, bool check_id) {
  std::vector<std::string> bad;
  for (auto m = data.MemberBegin(); m != data.MemberEnd(); ++m) {
    const std::string key(m->name.GetString(), m->name.GetStringLength());
    const auto& v = m->value;
    const std::string ptr = "/" + pointer_escape(key);
    if (key == "id") {
      if (check_id && !(v.IsString() && is_lower_uuid(std::string_view(v.GetString(), v.GetStringLength())))) bad.push_back(ptr);
      continue;
    }
    if (key.size() > 8 && key.compare(key.size() - 8, 8, "_section") == 0) {
      if (!v.IsArray() || !std::all_of(v.Begin(), v.End(), [](const rapidjson::Value& e) { return e.IsObject(); })) {
        bad.push_back(ptr);
        continue;
      }
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i) validate_row(v[i], ptr + "/" + std::to_string(i), bad);
      continue;
    }
    if (v.IsNull()) continue;
    if (kIntegerFields.count(key) != 0 && !(v.IsInt64() || v.IsUint64())) bad.push_back(ptr);
    if (kDateFields.count(key) != 0 && !is_date(v, key == "date_of_birth")) bad.push_back(ptr);
    if (kBoolFields.count(key) != 0 && !v.IsBool()) bad.push_back(ptr);
    if (kStringArrayFields.count(key) != 0 &&
        !(v.IsArray() && std::all_of(v.Begin(), v.End(), [](const rapidjson::Value& e) { return e.IsString(); }))) {
      bad.push_back(ptr);
    }
    if ((kIdentifierFields.count(key) != 0 || kStringFields.count(key) != 0) && !v.IsString()) bad.push_back(ptr);
    if (key == "status" && v.IsString() && kStatusValues.count(v.GetString()) == 0) bad.push_back(ptr);
  }
  return bad;
}

ApiResponse invalid_record(std::string_view resource, const std::vector<std::string>& pointers) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value err(rapidjson::kObjectType);
  err.AddMember("status", 422, a);
  err.AddMember("resource", str_value(resource, a), a);
  rapidjson::Value detail(rapidjson::kArrayType);
  for (const auto& p : pointers) detail.PushBack(str_value(p, a), a);
  err.AddMember("detail", detail, a);
  err.AddMember("message", "Invalid Record JSON", a);
  rapidjson::Value errors(rapidjson::kArrayType);
  errors.PushBack(err, a);
  d.AddMember("errors", errors, a);
  ApiResponse r;
  r.status = 422;
  r.body = to_json(d);
  return r;
}
}  // namespace refbridge::sandbox::detail
