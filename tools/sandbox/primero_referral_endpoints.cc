// Primero referral endpoints: GET/POST /api/v2/cases/{id}/referrals, POST /api/v2/cases/referrals
// (bulk), PATCH and DELETE .../referrals/{id} (§6.2-§6.6).
#include "primero_fields.h"
#include "primero_http.h"
#include "primero_merge.h"
#include "primero_store.h"

#include <algorithm>

namespace refbridge::sandbox::detail {

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
  std::shared_lock lock(mutex_);
  auto it = cases_.find(record_id);
  if (it == cases_.end()) return error(404, request.raw_path, "Not Found");
  rapidjson::Document d(rapidjson::kArrayType);
  for (const auto& r : it->second.referrals) d.PushBack(referral_view(r, caller, d.GetAllocator()), d.GetAllocator());
  return data_answer(200, d);
}

std::optional<ApiResponse> PrimeroStore::check_referral_service(const rapidjson::Value& data, const std::string& resource) const {
  const auto* service = find_member(data, "service");
  if (service == nullptr || service->IsNull()) return std::nullopt;
  const auto* services = config_->case_field("services_section");
  const PrimeroField* type = nullptr;
  if (services != nullptr) {
    auto it = services->row_fields.find("service_type");
    if (it != services->row_fields.end()) type = &it->second;
  }
  if (type == nullptr || !type->options) return std::nullopt;  // no service type options to check against
  if (service->IsString() && type->options->count(std::string_view(service->GetString(), service->GetStringLength())) != 0) {
    return std::nullopt;
  }
  return invalid_record(resource, {"/service"});
}

ApiResponse PrimeroStore::create_referral(const std::string& record_id, const rapidjson::Value& data,
                                          const std::string& caller, const std::string& resource,
                                          const std::string& referral_id) {
  if (auto bad = check_referral_service(data, resource)) return *bad;
  std::lock_guard lock(mutex_);
  return create_referral_locked(record_id, data, caller, resource, referral_id);
}

ApiResponse PrimeroStore::create_referrals_bulk(const ApiRequest& request, const std::string& caller) {
  const auto& resource = request.raw_path;
  rapidjson::Document body;
  if (auto err = parse_json(request.body, body)) return error(400, resource, "Bad Request: body is not JSON (" + *err + ")");
  const auto* data = find_member(body, "data");
  if (data == nullptr || !data->IsObject() || data->ObjectEmpty()) return error(422, resource, kMissingData);
  rapidjson::Document out(rapidjson::kArrayType);
  const auto* ids = find_member(*data, "ids");
  if (ids == nullptr || !ids->IsArray() || ids->Empty()) return data_answer(200, out);
  if (auto bad = check_referral_service(*data, resource)) return *bad;
  std::lock_guard lock(mutex_);
  for (const auto& id : ids->GetArray()) {  // the whole call is 404 before anything is created
    if (!id.IsString() || cases_.count(id.GetString()) == 0) return error(404, resource, "Not Found");
  }
  for (const auto& id : ids->GetArray()) {
    auto one = create_referral_locked(id.GetString(), *data, caller, resource, {});
    if (one.status != 200) return one;  // no transaction: the earlier referrals stay (§6.4)
    rapidjson::Document created;
    parse_json(one.body, created);
    out.PushBack(rapidjson::Value(created["data"], out.GetAllocator()), out.GetAllocator());
  }
  return data_answer(200, out);
}

ApiResponse PrimeroStore::create_referral_locked(const std::string& record_id, const rapidjson::Value& data,
                                                 const std::string& caller, const std::string& resource,
                                                 const std::string& referral_id) {
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
  index_.update(record_id, c);

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
    index_.update(referral_cases_.at(referral_id), c);
  }
  rapidjson::Document out;
  out.SetObject() = referral_view(*referral, caller, out.GetAllocator());
  out.AddMember("record", case_delta(before, c, out.GetAllocator()), out.GetAllocator());
  return data_answer(200, out);
}
ApiResponse PrimeroStore::revoke_referral(const std::string& referral_id, const ApiRequest& request, const std::string& caller) {
  const auto& resource = request.raw_path;
  std::lock_guard lock(mutex_);
  const auto found = find_referral(referral_id);
  Case* kase = found.first;
  rapidjson::Document* referral = found.second;
  if (kase == nullptr) return error(404, resource, "Not Found");
  auto& c = kase->doc;
  auto& a = c.GetAllocator();
  if (auto failures = validate_referral(*referral, c, users_, false); !failures.empty()) return record_invalid(resource, failures);
  rapidjson::Document before;
  before.CopyFrom(c, before.GetAllocator());
  const auto recipient = string_member(*referral, "transitioned_to").value_or("");
  const bool still_active = std::any_of(kase->referrals.begin(), kase->referrals.end(), [&](const rapidjson::Document& other) {
    return &other != referral && is_active_referral_to(other, recipient);
  });
  apply_referral_revoked(*referral, referral->GetAllocator(), c, still_active);
  set_member(c, "last_updated_at", str_value(next_stamp(), a), a);
  set_member(c, "last_updated_by", str_value(caller, a), a);
  derive(c, a);
  index_.update(referral_cases_.at(referral_id), c);
  rapidjson::Document out;
  out.SetObject() = referral_view(*referral, caller, out.GetAllocator());
  out.AddMember("record", case_delta(before, c, out.GetAllocator()), out.GetAllocator());
  return data_answer(200, out);
}

}  // namespace refbridge::sandbox::detail
