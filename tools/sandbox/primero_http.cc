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
}  // namespace refbridge::sandbox::detail
