// Primero v2 state outside the API paths: users, fixture import, dumps and the demo's decision step.
// See primero_store.h; the API paths are in primero_http.cc, primero_auth.cc, primero_cases.cc,
// primero_query.cc and primero_referral_endpoints.cc.
#include "primero_http.h"
#include "primero_merge.h"
#include "primero_query.h"
#include "primero_store.h"

#include <algorithm>

namespace refbridge::sandbox::detail {

ApiResponse PrimeroStore::list_users(const ApiRequest& request) {
  long long page = 1;
  long long per = 20;
  if (auto bad = read_paging(request, page, per)) return *bad;
  std::optional<std::string> user_name;
  if (auto u = request.params.find("user_name"); u != request.params.end()) user_name = u->second;
  std::shared_lock lock(mutex_);
  ApiResponse r;
  r.body = users_.list_json(user_name, page, per);
  return r;
}

ApiResponse PrimeroStore::get_user(const std::string& id, const ApiRequest& request) {
  const auto n = integer_text(id);
  std::shared_lock lock(mutex_);
  auto found = n && *n > 0 ? users_.user_json(*n) : std::nullopt;
  if (!found) return error(404, request.raw_path, "Not Found");
  ApiResponse r;
  r.body = *found;
  return r;
}

ApiResponse PrimeroStore::refer_to_users(const ApiRequest& request, const std::string& caller) {
  auto param = [&](const char* k) {
    auto it = request.params.find(k);
    return it == request.params.end() ? std::string() : it->second;
  };
  if (param("record_type").empty()) {
    return error(422, request.raw_path, "param is missing or the value is empty or invalid: record_type");
  }
  std::shared_lock lock(mutex_);
  ApiResponse r;
  r.body = users_.refer_to_json(caller, param("agency"), param("location"), param("service"));
  return r;
}

ApiResponse PrimeroStore::list_forms(const ApiRequest& request) const {
  auto param = [&](const char* k) -> std::optional<std::string> {
    auto it = request.params.find(k);
    if (it == request.params.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
  ApiResponse r;
  r.body = config_->forms_answer(param("record_type"), param("module_id"));
  return r;
}

ApiResponse PrimeroStore::list_lookups(const ApiRequest& request) const {
  long long page = 1;
  long long per = 20;
  if (auto bad = read_paging(request, page, per)) return *bad;
  ApiResponse r;
  r.body = config_->lookups_answer(page, per);
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
  auto [it, _] = cases_.emplace(*id, std::move(stored));
  case_ids_.emplace(case_id, *id);
  index_.update(*id, it->second.doc);
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
  std::shared_lock lock(mutex_);
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
  std::shared_lock lock(mutex_);
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
    std::shared_lock lock(mutex_);
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
