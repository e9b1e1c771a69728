// See flat_rows.h.
#include "flat_rows.h"

#include "refbridge/ping/serde.h"
#include "refbridge/json.h"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <fstream>
#include <map>
#include <sstream>

namespace refbridge::mapping_test {
namespace {

using rapidjson::Document;
using rapidjson::Value;

std::string to_text(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

template <class T>
T parse_model(const Value& obj) {
  auto r = refbridge::json::parse<T>(to_text(obj));
  if (!r) FAIL("fixture row does not parse as a model: " << r.error().describe());
  return std::move(r).value();
}

void copy_member(Value& dst, const std::string& key, const Value& v, Document::AllocatorType& a) {
  Value k(key.c_str(), static_cast<rapidjson::SizeType>(key.size()), a);
  Value copy(v, a);
  dst.RemoveMember(key.c_str());
  dst.AddMember(k, copy, a);
}


/// A GUID column of the flat row as an entity reference {Id[, Name]}.
Value reference(const Value& guid, const Value* name, Document::AllocatorType& a) {
  Value ref(rapidjson::kObjectType);
  ref.AddMember("Id", Value(guid, a), a);
  if (name != nullptr) ref.AddMember("Name", Value(*name, a), a);
  return ref;
}

struct Split {
  Value intervention{rapidjson::kObjectType};
  Value individual{rapidjson::kObjectType};
  Value language{rapidjson::kObjectType};
  Value need{rapidjson::kObjectType};
  bool has_language = false;
  bool has_need = false;
};

Split split_row(const Value& row, Document::AllocatorType& a) {
  Split s;
  Value user(rapidjson::kObjectType);
  bool has_user = false;
  const Value* type_name = row.HasMember("interventiontype.progres_description") ? &row["interventiontype.progres_description"] : nullptr;
  const Value* subtype_name = row.HasMember("interventionsubtype.progres_description") ? &row["interventionsubtype.progres_description"] : nullptr;
  for (auto it = row.MemberBegin(); it != row.MemberEnd(); ++it) {
    const std::string key(it->name.GetString(), it->name.GetStringLength());
    const Value& v = it->value;
    auto after = [&](const std::string& prefix) { return key.substr(prefix.size()); };
    if (key.rfind("individuals.", 0) == 0) {
      copy_member(s.individual, after("individuals."), v, a);
    } else if (key.rfind("languages.", 0) == 0) {
      copy_member(s.language, after("languages."), v, a);
      s.has_language = true;
    } else if (key.rfind("specificneeds.", 0) == 0) {
      copy_member(s.need, after("specificneeds."), v, a);
      s.has_need = true;
    } else if (key == "spncategory2code" || key == "spnsubcategory2code") {
      copy_member(s.need, key, v, a);
      s.has_need = true;
    } else if (key.rfind("user.", 0) == 0) {
      copy_member(user, after("user."), v, a);
      has_user = true;
    } else if (key == "childprotection.progres_priority") {
      copy_member(s.intervention, "progres_priority", v, a);
    } else if (key == "progres_interventiontype2" && v.IsString()) {
      Value ref = reference(v, type_name, a);
      copy_member(s.intervention, key, ref, a);
    } else if (key == "progres_interventionsubtype2" && v.IsString()) {
      Value ref = reference(v, subtype_name, a);
      copy_member(s.intervention, key, ref, a);
    } else if (key == "progres_businessunit" && v.IsString()) {
      Value ref = reference(v, nullptr, a);
      copy_member(s.intervention, key, ref, a);
    } else if (key == "progres_businessowner" && v.IsString()) {
      copy_member(user, "systemuserid", v, a);
      has_user = true;
    } else if (key.rfind("progres_", 0) == 0) {
      copy_member(s.intervention, key, v, a);
    }
    // everything else (interventiontype.*, __query_params, ...) is folded in above or unused
  }
  // The flat feed carries a type description without the GUID in some samples, and vice versa.
  if (type_name != nullptr && !s.intervention.HasMember("progres_interventiontype2")) {
    Value guid("", a);
    Value ref = reference(guid, type_name, a);
    copy_member(s.intervention, "progres_interventiontype2", ref, a);
  }
  if (has_user) copy_member(s.intervention, "progres_businessowner", user, a);
  // PING's individual record id; the flat feed has only the individual number.
  if (s.individual.HasMember("progres_id") && !s.individual.HasMember("progres_individualid")) {
    copy_member(s.individual, "progres_individualid", s.individual["progres_id"], a);
  }
  return s;
}

std::string entity_id(const Value& obj, const char* member) {
  if (!obj.HasMember(member) || !obj[member].IsObject() || !obj[member].HasMember("Id")) return {};
  return obj[member]["Id"].GetString();
}

}  // namespace

std::vector<refbridge::mappings::ProgresReferralToPrimeroCaseInput> inputs_from_flat_rows(const std::string& text) {
  Document doc;
  doc.Parse(text.c_str(), text.size());
  REQUIRE_FALSE(doc.HasParseError());
  const Value* rows = doc.IsArray() ? &doc : nullptr;
  if (doc.IsObject() && doc.HasMember("interventions")) rows = &doc["interventions"];
  REQUIRE(rows != nullptr);
  REQUIRE(rows->IsArray());

  std::vector<refbridge::mappings::ProgresReferralToPrimeroCaseInput> out;
  std::map<std::string, std::size_t> by_number;
  std::vector<std::vector<std::string>> language_keys, need_keys;  // dedup per intervention
  auto& a = doc.GetAllocator();
  for (const auto& row : rows->GetArray()) {
    Split s = split_row(row, a);
    const std::string number =
        s.intervention.HasMember("progres_interventionnumber") ? s.intervention["progres_interventionnumber"].GetString() : "";
    auto [it, inserted] = by_number.emplace(number, out.size());
    if (inserted) {
      refbridge::mappings::ProgresReferralToPrimeroCaseInput in;
      in.intervention = parse_model<refbridge::ping::Intervention>(s.intervention);
      in.individual = parse_model<refbridge::ping::Individual>(s.individual);
      out.push_back(std::move(in));
      language_keys.emplace_back();
      need_keys.emplace_back();
    }
    const std::size_t i = it->second;
    if (s.has_language) {
      const std::string key = entity_id(s.language, "progres_languagecodeid");
      if (std::find(language_keys[i].begin(), language_keys[i].end(), key) == language_keys[i].end()) {
        language_keys[i].push_back(key);
        out[i].languages.push_back(parse_model<refbridge::ping::IndividualLanguage>(s.language));
      }
    }
    if (s.has_need) {
      const std::string key = entity_id(s.need, "progres_spncategory2") + "/" + entity_id(s.need, "progres_spnsubcategory2");
      if (std::find(need_keys[i].begin(), need_keys[i].end(), key) == need_keys[i].end()) {
        need_keys[i].push_back(key);
        out[i].specific_needs.push_back(parse_model<refbridge::ping::SpecificNeed>(s.need));
      }
    }
  }
  return out;
}

}  // namespace refbridge::mapping_test
