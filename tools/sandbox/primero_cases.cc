// Primero case endpoints: POST, GET, PATCH, DELETE /api/v2/cases[/id] (§5.2-§5.5) and the write clock.
#include "primero_fields.h"
#include "primero_http.h"
#include "primero_merge.h"
#include "primero_store.h"

#include <algorithm>

namespace refbridge::sandbox::detail {

// ---- cases ----------------------------------------------------------------------------------

ApiResponse PrimeroStore::create_case(const rapidjson::Value& data, const std::string& caller, const std::string& resource) {
  auto cleaned = clean(data, true);
  if (!cleaned.invalid.empty()) return invalid_record(resource, cleaned.invalid);
  const auto client_id = string_member(cleaned.data, "id");

  rapidjson::Document c(rapidjson::kObjectType);
  auto& a = c.GetAllocator();
  const std::string id = client_id.value_or(random_uuid());
  c.AddMember("id", str_value(id, a), a);
  const rapidjson::Value& kept = cleaned.data;
  for (auto m = kept.MemberBegin(); m != kept.MemberEnd(); ++m) {
    const std::string_view key(m->name.GetString(), m->name.GetStringLength());
    if (key == "id") continue;
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
  index_.update(id, it->second.doc);
  if (client_id) {
    ApiResponse r;
    r.status = 204;
    r.content_type.clear();
    return r;
  }
  return data_answer(200, it->second.doc);
}

CleanedRecord PrimeroStore::clean(const rapidjson::Value& data, bool check_id) const {
  return clean_case_data(*config_, data, check_id);
}

ApiResponse PrimeroStore::get_case(const std::string& id, const ApiRequest& request) {
  std::shared_lock lock(mutex_);
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
  auto cleaned = clean(*data, false);
  if (!cleaned.invalid.empty()) return invalid_record(resource, cleaned.invalid);
  data = &cleaned.data;

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
    if (key == "id") continue;
    writable.AddMember(rapidjson::Value(m->name, a), rapidjson::Value(m->value, a), a);
  }
  merge_object(c, writable, a);
  set_member(c, "last_updated_at", str_value(next_stamp(), a), a);
  set_member(c, "last_updated_by", str_value(caller, a), a);
  derive(c, a);
  index_.update(id, c);
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
  index_.update(id, c);
  ApiResponse r;
  r.body = R"({"data":{"id":)" + to_json(str_value(id, a)) + "}}";
  return r;
}

std::string PrimeroStore::dump_json() const {
  std::shared_lock lock(mutex_);
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
  std::shared_lock lock(mutex_);
  auto it = cases_.find(id);
  if (it == cases_.end()) return std::nullopt;
  return to_json(it->second.doc);
}

std::size_t PrimeroStore::count() const {
  std::shared_lock lock(mutex_);
  return cases_.size();
}

std::string PrimeroStore::next_stamp() {
  last_stamp_ = std::max(now_ms(), last_stamp_ + std::chrono::milliseconds(1));
  return format_utc_ms(last_stamp_);
}
}  // namespace refbridge::sandbox::detail
