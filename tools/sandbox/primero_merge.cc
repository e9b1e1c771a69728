// Primero write semantics: derived members, subform merge by unique_id, write deltas. See primero_merge.h.
#include "primero_merge.h"

#include "primero_fields.h"

#include <algorithm>

namespace refbridge::sandbox::detail {

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
}  // namespace refbridge::sandbox::detail
