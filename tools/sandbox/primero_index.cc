// Indexes of the sandbox's Primero cases. See primero_index.h.
#include "primero_index.h"

#include "primero_fields.h"
#include "primero_query.h"

namespace refbridge::sandbox::detail {

bool CaseIndex::hashed(std::string_view field) { return kIdentifierFields.count(field) != 0; }

void CaseIndex::drop(const std::string& record_id, const Entries& old) {
  for (const auto& [field, value] : old.exact) {
    auto f = exact_.find(field);
    if (f == exact_.end()) continue;
    auto v = f->second.find(value);
    if (v == f->second.end()) continue;
    v->second.erase(record_id);
    if (v->second.empty()) f->second.erase(v);
  }
  if (old.updated) {
    auto [lo, hi] = updated_.equal_range(*old.updated);
    for (auto it = lo; it != hi; ++it) {
      if (it->second == record_id) {
        updated_.erase(it);
        break;
      }
    }
  }
}

void CaseIndex::update(const std::string& record_id, const rapidjson::Value& doc) {
  auto& entries = entries_[record_id];
  drop(record_id, entries);
  entries = Entries{};
  if (!doc.IsObject()) return;
  for (auto m = doc.MemberBegin(); m != doc.MemberEnd(); ++m) {
    const std::string_view name(m->name.GetString(), m->name.GetStringLength());
    if (member_names_.find(std::string(name)) == member_names_.end()) member_names_.emplace(name);
    if (!hashed(name)) continue;
    auto add = [&](const rapidjson::Value& v) {
      auto text = scalar_text(v);
      if (!text) return;
      exact_[std::string(name)][*text].insert(record_id);
      entries.exact.emplace_back(std::string(name), std::move(*text));
    };
    if (m->value.IsArray()) {
      for (const auto& e : m->value.GetArray()) add(e);
    } else {
      add(m->value);
    }
  }
  const auto* updated = find_member(doc, "last_updated_at");
  if (updated != nullptr && updated->IsString()) {
    entries.updated = parse_date_time(std::string_view(updated->GetString(), updated->GetStringLength()), true);
    if (entries.updated) updated_.emplace(*entries.updated, record_id);
  }
}

std::vector<const std::string*> CaseIndex::exact(const std::string& field, const std::vector<std::string>& values) const {
  std::vector<const std::string*> out;
  auto f = exact_.find(field);
  if (f == exact_.end()) return out;
  std::unordered_set<std::string_view> seen;  // one case may hold several of the values
  for (const auto& value : values) {
    auto v = f->second.find(value);
    if (v == f->second.end()) continue;
    for (const auto& id : v->second) {
      if (seen.insert(id).second) out.push_back(&id);
    }
  }
  return out;
}

std::vector<const std::string*> CaseIndex::updated_between(Millis from, std::optional<Millis> to) const {
  std::vector<const std::string*> out;
  const auto end = to ? updated_.upper_bound(*to) : updated_.end();
  for (auto it = updated_.lower_bound(from); it != end; ++it) out.push_back(&it->second);
  return out;
}

}  // namespace refbridge::sandbox::detail
