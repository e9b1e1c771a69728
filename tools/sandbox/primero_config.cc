// The sandbox's Primero configuration (forms, lookups) and its record-write rules. See primero_config.h.
#include "primero_config.h"

#include "primero_fields.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>

namespace refbridge::sandbox::detail {

// Defined in the build-generated primero_config_embedded.cc (tools/sandbox/config/*.json).
extern const char* const kEmbeddedFormsJson;
extern const char* const kEmbeddedLookupsJson;

namespace {

using OptionSet = std::set<std::string, std::less<>>;

/// The array under "data", or the document itself when it is an array; nullptr otherwise.
const rapidjson::Value* data_array(const rapidjson::Value& doc) {
  if (doc.IsArray()) return &doc;
  const auto* d = find_member(doc, "data");
  return d != nullptr && d->IsArray() ? d : nullptr;
}

bool bool_member(const rapidjson::Value& obj, std::string_view key) {
  const auto* v = find_member(obj, key);
  return v != nullptr && v->IsBool() && v->GetBool();
}

/// Option ids of an inline option_strings_text ([{id, display_text}] or a locale map of such arrays).
OptionSet inline_options(const rapidjson::Value& text) {
  OptionSet out;
  auto add_all = [&](const rapidjson::Value& arr) {
    for (const auto& o : arr.GetArray()) {
      if (auto id = string_member(o, "id")) out.insert(*id);
    }
  };
  if (text.IsArray()) add_all(text);
  if (text.IsObject()) {
    for (auto m = text.MemberBegin(); m != text.MemberEnd(); ++m) {
      if (m->value.IsArray()) add_all(m->value);
    }
  }
  return out;
}

struct RawForm {
  const rapidjson::Value* json = nullptr;
  bool nested = false;
  std::string parent_form;
};

}  // namespace

refbridge::Result<PrimeroConfig> PrimeroConfig::load(std::string_view forms_json, std::string_view lookups_json) {
  rapidjson::Document forms;
  rapidjson::Document lookups;
  if (auto err = parse_json(forms_json, forms)) return make_error(ErrorCode::kConfig, "Primero forms: not JSON (" + *err + ")");
  if (auto err = parse_json(lookups_json, lookups)) return make_error(ErrorCode::kConfig, "Primero lookups: not JSON (" + *err + ")");
  const auto* form_list = data_array(forms);
  const auto* lookup_list = data_array(lookups);
  if (form_list == nullptr) return make_error(ErrorCode::kConfig, "Primero forms: expected {\"data\":[form...]} or an array");
  if (lookup_list == nullptr) return make_error(ErrorCode::kConfig, "Primero lookups: expected {\"data\":[lookup...]} or an array");

  PrimeroConfig c;
  for (const auto& l : lookup_list->GetArray()) {
    const auto uid = string_member(l, "unique_id");
    const auto* values = find_member(l, "values");
    if (!l.IsObject() || !uid || uid->empty()) return make_error(ErrorCode::kConfig, "Primero lookups: a lookup without unique_id");
    if (values == nullptr || !values->IsArray()) {
      return make_error(ErrorCode::kConfig, "Primero lookups: " + *uid + " has no values array");
    }
    auto& ids = c.lookups_[*uid];
    for (const auto& v : values->GetArray()) {
      auto id = string_member(v, "id");
      if (!id) return make_error(ErrorCode::kConfig, "Primero lookups: " + *uid + " has a value without a string id");
      ids.insert(*id);
    }
    c.lookups_json_.push_back(to_json(l));
  }

  std::map<long long, RawForm> by_id;
  for (const auto& f : form_list->GetArray()) {
    if (!f.IsObject()) return make_error(ErrorCode::kConfig, "Primero forms: a form is not an object");
    const auto* id = find_member(f, "id");
    const auto uid = string_member(f, "unique_id").value_or("");
    if (id == nullptr || !id->IsInt64()) return make_error(ErrorCode::kConfig, "Primero forms: form " + uid + " has no integer id");
    const auto* fields = find_member(f, "fields");
    if (fields == nullptr || !fields->IsArray()) return make_error(ErrorCode::kConfig, "Primero forms: form " + uid + " has no fields array");
    RawForm raw{&f, bool_member(f, "is_nested"), string_member(f, "parent_form").value_or("case")};
    by_id[id->GetInt64()] = raw;
    Form served{to_json(f), raw.parent_form, {}};
    if (const auto* mods = find_member(f, "module_ids"); mods != nullptr && mods->IsArray()) {
      for (const auto& m : mods->GetArray()) {
        if (m.IsString()) served.module_ids.emplace_back(m.GetString());
      }
    }
    c.forms_.push_back(std::move(served));
  }

  // Fields of one form section, subforms resolved (depth-limited against cycles).
  std::function<refbridge::Result<std::map<std::string, PrimeroField, std::less<>>>(const rapidjson::Value&, int)> read_fields;
  read_fields = [&](const rapidjson::Value& form, int depth) -> refbridge::Result<std::map<std::string, PrimeroField, std::less<>>> {
    std::map<std::string, PrimeroField, std::less<>> out;
    const auto form_uid = string_member(form, "unique_id").value_or("?");
    for (const auto& f : form["fields"].GetArray()) {
      PrimeroField field;
      field.name = string_member(f, "name").value_or("");
      field.type = string_member(f, "type").value_or("");
      if (field.name.empty() || field.type.empty()) {
        return make_error(ErrorCode::kConfig, "Primero forms: form " + form_uid + " has a field without name or type");
      }
      field.multi_select = bool_member(f, "multi_select");
      field.date_include_time = bool_member(f, "date_include_time");
      field.not_future_date = string_member(f, "date_validation").value_or("") == "not_future_date";
      if (auto source = string_member(f, "option_strings_source"); source && source->rfind("lookup ", 0) == 0) {
        const auto lookup = source->substr(7);
        auto it = c.lookups_.find(lookup);
        if (it == c.lookups_.end()) {
          return make_error(ErrorCode::kConfig, "Primero forms: field " + field.name + " names unknown lookup " + lookup);
        }
        field.options = it->second;
      } else if (const auto* text = find_member(f, "option_strings_text"); text != nullptr && !source) {
        auto opts = inline_options(*text);
        if (!opts.empty()) field.options = std::move(opts);
      }
      if (field.type == "subform") {
        const auto* sub = find_member(f, "subform_section_id");
        auto it = sub != nullptr && sub->IsInt64() ? by_id.find(sub->GetInt64()) : by_id.end();
        if (it == by_id.end()) {
          return make_error(ErrorCode::kConfig, "Primero forms: subform " + field.name + " names no form by subform_section_id");
        }
        if (depth > 4) return make_error(ErrorCode::kConfig, "Primero forms: subforms nested too deep at " + field.name);
        REFBRIDGE_TRY(auto rows, read_fields(*it->second.json, depth + 1));
        field.row_fields = std::move(rows);
      }
      out.insert_or_assign(field.name, std::move(field));
    }
    return out;
  };
  for (const auto& [id, raw] : by_id) {
    if (raw.nested || raw.parent_form != "case") continue;
    REFBRIDGE_TRY(auto fields, read_fields(*raw.json, 0));
    for (auto& [name, field] : fields) c.case_fields_.insert_or_assign(name, std::move(field));
  }
  return c;
}

const PrimeroConfig& PrimeroConfig::stock() {
  static const PrimeroConfig config = [] {
    auto loaded = load(kEmbeddedFormsJson, kEmbeddedLookupsJson);
    if (!loaded) {
      std::fprintf(stderr, "refbridge sandbox: embedded Primero configuration: %s\n", loaded.error().describe().c_str());
      std::abort();
    }
    return std::move(loaded).value();
  }();
  return config;
}

std::string_view PrimeroConfig::stock_forms_json() { return kEmbeddedFormsJson; }
std::string_view PrimeroConfig::stock_lookups_json() { return kEmbeddedLookupsJson; }

const PrimeroField* PrimeroConfig::case_field(std::string_view name) const {
  auto it = case_fields_.find(name);
  return it == case_fields_.end() ? nullptr : &it->second;
}

const std::set<std::string, std::less<>>* PrimeroConfig::lookup_values(std::string_view unique_id) const {
  auto it = lookups_.find(unique_id);
  return it == lookups_.end() ? nullptr : &it->second;
}

std::string PrimeroConfig::forms_answer(const std::optional<std::string>& record_type,
                                        const std::optional<std::string>& module_id) const {
  std::string out = "{\"data\":[";
  bool first = true;
  for (const auto& f : forms_) {
    if (record_type && f.parent_form != *record_type) continue;
    if (module_id && std::find(f.module_ids.begin(), f.module_ids.end(), *module_id) == f.module_ids.end()) continue;
    if (!first) out += ",";
    first = false;
    out += f.json;
  }
  return out + "]}";
}

std::string PrimeroConfig::lookups_answer(long long page, long long per) const {
  std::string out = "{\"data\":[";
  const auto start = static_cast<std::size_t>((page - 1) * per);
  for (std::size_t i = start; i < lookups_json_.size() && i < start + static_cast<std::size_t>(per); ++i) {
    if (i != start) out += ",";
    out += lookups_json_[i];
  }
  return out + "],\"metadata\":{\"total\":" + std::to_string(lookups_json_.size()) + ",\"per\":" + std::to_string(per) +
         ",\"page\":" + std::to_string(page) + "}}";
}

// ---- record writes --------------------------------------------------------------------------

namespace {

bool is_string_of(const rapidjson::Value& v, const std::optional<OptionSet>& options) {
  return v.IsString() && (!options || options->count(std::string_view(v.GetString(), v.GetStringLength())) != 0);
}

/// Checks (and normalises into `out`) one value of `field`; false when it violates the field.
bool clean_value(const PrimeroField& field, const rapidjson::Value& v, rapidjson::Value& out, Alloc& a) {
  out.CopyFrom(v, a);
  if (v.IsNull()) return true;
  const auto& t = field.type;
  if (t == "text_field" || t == "textarea") return v.IsString();
  if (t == "numeric_field") {
    return v.IsInt64() && v.GetInt64() >= std::numeric_limits<std::int32_t>::min() &&
           v.GetInt64() <= std::numeric_limits<std::int32_t>::max();
  }
  if (t == "tick_box") return v.IsBool();
  if (t == "radio_button") return v.IsBool() || is_string_of(v, field.options);
  if (t == "select_box") {
    if (!field.multi_select) return is_string_of(v, field.options);
    return v.IsArray() && std::all_of(v.Begin(), v.End(), [&](const rapidjson::Value& e) { return is_string_of(e, field.options); });
  }
  if (t == "date_field") {
    if (!field.date_include_time) return is_date(v, field.not_future_date);
    if (!is_date_time(v)) return false;
    out = str_value(format_utc_ms(*parse_date_time(std::string_view(v.GetString(), v.GetStringLength()), false)), a);
    return true;
  }
  if (t == "tally_field") return v.IsObject();
  return true;  // custom, calculated, ...: not checked
}

/// The fields a member name is looked up in: the case's (config) or a subform row's (rows).
struct Scope {
  const PrimeroConfig* config = nullptr;
  const std::map<std::string, PrimeroField, std::less<>>* rows = nullptr;
  [[nodiscard]] const PrimeroField* find(std::string_view key) const {
    if (config != nullptr) return config->case_field(key);
    auto it = rows->find(key);
    return it == rows->end() ? nullptr : &it->second;
  }
};

void clean_members(const Scope& fields, const rapidjson::Value& src, rapidjson::Value& dst, Alloc& a, const std::string& at,
                   bool check_id, CleanedRecord& result);

void clean_rows(const PrimeroField& field, const rapidjson::Value& v, rapidjson::Value& out, Alloc& a, const std::string& ptr,
                CleanedRecord& result) {
  if (v.IsNull()) {
    out.SetNull();
    return;
  }
  if (!v.IsArray() || !std::all_of(v.Begin(), v.End(), [](const rapidjson::Value& e) { return e.IsObject(); })) {
    result.invalid.push_back(ptr);
    return;
  }
  out.SetArray();
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    rapidjson::Value row(rapidjson::kObjectType);
    clean_members(Scope{nullptr, &field.row_fields}, v[i], row, a, ptr + "/" + std::to_string(i), false, result);
    out.PushBack(row, a);
  }
}

void clean_members(const Scope& fields, const rapidjson::Value& src, rapidjson::Value& dst, Alloc& a, const std::string& at,
                   bool check_id, CleanedRecord& result) {
  const bool is_row = fields.config == nullptr;
  for (auto m = src.MemberBegin(); m != src.MemberEnd(); ++m) {
    const std::string key(m->name.GetString(), m->name.GetStringLength());
    const auto& v = m->value;
    const std::string ptr = at + "/" + pointer_escape(key);
    if (is_row && key == "unique_id") {
      if (!v.IsString() || !is_lower_uuid(std::string_view(v.GetString(), v.GetStringLength()))) result.invalid.push_back(ptr);
      dst.AddMember(str_value(key, a), rapidjson::Value(v, a), a);
      continue;
    }
    if (is_row && key == "_destroy") {
      if (!v.IsBool() && !v.IsNull()) result.invalid.push_back(ptr);
      dst.AddMember(str_value(key, a), rapidjson::Value(v, a), a);
      continue;
    }
    if (!is_row && key == "id") {
      if (check_id && !(v.IsString() && is_lower_uuid(std::string_view(v.GetString(), v.GetStringLength())))) {
        result.invalid.push_back(ptr);
      }
      dst.AddMember(str_value(key, a), rapidjson::Value(v, a), a);
      continue;
    }
    const PrimeroField* f = fields.find(key);
    if (f == nullptr || (!is_row && kReadOnly.count(key) != 0) || f->type == "separator") {
      result.dropped.push_back(at.empty() ? key : at.substr(1) + "/" + key);
      continue;
    }
    rapidjson::Value out;
    if (f->type == "subform") {
      clean_rows(*f, v, out, a, ptr, result);
    } else if (!clean_value(*f, v, out, a)) {
      result.invalid.push_back(ptr);
    }
    dst.AddMember(str_value(key, a), std::move(out), a);
  }
}

}  // namespace

CleanedRecord clean_case_data(const PrimeroConfig& config, const rapidjson::Value& data, bool check_id) {
  CleanedRecord result;
  clean_members(Scope{&config, nullptr}, data, result.data, result.data.GetAllocator(), "", check_id, result);
  return result;
}

}  // namespace refbridge::sandbox::detail
