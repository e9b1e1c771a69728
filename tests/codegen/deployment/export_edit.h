#pragma once
// What a Primero administrator does to an instance's configuration, applied to exported
// GET /api/v2/forms and GET /api/v2/lookups bodies (primero-api-v2.md §5.5a), for the deployment
// tests: remove or rename a field, remove a lookup value, add a field.

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>

namespace refbridge::test {

inline std::string slurp_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Applies `edit` to every member of the body's "data" list and returns the new body.
inline std::string edit_data(const std::string& body, const std::function<void(rapidjson::Value&, rapidjson::Document&)>& edit) {
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  for (auto& item : doc["data"].GetArray()) edit(item, doc);
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  doc.Accept(w);
  return sb.GetString();
}

/// The forms without field `name` in section `section`.
inline std::string remove_field(const std::string& forms, const std::string& section, const std::string& name) {
  return edit_data(forms, [&](rapidjson::Value& s, rapidjson::Document&) {
    if (s["unique_id"].GetString() != section || !s.HasMember("fields")) return;
    auto& fields = s["fields"];
    for (auto it = fields.Begin(); it != fields.End(); ++it) {
      if ((*it)["name"].GetString() == name) {
        fields.Erase(it);
        return;
      }
    }
  });
}

/// The forms with field `from` of section `section` renamed `to` (a typo an administrator made).
inline std::string rename_field(const std::string& forms, const std::string& section, const std::string& from,
                                const std::string& to) {
  return edit_data(forms, [&](rapidjson::Value& s, rapidjson::Document& doc) {
    if (s["unique_id"].GetString() != section) return;
    for (auto& f : s["fields"].GetArray()) {
      if (f["name"].GetString() == from) f["name"].SetString(to.c_str(), doc.GetAllocator());
    }
  });
}

/// The forms with a text field `name` appended to section `section`.
inline std::string add_text_field(const std::string& forms, const std::string& section, const std::string& name) {
  return edit_data(forms, [&](rapidjson::Value& s, rapidjson::Document& doc) {
    if (s["unique_id"].GetString() != section) return;
    rapidjson::Value f(rapidjson::kObjectType);
    f.AddMember("name", rapidjson::Value(name.c_str(), doc.GetAllocator()), doc.GetAllocator());
    f.AddMember("type", "text_field", doc.GetAllocator());
    s["fields"].PushBack(f, doc.GetAllocator());
  });
}

/// The lookups without value `id` in lookup `lookup`.
inline std::string remove_value(const std::string& lookups, const std::string& lookup, const std::string& id) {
  return edit_data(lookups, [&](rapidjson::Value& l, rapidjson::Document&) {
    if (l["unique_id"].GetString() != lookup) return;
    auto& values = l["values"];
    for (auto it = values.Begin(); it != values.End(); ++it) {
      if ((*it)["id"].GetString() == id) {
        values.Erase(it);
        return;
      }
    }
  });
}

}  // namespace refbridge::test
