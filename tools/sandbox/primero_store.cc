// Primero v2 state and operations. See primero_store.h, sandbox.h and primero-api-v2.md.
#include "primero_store.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace refbridge::sandbox::detail {

namespace {

constexpr std::string_view kSignIn = "You need to sign in or sign up before continuing.";
constexpr std::string_view kBadLogin = "Invalid User name or password.";
constexpr std::string_view kConflict = "Conflict: A record with this id already exists";
constexpr std::string_view kMissingData = "param is missing or the value is empty or invalid: data";
constexpr auto kTokenLifetime = std::chrono::minutes(60);

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

ApiResponse devise_401(std::string_view message) {
  rapidjson::Document d(rapidjson::kObjectType);
  d.AddMember("error", str_value(message, d.GetAllocator()), d.GetAllocator());
  ApiResponse r;
  r.status = 401;
  r.body = to_json(d);
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"Primero\" charset=\"UTF8\"");
  return r;
}

ApiResponse data_answer(int status, const rapidjson::Value& data) {
  rapidjson::Document d(rapidjson::kObjectType);
  d.AddMember("data", rapidjson::Value(data, d.GetAllocator()), d.GetAllocator());
  ApiResponse r;
  r.status = status;
  r.body = to_json(d);
  return r;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return std::string(s);
}

/// Sets `service_implemented` on services_section rows as Primero derives it on save (§5.3).
void derive_service_implemented(rapidjson::Value& c, Alloc& a) {
  auto* rows = find_member(c, "services_section");
  if (rows == nullptr || !rows->IsArray()) return;
  for (auto& row : rows->GetArray()) {
    if (!row.IsObject()) continue;
    const auto* done = find_member(row, "service_implemented_day_time");
    if (done != nullptr && done->IsString() && done->GetStringLength() > 0) {
      set_member(row, "service_implemented", str_value("implemented", a), a);
    } else if (find_member(row, "service_type") != nullptr && find_member(row, "service_implemented") == nullptr) {
      set_member(row, "service_implemented", str_value("not_implemented", a), a);
    }
  }
}

/// Recomputes the members derived from others (ids for display, association, enabled).
void derive(rapidjson::Value& c, Alloc& a) {
  if (auto case_id = string_member(c, "case_id")) {
    const std::string short_id = case_id->size() > 7 ? case_id->substr(case_id->size() - 7) : *case_id;
    set_member(c, "short_id", str_value(short_id, a), a);
    set_member(c, "case_id_display", str_value(short_id, a), a);
  }
  std::vector<std::string> names;
  if (auto owner = string_member(c, "owned_by"); owner && !owner->empty()) names.push_back(*owner);
  if (const auto* assigned = find_member(c, "assigned_user_names"); assigned != nullptr && assigned->IsArray()) {
    for (const auto& n : assigned->GetArray()) {
      if (n.IsString() && std::find(names.begin(), names.end(), n.GetString()) == names.end()) names.emplace_back(n.GetString());
    }
  }
  rapidjson::Value assoc(rapidjson::kArrayType);
  for (const auto& n : names) assoc.PushBack(str_value(n, a), a);
  set_member(c, "associated_user_names", std::move(assoc), a);
  const auto* state = find_member(c, "record_state");
  set_member(c, "enabled", rapidjson::Value(state == nullptr || !state->IsBool() || state->GetBool()), a);
  derive_service_implemented(c, a);
}

rapidjson::Value row_without_destroy(const rapidjson::Value& row, Alloc& a) {
  rapidjson::Value out(rapidjson::kObjectType);
  for (auto m = row.MemberBegin(); m != row.MemberEnd(); ++m) {
    if (std::string_view(m->name.GetString(), m->name.GetStringLength()) == "_destroy") continue;
    out.AddMember(rapidjson::Value(m->name, a), rapidjson::Value(m->value, a), a);
  }
  if (find_member(out, "unique_id") == nullptr) out.AddMember("unique_id", str_value(random_uuid(), a), a);
  return out;
}

bool destroy_flag(const rapidjson::Value& row) {
  const auto* d = find_member(row, "_destroy");
  return d != nullptr && d->IsBool() && d->GetBool();
}

void merge_object(rapidjson::Value& dst, const rapidjson::Value& src, Alloc& a);

/// Subform merge by unique_id: match -> merged field by field; new or absent -> appended;
/// `_destroy: true` -> removed (primero-api-v2.md §5.4).
void merge_rows(rapidjson::Value& dst, const rapidjson::Value& src, Alloc& a) {
  for (const auto& row : src.GetArray()) {
    const auto uid = string_member(row, "unique_id");
    rapidjson::Value* match = nullptr;
    rapidjson::SizeType match_index = 0;
    if (uid) {
      for (rapidjson::SizeType i = 0; i < dst.Size(); ++i) {
        if (string_member(dst[i], "unique_id") == uid) {
          match = &dst[i];
          match_index = i;
          break;
        }
      }
    }
    if (destroy_flag(row)) {
      if (match != nullptr) dst.Erase(dst.Begin() + match_index);
      continue;
    }
    if (match != nullptr && match->IsObject()) {
      merge_object(*match, row_without_destroy(row, a), a);
    } else {
      dst.PushBack(row_without_destroy(row, a), a);
    }
  }
}

/// Deep merge of a PATCH `data` object into a stored object.
void merge_object(rapidjson::Value& dst, const rapidjson::Value& src, Alloc& a) {
  for (auto m = src.MemberBegin(); m != src.MemberEnd(); ++m) {
    const std::string_view key(m->name.GetString(), m->name.GetStringLength());
    const auto& v = m->value;
    auto* existing = find_member(dst, key);
    if (is_object_array(v)) {
      if (existing != nullptr && existing->IsArray()) {
        merge_rows(*existing, v, a);
      } else {
        rapidjson::Value rows(rapidjson::kArrayType);
        merge_rows(rows, v, a);
        set_member(dst, key, std::move(rows), a);
      }
    } else if (v.IsArray() && v.Empty() && existing != nullptr && is_object_array(*existing)) {
      // [] does not clear a subform
    } else if (v.IsObject() && existing != nullptr && existing->IsObject()) {
      merge_object(*existing, v, a);
    } else {
      set_member(dst, key, rapidjson::Value(v, a), a);
    }
  }
}

/// The `record` / PATCH answer of a write (§5.4, §6.3): {id, enabled, <members whose value
/// changed from `before` to `after`, subforms whole>, last_updated_at}.
rapidjson::Value case_delta(const rapidjson::Value& before, const rapidjson::Value& after, Alloc& a) {
  rapidjson::Value out(rapidjson::kObjectType);
  for (const char* key : {"id", "enabled"}) {
    if (const auto* v = find_member(after, key)) out.AddMember(rapidjson::StringRef(key), rapidjson::Value(*v, a), a);
  }
  for (auto m = after.MemberBegin(); m != after.MemberEnd(); ++m) {
    const std::string_view key(m->name.GetString(), m->name.GetStringLength());
    if (key == "id" || key == "enabled" || key == "last_updated_at") continue;
    const auto* old = find_member(before, key);
    if (old == nullptr || *old != m->value) out.AddMember(rapidjson::Value(m->name, a), rapidjson::Value(m->value, a), a);
  }
  if (const auto* v = find_member(after, "last_updated_at")) out.AddMember("last_updated_at", rapidjson::Value(*v, a), a);
  return out;
}

/// The value as a filter sees it ("true", "12", the string itself), or nullopt for other types.
std::optional<std::string> scalar_text(const rapidjson::Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  return std::nullopt;
}

std::optional<long long> integer_text(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  for (std::size_t j = i; j < s.size(); ++j) {
    if (s[j] < '0' || s[j] > '9') return std::nullopt;
  }
  return std::stoll(std::string(s));
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (true) {
    const auto next = s.find(',', pos);
    out.push_back(s.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return out;
}

/// One filter: exact values (any of) or a range.
struct Filter {
  std::string key;
  std::vector<std::string> values;
  bool is_range = false;
  std::optional<long long> num_from, num_to;
  std::optional<Millis> time_from, time_to;
  bool numeric = false;
};

/// True for a range without a lower bound ("..to"), which breaks Primero's query builder (§5.1).
bool range_without_lower_bound(const std::string& text) { return text.rfind("..", 0) == 0; }

/// Builds a range filter from "from..to" / "from.." (inclusive; date-times compare as instants);
/// nullopt when the range is to be dropped (ends neither numbers nor dates, §5.1).
std::optional<Filter> make_range(const std::string& key, const std::string& text) {
  const auto sep = text.find("..");
  const std::string from = text.substr(0, sep);
  const std::string to = text.substr(sep + 2);
  Filter f;
  f.key = key;
  f.is_range = true;
  if (from.empty()) return std::nullopt;
  if (auto n = integer_text(from); n && (to.empty() || integer_text(to))) {
    f.numeric = true;
    f.num_from = n;
    if (!to.empty()) f.num_to = integer_text(to);
    return f;
  }
  auto tf = parse_date_time(from, true);
  if (!tf) return std::nullopt;
  f.time_from = tf;
  if (!to.empty()) {
    f.time_to = parse_date_time(to, true);
    if (!f.time_to) return std::nullopt;
  }
  return f;
}

bool value_matches(const rapidjson::Value& v, const Filter& f) {
  if (f.is_range) {
    if (f.numeric) {
      if (!(v.IsInt64())) return false;
      const auto n = v.GetInt64();
      return n >= *f.num_from && (!f.num_to || n <= *f.num_to);
    }
    if (!v.IsString()) return false;
    auto t = parse_date_time(std::string_view(v.GetString(), v.GetStringLength()), true);
    return t && *t >= *f.time_from && (!f.time_to || *t <= *f.time_to);
  }
  if (v.IsArray()) {
    return std::any_of(v.Begin(), v.End(), [&](const rapidjson::Value& e) {
      auto t = scalar_text(e);
      return t && std::find(f.values.begin(), f.values.end(), *t) != f.values.end();
    });
  }
  auto t = scalar_text(v);
  return t && std::find(f.values.begin(), f.values.end(), *t) != f.values.end();
}

/// A member's value prepared for ordering (§4 order_by): date-times compare as instants,
/// numbers numerically, anything else as its text; absent or null values sort last.
struct SortKey {
  enum Kind { kNumber, kTime, kText, kAbsent } kind = kAbsent;
  double number = 0;
  Millis time{};
  std::string text;
};

SortKey sort_key(const rapidjson::Value* v) {
  SortKey k;
  if (v == nullptr || v->IsNull()) return k;
  if (v->IsNumber()) {
    k.kind = SortKey::kNumber;
    k.number = v->GetDouble();
    return k;
  }
  k.text = scalar_text(*v).value_or(to_json(*v));
  if (v->IsString()) {
    if (auto t = parse_date_time(k.text, false)) {
      k.kind = SortKey::kTime;
      k.time = *t;
      return k;
    }
  }
  k.kind = SortKey::kText;
  return k;
}

int compare_keys(const SortKey& x, const SortKey& y) {
  if (x.kind != y.kind) return x.kind < y.kind ? -1 : 1;
  switch (x.kind) {
    case SortKey::kNumber: return x.number < y.number ? -1 : (x.number > y.number ? 1 : 0);
    case SortKey::kTime: return x.time < y.time ? -1 : (x.time > y.time ? 1 : 0);
    case SortKey::kText: return x.text.compare(y.text) < 0 ? -1 : (x.text == y.text ? 0 : 1);
    case SortKey::kAbsent: return 0;
  }
  return 0;
}

}  // namespace

PrimeroStore::PrimeroStore(std::string user, std::string password, int max_per)
    : user_(std::move(user)), password_(std::move(password)), max_per_(max_per) {
  users_.seed_defaults(user_);
}

ApiResponse PrimeroStore::error(int status, std::string_view resource, std::string_view message) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value err(rapidjson::kObjectType);
  err.AddMember("status", status, a);
  err.AddMember("resource", str_value(resource, a), a);
  err.AddMember("message", str_value(message, a), a);
  rapidjson::Value errors(rapidjson::kArrayType);
  errors.PushBack(err, a);
  d.AddMember("errors", errors, a);
  ApiResponse r;
  r.status = status;
  r.body = to_json(d);
  return r;
}

// ---- authentication -------------------------------------------------------------------------

std::string PrimeroStore::issue_token() {
  // A JWT-shaped opaque token (header.payload.signature); only this server can check it.
  const auto now = now_ms();
  const auto iat = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::string payload = R"({"sub":"1","scp":"user","iat":)" + std::to_string(iat) + R"(,"exp":)" +
                              std::to_string(iat + 3600) + R"(,"jti":")" + random_uuid() + "\"}";
  std::string token = base64url_encode(R"({"alg":"HS256"})") + "." + base64url_encode(payload) + "." +
                      base64url_encode(random_uuid() + random_uuid());
  tokens_[token] = now + kTokenLifetime;
  return token;
}

std::optional<std::string> PrimeroStore::authenticate(const ApiRequest& request, ApiResponse& unauthorized) {
  if (password_.empty()) return user_;
  const std::string& h = request.authorization;
  const std::string scheme = lower(h.substr(0, h.find(' ')));
  const std::string cred = h.find(' ') == std::string::npos ? "" : trim(h.substr(h.find(' ') + 1));
  if (scheme == "basic") {
    auto decoded = base64_decode(cred);
    const auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon != std::string::npos && lower(trim(decoded->substr(0, colon))) == lower(user_) &&
        secure_equals(decoded->substr(colon + 1), password_)) {
      return user_;
    }
  } else if (scheme == "bearer") {
    std::lock_guard lock(mutex_);
    auto it = tokens_.find(cred);
    if (it != tokens_.end() && it->second > now_ms()) return user_;
    if (it != tokens_.end()) {
      tokens_.erase(it);
      unauthorized = devise_401("Signature has expired");
      return std::nullopt;
    }
  }
  unauthorized = devise_401(kSignIn);
  return std::nullopt;
}

ApiResponse PrimeroStore::login(const ApiRequest& request) {
  rapidjson::Document body;
  const bool has_body = !trim(request.body).empty();
  std::optional<std::string> name;
  if (has_body) {
    if (parse_json(request.body, body) || !body.IsObject()) return devise_401(kBadLogin);
    const auto* user = find_member(body, "user");
    if (user == nullptr || !user->IsObject()) return devise_401(kBadLogin);
    auto user_name = string_member(*user, "user_name");
    auto password = string_member(*user, "password");
    if (!user_name || !password || lower(trim(*user_name)) != lower(user_) ||
        (!password_.empty() && !secure_equals(*password, password_))) {
      return devise_401(kBadLogin);
    }
    name = user_;
  } else {
    // Refresh: a still-valid credential and no body.
    ApiResponse unauthorized;
    name = authenticate(request, unauthorized);
    if (!name) return unauthorized;
  }
  std::string token;
  {
    std::lock_guard lock(mutex_);
    token = issue_token();
  }
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("id", 1, a);
  d.AddMember("user_name", str_value(*name, a), a);
  d.AddMember("token", str_value(token, a), a);
  ApiResponse r;
  r.body = to_json(d);
  r.headers.emplace_back("Authorization", "Bearer " + token);
  return r;
}

// ---- routing --------------------------------------------------------------------------------

ApiResponse PrimeroStore::handle(const ApiRequest& request) {
  const auto seg = split_path(request.raw_path);
  const std::string& resource = request.raw_path;
  if (seg.size() < 2 || seg[0] != "api" || seg[1] != "v2") {
    ApiResponse r;
    r.status = 404;
    r.body = R"({"status":404,"error":"Not Found"})";
    return r;
  }
  const auto& m = request.method;
  if (seg.size() == 3 && seg[2] == "tokens") {
    if (m == "POST") return login(request);
    if (m == "DELETE") {
      ApiResponse unauthorized;
      if (!authenticate(request, unauthorized)) return unauthorized;
      const auto& h = request.authorization;
      if (h.size() > 7 && lower(h.substr(0, 7)) == "bearer ") {
        std::lock_guard lock(mutex_);
        tokens_.erase(trim(h.substr(7)));
      }
      ApiResponse r;
      r.body = "{}";
      return r;
    }
    return error(404, resource, "Not Found");
  }
  if (seg.size() == 3 && seg[2] == "primero" && m == "GET") {
    ApiResponse r;
    r.body = R"({"data":{"sandbox_ui":false,"config_ui":"","locales":["en"],"allow_self_registration":false}})";
    return r;
  }
  ApiResponse unauthorized;
  auto caller = authenticate(request, unauthorized);
  if (!caller) return unauthorized;

  if (seg.size() == 3 && seg[2] == "system_settings" && m == "GET") {
    ApiResponse r;
    r.body = R"({"data":{"primero_version":"2.15.2.1","default_locale":"en"}})";
    return r;
  }
  if (seg.size() >= 3 && seg[2] == "cases") {
    if (seg.size() == 3 && m == "GET") return list_cases(request);
    if (seg.size() == 3 && m == "POST") {
      rapidjson::Document body;
      if (auto err = parse_json(request.body, body)) return error(400, resource, "Bad Request: body is not JSON (" + *err + ")");
      const auto* data = find_member(body, "data");
      if (data == nullptr || !data->IsObject() || data->ObjectEmpty()) return error(422, resource, kMissingData);
      return create_case(*data, *caller, resource);
    }
    if (seg.size() == 4 && m == "GET") return get_case(seg[3], request);
    if (seg.size() == 4 && m == "PATCH") return patch_case(seg[3], request, *caller);
    if (seg.size() == 4 && m == "DELETE") return disable_case(seg[3], request, *caller);
    // ---- Primero referrals, users, seeding ----
    if (seg.size() == 5 && seg[4] == "referrals" && m == "GET") return list_referrals(seg[3], request, *caller);
    if (seg.size() == 5 && seg[4] == "referrals" && m == "POST") {
      rapidjson::Document body;
      if (auto err = parse_json(request.body, body)) return error(400, resource, "Bad Request: body is not JSON (" + *err + ")");
      const auto* data = find_member(body, "data");
      if (data == nullptr || !data->IsObject() || data->ObjectEmpty()) return error(422, resource, kMissingData);
      return create_referral(seg[3], *data, *caller, resource);
    }
    // The path's case id is not checked against the referral's record_id (§6.5).
    if (seg.size() == 6 && seg[4] == "referrals" && m == "PATCH") return update_referral(seg[5], request, *caller);
  }
  if (seg.size() == 3 && seg[2] == "users" && m == "GET") return list_users(request);
  return error(404, resource, "Not Found");
}

// ---- cases ----------------------------------------------------------------------------------

ApiResponse PrimeroStore::create_case(const rapidjson::Value& data, const std::string& caller, const std::string& resource) {
  if (auto bad = validate_case(data, true); !bad.empty()) return invalid_record(resource, bad);
  const auto client_id = string_member(data, "id");

  rapidjson::Document c(rapidjson::kObjectType);
  auto& a = c.GetAllocator();
  const std::string id = client_id.value_or(random_uuid());
  c.AddMember("id", str_value(id, a), a);
  for (auto m = data.MemberBegin(); m != data.MemberEnd(); ++m) {
    const std::string_view key(m->name.GetString(), m->name.GetStringLength());
    if (key == "id" || kReadOnly.count(key) != 0) continue;
    if (is_object_array(m->value)) {
      rapidjson::Value rows(rapidjson::kArrayType);
      merge_rows(rows, m->value, a);
      c.AddMember(rapidjson::Value(m->name, a), rows, a);
    } else {
      c.AddMember(rapidjson::Value(m->name, a), rapidjson::Value(m->value, a), a);
    }
  }
  auto set_default = [&](std::string_view key, rapidjson::Value v) {
    const auto* existing = find_member(c, key);
    if (existing == nullptr || existing->IsNull()) set_member(c, key, std::move(v), a);
  };
  set_default("case_id", str_value(random_uuid(), a));
  set_default("status", str_value("open", a));
  set_default("record_state", rapidjson::Value(true));
  set_default("workflow", str_value("new", a));
  const auto now = now_ms();
  set_default("registration_date", str_value(format_date(now), a));
  set_default("owned_by", str_value(caller, a));
  set_default("notes_section", rapidjson::Value(rapidjson::kArrayType));
  set_member(c, "created_by", str_value(caller, a), a);
  set_member(c, "last_updated_by", str_value(caller, a), a);
  derive(c, a);

  std::lock_guard lock(mutex_);
  const auto case_id = string_member(c, "case_id").value_or("");
  if (cases_.count(id) != 0 || case_ids_.count(case_id) != 0) return error(409, resource, kConflict);
  const auto stamp = next_stamp();
  set_member(c, "created_at", str_value(stamp, a), a);
  set_member(c, "last_updated_at", str_value(stamp, a), a);
  Case stored;
  stored.seq = next_seq_++;
  stored.doc = std::move(c);
  auto [it, _] = cases_.emplace(id, std::move(stored));
  case_ids_.emplace(case_id, id);
  if (client_id) {
    ApiResponse r;
    r.status = 204;
    r.content_type.clear();
    return r;
  }
  return data_answer(200, it->second.doc);
}

ApiResponse PrimeroStore::get_case(const std::string& id, const ApiRequest& request) {
  std::lock_guard lock(mutex_);
  auto it = cases_.find(id);
  if (it == cases_.end()) return error(404, request.raw_path, "Not Found");
  return data_answer(200, it->second.doc);
}

ApiResponse PrimeroStore::patch_case(const std::string& id, const ApiRequest& request, const std::string& caller) {
  const auto& resource = request.raw_path;
  rapidjson::Document body;
  if (auto err = parse_json(request.body, body)) return error(400, resource, "Bad Request: body is not JSON (" + *err + ")");
  const auto* data = find_member(body, "data");
  if (data == nullptr || !data->IsObject()) return error(422, resource, kMissingData);
  if (auto bad = validate_case(*data, false); !bad.empty()) return invalid_record(resource, bad);

  std::lock_guard lock(mutex_);
  auto it = cases_.find(id);
  if (it == cases_.end()) return error(404, resource, "Not Found");
  auto& c = it->second.doc;
  auto& a = c.GetAllocator();
  // Does a new case_id collide with another case?
  const auto old_case_id = string_member(c, "case_id").value_or("");
  const auto new_case_id = string_member(*data, "case_id");
  if (new_case_id) {
    auto taken = case_ids_.find(*new_case_id);
    if (taken != case_ids_.end() && taken->second != id) return error(409, resource, kConflict);
  }
  rapidjson::Document before;
  before.CopyFrom(c, before.GetAllocator());

  rapidjson::Value writable(rapidjson::kObjectType);
  for (auto m = data->MemberBegin(); m != data->MemberEnd(); ++m) {
    const std::string_view key(m->name.GetString(), m->name.GetStringLength());
    if (key == "id" || kReadOnly.count(key) != 0) continue;
    writable.AddMember(rapidjson::Value(m->name, a), rapidjson::Value(m->value, a), a);
  }
  merge_object(c, writable, a);
  set_member(c, "last_updated_at", str_value(next_stamp(), a), a);
  set_member(c, "last_updated_by", str_value(caller, a), a);
  derive(c, a);
  if (new_case_id && *new_case_id != old_case_id) {
    case_ids_.erase(old_case_id);
    case_ids_[*new_case_id] = id;
  }
  rapidjson::Document out;
  out.SetObject() = case_delta(before, c, out.GetAllocator());
  return data_answer(200, out);
}

ApiResponse PrimeroStore::disable_case(const std::string& id, const ApiRequest& request, const std::string& caller) {
  std::lock_guard lock(mutex_);
  auto it = cases_.find(id);
  if (it == cases_.end()) return error(404, request.raw_path, "Not Found");
  auto& c = it->second.doc;
  auto& a = c.GetAllocator();
  set_member(c, "record_state", rapidjson::Value(false), a);
  set_member(c, "last_updated_at", str_value(next_stamp(), a), a);
  set_member(c, "last_updated_by", str_value(caller, a), a);
  derive(c, a);
  ApiResponse r;
  r.body = R"({"data":{"id":)" + to_json(str_value(id, a)) + "}}";
  return r;
}

bool PrimeroStore::known_field(const std::string& key) const {
  if (kAlwaysFilterable.count(key) != 0 || kIdentifierFields.count(key) != 0 || kStringFields.count(key) != 0) return true;
  return std::any_of(cases_.begin(), cases_.end(), [&](const auto& entry) { return find_member(entry.second.doc, key) != nullptr; });
}

std::optional<ApiResponse> PrimeroStore::read_paging(const ApiRequest& request, long long& page, long long& per) const {
  auto int_param = [&](const char* name, long long fallback) -> long long {
    auto it = request.params.find(name);
    if (it == request.params.end()) return fallback;
    auto n = integer_text(it->second);
    return n ? *n : fallback;
  };
  page = int_param("page", 1);
  per = std::max<long long>(0, std::min<long long>(int_param("per", 20), max_per_));
  if (page < 1) return error(500, request.raw_path, "PG::InvalidRowCountInResultOffsetClause: OFFSET must not be negative");
  return std::nullopt;
}

ApiResponse PrimeroStore::list_cases(const ApiRequest& request) {
  long long page = 1;
  long long per = 20;
  if (auto bad = read_paging(request, page, per)) return *bad;

  std::lock_guard lock(mutex_);
  // Filters: every parameter that names a readable field (`key[...]` collects array values).
  std::map<std::string, std::vector<std::string>> raw;
  for (const auto& [k, v] : request.params) {
    std::string key = k.substr(0, k.find('['));
    if (kNonFilterParams.count(key) != 0 || key.rfind("loc:", 0) == 0) continue;
    raw[key].push_back(v);
  }
  std::vector<Filter> filters;
  std::optional<std::set<std::string>> id_filter;
  for (const auto& [key, values] : raw) {
    if (key == "id") {
      id_filter.emplace();
      for (const auto& v : values) {
        for (const auto& part : split_commas(v)) id_filter->insert(part);
      }
      continue;
    }
    if (!known_field(key)) continue;  // ignored, like a field the role cannot read
    if (values.size() == 1 && values[0].find("..") != std::string::npos) {
      if (range_without_lower_bound(values[0])) {
        return error(500, request.raw_path, "ArgumentError: bad value for range");
      }
      if (auto f = make_range(key, values[0])) filters.push_back(*f);
      continue;
    }
    Filter f;
    f.key = key;
    for (const auto& v : values) {
      for (const auto& part : split_commas(v)) f.values.push_back(part);
    }
    filters.push_back(std::move(f));
  }
  std::optional<std::string> query;
  if (auto q = request.params.find("query"); q != request.params.end() && !q->second.empty()) query = lower(q->second);

  std::vector<const Case*> hits;
  for (const auto& entry : cases_) {
    const std::string& id = entry.first;
    const Case& c = entry.second;  // a plain reference: clang 14 cannot capture structured bindings
    if (id_filter && id_filter->count(id) == 0) continue;
    const bool ok = std::all_of(filters.begin(), filters.end(), [&](const Filter& f) {
      const auto* v = find_member(c.doc, f.key);
      return v != nullptr && value_matches(*v, f);
    });
    if (!ok) continue;
    if (query) {
      const bool found = std::any_of(kIdentifierFields.begin(), kIdentifierFields.end(), [&](const std::string& field) {
        auto s = string_member(c.doc, field);
        return s && lower(*s).find(*query) != std::string::npos;
      });
      if (!found) continue;
    }
    hits.push_back(&c);
  }

  std::string order_by = "created_at";
  if (auto o = request.params.find("order_by"); o != request.params.end() && !o->second.empty()) order_by = o->second;
  bool desc = true;
  if (auto o = request.params.find("order"); o != request.params.end()) desc = lower(o->second) != "asc";
  // A total order (ties broken by record id) so consecutive pages never skip nor repeat a case.
  std::vector<std::pair<SortKey, const Case*>> keyed;
  keyed.reserve(hits.size());
  for (const auto* c : hits) keyed.emplace_back(sort_key(find_member(c->doc, order_by)), c);
  std::sort(keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
    int cmp = compare_keys(x.first, y.first);
    if (cmp == 0) cmp = string_member(x.second->doc, "id").value_or("").compare(string_member(y.second->doc, "id").value_or(""));
    return desc ? cmp > 0 : cmp < 0;
  });
  for (std::size_t i = 0; i < keyed.size(); ++i) hits[i] = keyed[i].second;

  // `fields`: a comma list, or "short"; id, enabled and last_updated_at are always present.
  std::optional<std::vector<std::string>> fields;
  if (auto f = request.params.find("fields"); f != request.params.end() && !f->second.empty()) {
    fields = f->second == "short" ? kShortFields : split_commas(f->second);
    for (const char* always : {"id", "enabled", "last_updated_at"}) fields->emplace_back(always);
  }

  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value items(rapidjson::kArrayType);
  const auto start = static_cast<std::size_t>((page - 1) * per);
  for (std::size_t i = start; i < hits.size() && i < start + static_cast<std::size_t>(per); ++i) {
    if (!fields) {
      items.PushBack(rapidjson::Value(hits[i]->doc, a), a);
      continue;
    }
    rapidjson::Value sel(rapidjson::kObjectType);
    for (const auto& name : *fields) {
      const auto* v = find_member(hits[i]->doc, name);
      if (v != nullptr && find_member(sel, name) == nullptr) sel.AddMember(str_value(name, a), rapidjson::Value(*v, a), a);
    }
    items.PushBack(sel, a);
  }
  d.AddMember("data", items, a);
  rapidjson::Value meta(rapidjson::kObjectType);
  meta.AddMember("total", static_cast<std::uint64_t>(hits.size()), a);
  meta.AddMember("per", static_cast<std::int64_t>(per), a);
  meta.AddMember("page", static_cast<std::int64_t>(page), a);
  d.AddMember("metadata", meta, a);
  ApiResponse r;
  r.body = to_json(d);
  return r;
}

std::string PrimeroStore::dump_json() const {
  std::lock_guard lock(mutex_);
  std::vector<const Case*> all;
  for (const auto& [_, c] : cases_) all.push_back(&c);
  std::sort(all.begin(), all.end(), [](const Case* x, const Case* y) { return x->seq > y->seq; });
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value items(rapidjson::kArrayType);
  for (const auto* c : all) items.PushBack(rapidjson::Value(c->doc, a), a);
  d.AddMember("data", items, a);
  return to_json(d, true);
}

std::optional<std::string> PrimeroStore::case_json(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = cases_.find(id);
  if (it == cases_.end()) return std::nullopt;
  return to_json(it->second.doc);
}

std::size_t PrimeroStore::count() const {
  std::lock_guard lock(mutex_);
  return cases_.size();
}

}  // namespace refbridge::sandbox::detail

namespace refbridge::sandbox::detail {

// ---- Primero referrals, users, seeding ----

std::string PrimeroStore::next_stamp() {
  last_stamp_ = std::max(now_ms(), last_stamp_ + std::chrono::milliseconds(1));
  return format_utc_ms(last_stamp_);
}

std::pair<PrimeroStore::Case*, rapidjson::Document*> PrimeroStore::find_referral(const std::string& referral_id) {
  auto where = referral_cases_.find(referral_id);
  if (where == referral_cases_.end()) return {nullptr, nullptr};
  auto c = cases_.find(where->second);
  if (c == cases_.end()) return {nullptr, nullptr};
  for (auto& r : c->second.referrals) {
    if (string_member(r, "id") == referral_id) return {&c->second, &r};
  }
  return {nullptr, nullptr};
}

ApiResponse PrimeroStore::list_referrals(const std::string& record_id, const ApiRequest& request, const std::string& caller) {
  std::lock_guard lock(mutex_);
  auto it = cases_.find(record_id);
  if (it == cases_.end()) return error(404, request.raw_path, "Not Found");
  rapidjson::Document d(rapidjson::kArrayType);
  for (const auto& r : it->second.referrals) d.PushBack(referral_view(r, caller, d.GetAllocator()), d.GetAllocator());
  return data_answer(200, d);
}

ApiResponse PrimeroStore::create_referral(const std::string& record_id, const rapidjson::Value& data,
                                          const std::string& caller, const std::string& resource,
                                          const std::string& referral_id) {
  std::lock_guard lock(mutex_);
  auto it = cases_.find(record_id);
  if (it == cases_.end()) return error(404, resource, "Not Found");
  auto& c = it->second.doc;
  auto& a = c.GetAllocator();
  const std::string stamp = next_stamp();
  auto referral = new_referral(data, c, ReferralOrigin{referral_id.empty() ? random_uuid() : referral_id, record_id, caller, stamp});
  if (auto failures = validate_referral(referral, c, users_); !failures.empty()) return record_invalid(resource, failures);
  const auto new_id = string_member(referral, "id").value_or("");
  if (referral_cases_.count(new_id) != 0) return error(409, resource, kConflict);

  rapidjson::Document before;
  before.CopyFrom(c, before.GetAllocator());
  apply_referral_created(c, a, referral);
  set_member(c, "last_updated_at", str_value(stamp, a), a);
  set_member(c, "last_updated_by", str_value(caller, a), a);
  derive(c, a);

  rapidjson::Document out;
  out.SetObject() = referral_view(referral, caller, out.GetAllocator());
  out.AddMember("record", case_delta(before, c, out.GetAllocator()), out.GetAllocator());
  referral_cases_[new_id] = record_id;
  it->second.referrals.push_back(std::move(referral));
  return data_answer(200, out);
}

ApiResponse PrimeroStore::update_referral(const std::string& referral_id, const ApiRequest& request, const std::string& caller) {
  const auto& resource = request.raw_path;
  rapidjson::Document body;
  if (auto err = parse_json(request.body, body)) return error(400, resource, "Bad Request: body is not JSON (" + *err + ")");
  const auto* data = find_member(body, "data");
  if (data == nullptr || !data->IsObject() || data->ObjectEmpty()) return error(422, resource, kMissingData);

  std::lock_guard lock(mutex_);
  const auto found = find_referral(referral_id);
  Case* kase = found.first;
  rapidjson::Document* referral = found.second;
  if (kase == nullptr) return error(404, resource, "Not Found");
  auto& c = kase->doc;
  auto& a = c.GetAllocator();
  rapidjson::Document before;
  before.CopyFrom(c, before.GetAllocator());

  const auto to_status = referral_transition(string_member(*referral, "status").value_or(""),
                                             string_member(*data, "status").value_or(""));
  if (to_status) {  // otherwise a no-op: 200 with the unchanged referral, case untouched (§6.5)
    if (auto failures = validate_referral(*referral, c, users_); !failures.empty()) return record_invalid(resource, failures);
    const auto recipient = string_member(*referral, "transitioned_to").value_or("");
    const bool still_active = std::any_of(kase->referrals.begin(), kase->referrals.end(), [&](const rapidjson::Document& other) {
      return &other != referral && is_active_referral_to(other, recipient);
    });
    const std::string stamp = next_stamp();
    apply_referral_transition(*referral, referral->GetAllocator(), c, a, *to_status, *data, stamp, still_active);
    set_member(c, "last_updated_at", str_value(stamp, a), a);
    set_member(c, "last_updated_by", str_value(caller, a), a);
    derive(c, a);
  }
  rapidjson::Document out;
  out.SetObject() = referral_view(*referral, caller, out.GetAllocator());
  out.AddMember("record", case_delta(before, c, out.GetAllocator()), out.GetAllocator());
  return data_answer(200, out);
}

ApiResponse PrimeroStore::list_users(const ApiRequest& request) {
  long long page = 1;
  long long per = 20;
  if (auto bad = read_paging(request, page, per)) return *bad;
  std::optional<std::string> user_name;
  if (auto u = request.params.find("user_name"); u != request.params.end()) user_name = u->second;
  std::lock_guard lock(mutex_);
  ApiResponse r;
  r.body = users_.list_json(user_name, page, per);
  return r;
}

bool PrimeroStore::import_case(const rapidjson::Value& record, std::string& problem) {
  const auto id = string_member(record, "id");
  if (!record.IsObject() || !id || id->empty()) {
    problem = "no string id";
    return false;
  }
  rapidjson::Document c;
  c.CopyFrom(record, c.GetAllocator());
  auto& a = c.GetAllocator();
  derive(c, a);
  const auto case_id = string_member(c, "case_id").value_or(*id);

  std::lock_guard lock(mutex_);
  if (cases_.count(*id) != 0) {
    problem = "id exists";
    return false;
  }
  if (case_ids_.count(case_id) != 0) {
    problem = "case_id exists";
    return false;
  }
  for (const char* key : {"created_at", "last_updated_at"}) {
    const auto* v = find_member(c, key);
    if (v == nullptr || !v->IsString()) set_member(c, key, str_value(next_stamp(), a), a);
  }
  Case stored;
  stored.seq = next_seq_++;
  stored.doc = std::move(c);
  cases_.emplace(*id, std::move(stored));
  case_ids_.emplace(case_id, *id);
  return true;
}

bool PrimeroStore::import_referral(const rapidjson::Value& referral, std::string& problem) {
  const auto id = string_member(referral, "id");
  const auto record_id = string_member(referral, "record_id");
  if (!referral.IsObject() || !id || id->empty()) {
    problem = "no string id";
    return false;
  }
  std::lock_guard lock(mutex_);
  auto it = record_id ? cases_.find(*record_id) : cases_.end();
  if (it == cases_.end()) {
    problem = "unknown record_id";
    return false;
  }
  if (referral_cases_.count(*id) != 0) {
    problem = "id exists";
    return false;
  }
  rapidjson::Document r(rapidjson::kObjectType);
  auto& a = r.GetAllocator();
  const auto& computed = referral_computed_keys();
  for (auto m = referral.MemberBegin(); m != referral.MemberEnd(); ++m) {
    const std::string key(m->name.GetString(), m->name.GetStringLength());
    if (std::find(computed.begin(), computed.end(), key) != computed.end()) continue;
    r.AddMember(rapidjson::Value(m->name, a), rapidjson::Value(m->value, a), a);
  }
  referral_cases_[*id] = *record_id;
  it->second.referrals.push_back(std::move(r));
  return true;
}

std::optional<std::string> PrimeroStore::referrals_json(const std::string& record_id) const {
  std::lock_guard lock(mutex_);
  auto it = cases_.find(record_id);
  if (it == cases_.end()) return std::nullopt;
  std::vector<const rapidjson::Document*> ordered;
  for (const auto& r : it->second.referrals) ordered.push_back(&r);
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto* x, const auto* y) {
    return string_member(*x, "created_at").value_or("") < string_member(*y, "created_at").value_or("");
  });
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value items(rapidjson::kArrayType);
  for (const auto* r : ordered) items.PushBack(referral_view(*r, user_, a), a);
  d.AddMember("data", items, a);
  return to_json(d, true);
}

std::optional<std::string> PrimeroStore::referral_status(const std::string& record_id, const std::string& referral_id) const {
  std::lock_guard lock(mutex_);
  auto it = cases_.find(record_id);
  if (it == cases_.end()) return std::nullopt;
  for (const auto& r : it->second.referrals) {
    if (string_member(r, "id") == referral_id) return string_member(r, "status");
  }
  return std::nullopt;
}

refbridge::Result<std::string> PrimeroStore::add_user(const rapidjson::Value& user) {
  std::string problem;
  bool conflict = false;
  std::lock_guard lock(mutex_);
  auto stored = users_.add(user, problem, conflict);
  if (!stored) return make_error(conflict ? ErrorCode::kConflict : ErrorCode::kInvalidInput, "Primero user: " + problem);
  return to_json(*stored);
}

ApiResponse PrimeroStore::decide_service(const std::string& intervention_number, const std::string& status,
                                         const std::string& reason) {
  const std::string resource = "/_sandbox/primero/services/decide";
  if (status != "accepted" && status != "rejected") return error(422, resource, "status must be accepted or rejected");
  std::string record_id;
  std::string unique_id;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, c] : cases_) {
      const auto* services = find_member(c.doc, "services_section");
      if (services == nullptr || !services->IsArray()) continue;
      for (const auto& row : services->GetArray()) {
        const auto* n = find_member(row, "progres_interventionnumber");
        const auto* u = find_member(row, "unique_id");
        if (n != nullptr && n->IsString() && n->GetString() == intervention_number && u != nullptr && u->IsString()) {
          record_id = id;
          unique_id = u->GetString();
        }
      }
    }
  }
  if (record_id.empty()) return error(404, resource, "Not Found");
  rapidjson::Document body(rapidjson::kObjectType);
  auto& a = body.GetAllocator();
  rapidjson::Value row(rapidjson::kObjectType);
  set_member(row, "unique_id", str_value(unique_id, a), a);
  set_member(row, "unhcr_referral_status", str_value(status, a), a);
  if (!reason.empty()) set_member(row, "unhcr_referral_rejection_reason", str_value(reason, a), a);
  rapidjson::Value rows(rapidjson::kArrayType);
  rows.PushBack(row, a);
  rapidjson::Value data(rapidjson::kObjectType);
  set_member(data, "services_section", std::move(rows), a);
  set_member(body, "data", std::move(data), a);
  ApiRequest patch;
  patch.method = "PATCH";
  patch.raw_path = "/api/v2/cases/" + record_id;
  patch.body = to_json(body);
  return patch_case(record_id, patch, user_);
}

}  // namespace refbridge::sandbox::detail
