// Primero users of the sandbox. See primero_users.h and primero-api-v2.md §7.1.
#include "primero_users.h"

#include <algorithm>
#include <cctype>

namespace refbridge::sandbox::detail {

namespace {

std::string lower_ascii(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

/// One default user: every value synthetic ("sandbox" names, ".invalid" e-mail, "+000" phone).
struct DefaultUser {
  const char* user_name;
  const char* full_name;
  const char* email;
  const char* phone;
  const char* position;
  const char* code;
  int agency_id;
};

std::int64_t user_id(const rapidjson::Value& user) {
  const auto* id = find_member(user, "id");
  return id != nullptr && id->IsInt64() ? id->GetInt64() : 0;
}

}  // namespace

const std::vector<std::string>& UserDirectory::user_fields() {
  static const std::vector<std::string> fields = {"id",       "user_name", "full_name", "email",
                                                  "phone",    "position",  "code",      "agency_id",
                                                  "disabled", "location",  "services",  "agency_unique_id"};
  return fields;
}

void UserDirectory::seed_defaults(const std::string& api_user) {
  const std::vector<DefaultUser> defaults = {
      {api_user.c_str(), "Sandbox API User", "api.user@sandbox.invalid", "+000 000 000 001", "Integration account",
       "SBX-API", 1},
      {"openfn_testing", "Sandbox Test Caseworker", "openfn.testing@sandbox.invalid", "+000 000 000 002",
       "Case worker (test)", "SBX-CW-01", 1},
      {"unhcr_cw@cpims-gambella.primero.org", "Sandbox UNHCR Focal Point", "unhcr.focal@sandbox.invalid",
       "+000 000 000 003", "Protection focal point (test)", "SBX-UNHCR-01", 2},
      {"unhcr_cw", "Sandbox UNHCR Caseworker", "unhcr.cw@sandbox.invalid", "+000 000 000 004", "Case worker (test)",
       "SBX-UNHCR-02", 2},
      {"tabide", "Sandbox Partner Caseworker", "tabide@sandbox.invalid", "+000 000 000 005", "Case worker (test)",
       "SBX-DRC-01", 3},
      {"cpims_admin", "Sandbox CPIMS+ Administrator", "cpims.admin@sandbox.invalid", "+000 000 000 006",
       "System administrator (test)", "SBX-ADMIN", 1},
  };
  for (const auto& u : defaults) {
    rapidjson::Document d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    d.AddMember("user_name", str_value(u.user_name, a), a);
    d.AddMember("full_name", str_value(u.full_name, a), a);
    d.AddMember("email", str_value(u.email, a), a);
    d.AddMember("phone", str_value(u.phone, a), a);
    d.AddMember("position", str_value(u.position, a), a);
    d.AddMember("code", str_value(u.code, a), a);
    d.AddMember("agency_id", u.agency_id, a);
    std::string problem;
    bool conflict = false;
    add(d, problem, conflict);  // a duplicate (api_user named like a default) keeps the first
  }
}

std::optional<rapidjson::Document> UserDirectory::add(const rapidjson::Value& user, std::string& problem, bool& conflict) {
  conflict = false;
  if (!user.IsObject()) {
    problem = "user must be a JSON object";
    return std::nullopt;
  }
  const auto name = string_member(user, "user_name");
  if (!name || name->empty()) {
    problem = "user_name must be a non-empty string";
    return std::nullopt;
  }
  if (find(*name) != nullptr) {
    problem = "user_name already exists";
    conflict = true;
    return std::nullopt;
  }
  std::int64_t id = next_id_;
  if (const auto* given = find_member(user, "id"); given != nullptr && !given->IsNull()) {
    if (!given->IsInt64() || given->GetInt64() < 1) {
      problem = "id must be a positive integer";
      return std::nullopt;
    }
    id = given->GetInt64();
    if (std::any_of(users_.begin(), users_.end(), [&](const rapidjson::Document& u) { return user_id(u) == id; })) {
      problem = "id already exists";
      conflict = true;
      return std::nullopt;
    }
  }
  rapidjson::Document stored(rapidjson::kObjectType);
  auto& a = stored.GetAllocator();
  stored.AddMember("id", id, a);
  for (const auto& field : user_fields()) {
    if (field == "id") continue;
    const auto* v = find_member(user, field);
    if (v != nullptr && !v->IsNull()) stored.AddMember(str_value(field, a), rapidjson::Value(*v, a), a);
  }
  if (find_member(stored, "disabled") == nullptr) stored.AddMember("disabled", false, a);
  next_id_ = std::max(next_id_, id + 1);
  rapidjson::Document copy;
  copy.CopyFrom(stored, copy.GetAllocator());
  users_.push_back(std::move(stored));
  return copy;
}

std::string UserDirectory::list_json(const std::optional<std::string>& user_name, long long page, long long per) const {
  std::vector<const rapidjson::Document*> hits;
  for (const auto& u : users_) {
    if (!user_name || string_member(u, "user_name") == user_name) hits.push_back(&u);
  }
  std::sort(hits.begin(), hits.end(), [](const auto* x, const auto* y) { return user_id(*x) < user_id(*y); });
  const auto enabled = std::count_if(hits.begin(), hits.end(), [](const auto* u) {
    const auto* d = find_member(*u, "disabled");
    return d == nullptr || !d->IsBool() || !d->GetBool();
  });

  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value items(rapidjson::kArrayType);
  const auto start = static_cast<std::size_t>((page - 1) * per);
  for (std::size_t i = start; i < hits.size() && i < start + static_cast<std::size_t>(per); ++i) {
    items.PushBack(rapidjson::Value(*hits[i], a), a);
  }
  d.AddMember("data", items, a);
  rapidjson::Value meta(rapidjson::kObjectType);
  meta.AddMember("total", static_cast<std::uint64_t>(hits.size()), a);
  meta.AddMember("per", static_cast<std::int64_t>(per), a);
  meta.AddMember("page", static_cast<std::int64_t>(page), a);
  meta.AddMember("total_enabled", static_cast<std::int64_t>(enabled), a);
  d.AddMember("metadata", meta, a);
  return to_json(d);
}

std::optional<std::string> UserDirectory::user_json(std::int64_t id) const {
  for (const auto& u : users_) {
    if (user_id(u) != id) continue;
    rapidjson::Document d(rapidjson::kObjectType);
    d.AddMember("data", rapidjson::Value(u, d.GetAllocator()), d.GetAllocator());
    return to_json(d);
  }
  return std::nullopt;
}

std::string UserDirectory::refer_to_json(const std::string& caller, const std::string& agency, const std::string& location,
                                         const std::string& service) const {
  std::vector<const rapidjson::Document*> hits;
  for (const auto& u : users_) {
    const auto name = string_member(u, "user_name").value_or("");
    const auto* disabled = find_member(u, "disabled");
    if (lower_ascii(name) == lower_ascii(caller) || (disabled != nullptr && disabled->IsBool() && disabled->GetBool())) continue;
    if (!agency.empty() && string_member(u, "agency_unique_id") != agency) continue;
    if (!location.empty() && string_member(u, "location") != location) continue;
    if (!service.empty()) {
      const auto* services = find_member(u, "services");
      const bool offers = services != nullptr && services->IsArray() &&
                          std::any_of(services->Begin(), services->End(), [&](const rapidjson::Value& v) {
                            return v.IsString() && service == v.GetString();
                          });
      if (!offers) continue;
    }
    hits.push_back(&u);
  }
  std::sort(hits.begin(), hits.end(), [](const auto* x, const auto* y) { return user_id(*x) < user_id(*y); });
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value items(rapidjson::kArrayType);
  for (const auto* u : hits) {
    rapidjson::Value item(rapidjson::kObjectType);
    const std::pair<const char*, const char*> keys[] = {{"id", "id"},         {"user_name", "user_name"}, {"code", "code"},
                                                        {"position", "position"}, {"location", "location"},
                                                        {"agency_unique_id", "agency"}, {"disabled", "disabled"},
                                                        {"services", "services"}};
    for (const auto& [from, to] : keys) {
      if (const auto* v = find_member(*u, from)) item.AddMember(rapidjson::StringRef(to), rapidjson::Value(*v, a), a);
    }
    items.PushBack(item, a);
  }
  d.AddMember("data", items, a);
  return to_json(d);
}

const rapidjson::Document* UserDirectory::find(const std::string& user_name) const {
  const std::string wanted = lower_ascii(user_name);
  for (const auto& u : users_) {
    if (auto n = string_member(u, "user_name"); n && lower_ascii(*n) == wanted) return &u;
  }
  return nullptr;
}

bool UserDirectory::is_disabled(const std::string& user_name) const {
  const auto* u = find(user_name);
  if (u == nullptr) return false;
  const auto* d = find_member(*u, "disabled");
  return d != nullptr && d->IsBool() && d->GetBool();
}

bool UserDirectory::exists(const std::string& user_name) const { return find(user_name) != nullptr; }

}  // namespace refbridge::sandbox::detail
