// Primero case list: filters, ranges, ordering, paging and field selection (§4, §5.1). See primero_query.h.
#include "primero_fields.h"
#include "primero_http.h"
#include "primero_index.h"
#include "primero_query.h"
#include "primero_store.h"

#include <algorithm>
#include <set>

namespace refbridge::sandbox::detail {

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

namespace {

/// One filter: exact values (any of) or a range.
struct Filter {
  std::string key;
  std::vector<std::string> values;
  bool is_range = false;
  std::optional<long long> num_from, num_to;
  std::optional<Millis> time_from, time_to;
  bool numeric = false;
  bool whole_seconds = true;  ///< date-time ranges compare floor(seconds) (Primero), else milliseconds
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
    // Whole seconds, as Primero's SQL compares them: a value earlier in the same second as `from`
    // (or later in the same second as `to`) is inside the range.
    auto t = parse_date_time(std::string_view(v.GetString(), v.GetStringLength()), true);
    if (!t) return false;
    const auto secs = [&](Millis m) { return f.whole_seconds ? Millis(std::chrono::floor<std::chrono::seconds>(m)) : m; };
    return secs(*t) >= secs(*f.time_from) && (!f.time_to || secs(*t) <= secs(*f.time_to));
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

/// The cases worth testing against the filters, from the indexes (primero_index.h): the `id`
/// filter's ids, else the ids holding an exact identifier filter's values, else those inside a
/// last_updated_at range (widened to whole seconds when the filter compares whole seconds);
/// nullopt = no index applies (every case is a candidate). Every candidate still meets every
/// filter before it is listed, so the answer is that of a scan.
std::optional<std::vector<const std::string*>> candidate_ids(const CaseIndex& index,
                                                             const std::optional<std::set<std::string>>& id_filter,
                                                             const std::vector<Filter>& filters) {
  if (id_filter) {
    std::vector<const std::string*> out;
    for (const auto& id : *id_filter) out.push_back(&id);
    return out;
  }
  for (const auto& f : filters) {
    if (!f.is_range && CaseIndex::hashed(f.key)) return index.exact(f.key, f.values);
  }
  for (const auto& f : filters) {
    if (!f.is_range || f.numeric || f.key != "last_updated_at") continue;
    const auto whole = [&](Millis m) { return f.whole_seconds ? Millis(std::chrono::floor<std::chrono::seconds>(m)) : m; };
    std::optional<Millis> to;
    if (f.time_to) to = f.whole_seconds ? whole(*f.time_to) + std::chrono::milliseconds(999) : *f.time_to;
    return index.updated_between(whole(*f.time_from), to);
  }
  return std::nullopt;
}

}  // namespace

bool PrimeroStore::known_field(const std::string& key) const {
  if (kAlwaysFilterable.count(key) != 0 || kIdentifierFields.count(key) != 0 || kStringFields.count(key) != 0) return true;
  if (config_->case_field(key) != nullptr) return true;  // a field of the configured forms
  return index_.has_member(key);
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

  std::shared_lock lock(mutex_);
  // Filters: every parameter that names a readable field (`key[...]` collects array values).
  // An empty element of the array forms (`key[]=`, `key[0]=`) is no value; a key left with none
  // is no filter (Primero drops blank array elements, §5.1).
  std::map<std::string, std::vector<std::string>> raw;
  std::set<std::string> array_form;  ///< keys given as key[...]
  for (const auto& [k, v] : request.params) {
    const auto bracket = k.find('[');
    std::string key = k.substr(0, bracket);
    if (kNonFilterParams.count(key) != 0 || key.rfind("loc:", 0) == 0) continue;
    if (bracket != std::string::npos) {
      array_form.insert(key);
      if (v.empty()) {
        raw.try_emplace(key);
        continue;
      }
    }
    raw[key].push_back(v);
  }
  std::erase_if(raw, [](const auto& entry) { return entry.second.empty(); });
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
      if (auto f = make_range(key, values[0])) {
        f->whole_seconds = !millisecond_ranges_;
        filters.push_back(*f);
      }
      continue;
    }
    Filter f;
    f.key = key;
    // 2.11+ (PostgreSQL search): an identifier filter's value is one literal, commas included;
    // ≤2.10 and other fields read a comma list as "any of".
    const bool literal = session_mode() && kIdentifierFields.count(key) != 0 && array_form.count(key) == 0;
    for (const auto& v : values) {
      if (literal) {
        f.values.push_back(v);
        continue;
      }
      for (const auto& part : split_commas(v)) f.values.push_back(part);
    }
    filters.push_back(std::move(f));
  }
  std::optional<std::string> query;
  if (auto q = request.params.find("query"); q != request.params.end() && !q->second.empty()) query = lower(q->second);

  std::vector<const Case*> hits;
  auto consider = [&](const std::string& id, const Case& c) {
    if (id_filter && id_filter->count(id) == 0) return;
    const bool ok = std::all_of(filters.begin(), filters.end(), [&](const Filter& f) {
      const auto* v = find_member(c.doc, f.key);
      return v != nullptr && value_matches(*v, f);
    });
    if (!ok) return;
    if (query) {
      const bool found = std::any_of(kIdentifierFields.begin(), kIdentifierFields.end(), [&](const std::string& field) {
        auto s = string_member(c.doc, field);
        return s && lower(*s).find(*query) != std::string::npos;
      });
      if (!found) return;
    }
    hits.push_back(&c);
  };
  if (const auto candidates = candidate_ids(index_, id_filter, filters)) {
    for (const auto* id : *candidates) {
      if (auto it = cases_.find(*id); it != cases_.end()) consider(it->first, it->second);
    }
  } else {
    for (const auto& entry : cases_) consider(entry.first, entry.second);
  }

  std::string order_by = "created_at";
  if (auto o = request.params.find("order_by"); o != request.params.end() && !o->second.empty()) order_by = o->second;
  bool desc = true;
  if (auto o = request.params.find("order"); o != request.params.end()) desc = lower(o->second) != "asc";
  // A total order (ties broken by record id) so consecutive pages never skip nor repeat a case.
  // Only the cases up to the end of the requested page need their place.
  std::vector<std::pair<SortKey, const Case*>> keyed;
  keyed.reserve(hits.size());
  for (const auto* c : hits) keyed.emplace_back(sort_key(find_member(c->doc, order_by)), c);
  const auto start = static_cast<std::size_t>((page - 1) * per);
  const auto page_end = std::min(keyed.size(), start + static_cast<std::size_t>(per));
  if (start < keyed.size()) {
    std::partial_sort(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(page_end), keyed.end(),
                      [&](const auto& x, const auto& y) {
                        int cmp = compare_keys(x.first, y.first);
                        if (cmp == 0) {
                          cmp = string_member(x.second->doc, "id").value_or("").compare(string_member(y.second->doc, "id").value_or(""));
                        }
                        return desc ? cmp > 0 : cmp < 0;
                      });
  }

  // `fields`: a comma list, or "short"; id, enabled and last_updated_at are always present.
  std::optional<std::vector<std::string>> fields;
  if (auto f = request.params.find("fields"); f != request.params.end() && !f->second.empty()) {
    fields = f->second == "short" ? kShortFields : split_commas(f->second);
    for (const char* always : {"id", "enabled", "last_updated_at"}) fields->emplace_back(always);
  }

  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value items(rapidjson::kArrayType);
  for (std::size_t i = start; i < page_end; ++i) {
    const Case* hit = keyed[i].second;
    if (!fields) {
      items.PushBack(rapidjson::Value(hit->doc, a), a);
      continue;
    }
    rapidjson::Value sel(rapidjson::kObjectType);
    for (const auto& name : *fields) {
      const auto* v = find_member(hit->doc, name);
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
}  // namespace refbridge::sandbox::detail
