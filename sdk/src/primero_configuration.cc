// Reading GET /api/v2/forms and GET /api/v2/lookups bodies. See refbridge/primero_configuration.h.
#include "refbridge/primero_configuration.h"

#include "refbridge/json.h"

namespace refbridge {
namespace {

using rapidjson::Value;

struct Reader {
  std::string origin;
  json::Path path;

  Error bad(std::string_view what) const {
    return make_error(ErrorCode::kInvalidInput, origin + ": " + path.str() + ": " + std::string(what));
  }

  /// The optional string member `key`; null counts as absent.
  Result<std::optional<std::string>> opt_string(const Value& obj, const char* key) {
    const auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || it->value.IsNull()) return std::optional<std::string>{};
    path.push_key(key);
    if (!it->value.IsString()) return bad("expected a string");
    path.pop();
    return std::optional<std::string>(std::string(it->value.GetString(), it->value.GetStringLength()));
  }
  Result<std::string> string(const Value& obj, const char* key) {
    REFBRIDGE_TRY(auto s, opt_string(obj, key));
    if (!s) {
      path.push_key(key);
      return bad("missing (a string is required)");
    }
    return *s;
  }
  Result<bool> flag(const Value& obj, const char* key) {
    const auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || it->value.IsNull()) return false;
    if (!it->value.IsBool()) {
      path.push_key(key);
      return bad("expected true or false");
    }
    return it->value.GetBool();
  }
  Result<std::optional<std::int64_t>> opt_int(const Value& obj, const char* key) {
    const auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || it->value.IsNull()) return std::optional<std::int64_t>{};
    if (!it->value.IsInt64()) {
      path.push_key(key);
      return bad("expected an integer");
    }
    return std::optional<std::int64_t>(it->value.GetInt64());
  }
  /// The ids of a list of {"id": "...", ...} (option_strings_text, a lookup's values).
  Result<std::optional<std::vector<std::string>>> ids(const Value& obj, const char* key) {
    const auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || it->value.IsNull()) return std::optional<std::vector<std::string>>{};
    path.push_key(key);
    if (!it->value.IsArray()) return bad("expected a list");
    std::vector<std::string> out;
    for (rapidjson::SizeType i = 0; i < it->value.Size(); ++i) {
      path.push_index(i);
      if (!it->value[i].IsObject()) return bad("expected an object");
      REFBRIDGE_TRY(auto id, string(it->value[i], "id"));
      out.push_back(std::move(id));
      path.pop();
    }
    path.pop();
    return std::optional<std::vector<std::string>>(std::move(out));
  }
  std::string label(const Value& obj, const char* key) {
    const auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || !it->value.IsObject()) return {};
    const auto en = it->value.FindMember("en");
    return en != it->value.MemberEnd() && en->value.IsString() ? std::string(en->value.GetString()) : std::string();
  }

  Result<PrimeroFormField> field(const Value& v) {
    if (!v.IsObject()) return bad("expected an object");
    PrimeroFormField f;
    REFBRIDGE_TRY(f.name, string(v, "name"));
    REFBRIDGE_TRY(auto type, opt_string(v, "type"));
    f.type = type.value_or("");
    REFBRIDGE_TRY(f.option_strings_source, opt_string(v, "option_strings_source"));
    REFBRIDGE_TRY(f.option_ids, ids(v, "option_strings_text"));
    REFBRIDGE_TRY(f.subform_section_id, opt_int(v, "subform_section_id"));
    REFBRIDGE_TRY(f.subform_section_unique_id, opt_string(v, "subform_section_unique_id"));
    REFBRIDGE_TRY(f.required, flag(v, "required"));
    REFBRIDGE_TRY(f.multi_select, flag(v, "multi_select"));
    REFBRIDGE_TRY(f.date_include_time, flag(v, "date_include_time"));
    f.label = label(v, "display_name");
    return f;
  }

  Result<PrimeroFormSection> section(const Value& v) {
    if (!v.IsObject()) return bad("expected an object");
    PrimeroFormSection s;
    REFBRIDGE_TRY(s.id, opt_int(v, "id"));
    REFBRIDGE_TRY(s.unique_id, string(v, "unique_id"));
    REFBRIDGE_TRY(s.parent_form, opt_string(v, "parent_form"));
    REFBRIDGE_TRY(s.is_nested, flag(v, "is_nested"));
    if (const auto m = v.FindMember("module_ids"); m != v.MemberEnd() && !m->value.IsNull()) {
      path.push_key("module_ids");
      if (!m->value.IsArray()) return bad("expected a list of strings");
      std::vector<std::string> ids;
      for (const auto& id : m->value.GetArray()) {
        if (!id.IsString()) return bad("expected a list of strings");
        ids.emplace_back(id.GetString(), id.GetStringLength());
      }
      s.module_ids = std::move(ids);
      path.pop();
    }
    if (const auto fs = v.FindMember("fields"); fs != v.MemberEnd() && !fs->value.IsNull()) {
      path.push_key("fields");
      if (!fs->value.IsArray()) return bad("expected a list");
      for (rapidjson::SizeType i = 0; i < fs->value.Size(); ++i) {
        path.push_index(i);
        REFBRIDGE_TRY(auto f, field(fs->value[i]));
        s.fields.push_back(std::move(f));
        path.pop();
      }
      path.pop();
    }
    return s;
  }

  /// The "data" list of a {"data": [...]} body.
  Result<const Value*> data(const rapidjson::Document& doc) {
    if (!doc.IsObject()) return bad("expected {\"data\": [...]}");
    const auto it = doc.FindMember("data");
    path.push_key("data");
    if (it == doc.MemberEnd() || !it->value.IsArray()) return bad("expected a list");
    return &it->value;
  }
};

/// Calls `item` on each member of the {"data": [...]} body `body` (with the reader's path at it).
template <class F>
Result<void> each_item(std::string_view body, std::string origin, F item) {
  Reader r{std::move(origin), {}};
  rapidjson::Document doc;
  if (auto p = json::parse_document(body, doc); !p) return r.bad(p.error().message);
  REFBRIDGE_TRY(const Value* list, r.data(doc));
  for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
    r.path.push_index(i);
    REFBRIDGE_TRY(item(r, (*list)[i]));
    r.path.pop();
  }
  return ok();
}

}  // namespace

Result<PrimeroConfiguration> parse_primero_configuration(std::string_view forms_json, std::string_view lookups_json,
                                                         std::string_view origin) {
  PrimeroConfiguration config;
  REFBRIDGE_TRY(each_item(forms_json, std::string(origin) + " (forms)", [&](Reader& r, const Value& v) -> Result<void> {
    REFBRIDGE_TRY(auto s, r.section(v));
    config.sections.push_back(std::move(s));
    return ok();
  }));
  REFBRIDGE_TRY(each_item(lookups_json, std::string(origin) + " (lookups)", [&](Reader& r, const Value& l) -> Result<void> {
    if (!l.IsObject()) return r.bad("expected an object");
    REFBRIDGE_TRY(auto id, r.string(l, "unique_id"));
    REFBRIDGE_TRY(auto values, r.ids(l, "values"));
    config.lookups[id] = values.value_or(std::vector<std::string>{});
    return ok();
  }));
  return config;
}

}  // namespace refbridge
