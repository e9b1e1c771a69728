// Primero HTTP routing of /api/v2 and the answer helpers (§1, §3). See primero_http.h, primero_store.h.
#include "primero_http.h"
#include "primero_store.h"

#include <algorithm>
#include <cctype>

namespace refbridge::sandbox::detail {

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

PrimeroStore::PrimeroStore(PrimeroSettings settings)
    : user_(std::move(settings.user)),
      password_(std::move(settings.password)),
      max_per_(settings.max_per),
      version_(std::move(settings.version)),
      version_number_(parse_primero_version(version_).value_or(std::make_pair(2, 15))),
      relaxed_login_(settings.relaxed_login),
      millisecond_ranges_(settings.millisecond_ranges),
      config_(settings.config ? std::move(settings.config)
                              : std::shared_ptr<const PrimeroConfig>(&PrimeroConfig::stock(), [](const PrimeroConfig*) {})) {
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
    if (m == "DELETE") return logout(request);
    return error(404, resource, "Not Found");
  }
  if (seg.size() == 3 && seg[2] == "primero" && m == "GET") return bootstrap(request);
  ApiResponse unauthorized;
  bool via_session = false;
  auto caller = authenticate(request, unauthorized, &via_session);
  if (!caller) return unauthorized;
  if (via_session && m != "GET") {
    if (auto bad = check_csrf(request)) return *bad;
  }

  if (seg.size() == 3 && seg[2] == "system_settings" && m == "GET") {
    rapidjson::Document d(rapidjson::kObjectType);
    rapidjson::Value data(rapidjson::kObjectType);
    data.AddMember("primero_version", str_value(version_, d.GetAllocator()), d.GetAllocator());
    data.AddMember("default_locale", "en", d.GetAllocator());
    return data_answer(200, data);
  }
  if (seg.size() == 3 && seg[2] == "forms" && m == "GET") return list_forms(request);
  if (seg.size() == 3 && seg[2] == "lookups" && m == "GET") return list_lookups(request);
  if (seg.size() >= 3 && seg[2] == "cases") {
    if (seg.size() == 3 && m == "GET") return list_cases(request);
    if (seg.size() == 3 && m == "POST") {
      rapidjson::Document body;
      if (auto err = parse_json(request.body, body)) return error(400, resource, "Bad Request: body is not JSON (" + *err + ")");
      const auto* data = find_member(body, "data");
      if (data == nullptr || !data->IsObject() || data->ObjectEmpty()) return error(422, resource, kMissingData);
      return create_case(*data, *caller, resource);
    }
    // ---- Primero referrals, users, seeding ----
    if (seg.size() == 4 && seg[3] == "referrals" && m == "POST") return create_referrals_bulk(request, *caller);
    if (seg.size() == 4 && m == "GET") return get_case(seg[3], request);
    if (seg.size() == 4 && m == "PATCH") return patch_case(seg[3], request, *caller);
    if (seg.size() == 4 && m == "DELETE") return disable_case(seg[3], request, *caller);
    if (seg.size() == 5 && seg[4] == "referrals" && m == "GET") return list_referrals(seg[3], request, *caller);
    if (seg.size() == 5 && seg[4] == "referrals" && m == "POST") {
      rapidjson::Document body;
      if (auto err = parse_json(request.body, body)) return error(400, resource, "Bad Request: body is not JSON (" + *err + ")");
      const auto* data = find_member(body, "data");
      if (data == nullptr || !data->IsObject() || data->ObjectEmpty()) return error(422, resource, kMissingData);
      return create_referral(seg[3], *data, *caller, resource);
    }
    // The path's case id is not checked against the referral's record_id (§6.5, §6.6).
    if (seg.size() == 6 && seg[4] == "referrals" && m == "PATCH") return update_referral(seg[5], request, *caller);
    if (seg.size() == 6 && seg[4] == "referrals" && m == "DELETE") return revoke_referral(seg[5], request, *caller);
  }
  if (seg.size() == 3 && seg[2] == "users" && m == "GET") return list_users(request);
  if (seg.size() == 4 && seg[2] == "users" && seg[3] == "refer-to" && m == "GET") return refer_to_users(request, *caller);
  if (seg.size() == 4 && seg[2] == "users" && m == "GET") return get_user(seg[3], request);
  return error(404, resource, "Not Found");
}
}  // namespace refbridge::sandbox::detail
