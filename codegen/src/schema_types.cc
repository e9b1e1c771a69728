// Schema loader, types: a property schema -> ir::TypeRef. See schema_loader_impl.h.
#include "schema_loader_impl.h"

namespace refbridge::codegen::schema_detail {

bool Loader::check_keywords(const std::string& file, const YAML::Node& s) {
  bool ok_ = true;
  for (const auto& kv : s) {
    const std::string k = kv.first.as<std::string>();
    if (k.rfind("x-", 0) == 0) continue;
    if (kUnsupportedKeywords.count(k)) {
      error(file, kv.first, "unsupported construct '" + k + "'" +
                                (k == "nullable" ? " (OpenAPI 3.0); use `type: [T, \"null\"]`" : ""));
      ok_ = false;
    } else if (!kSchemaKeywords.count(k)) {
      error(file, kv.first, "unknown schema keyword '" + k + "'");
      ok_ = false;
    }
  }
  return ok_;
}

bool Loader::type_of(const std::string& file, const YAML::Node& s, ir::TypeRef* t, bool* nullable) {
  *nullable = false;
  if (!s.IsMap()) {
    error(file, s, "a schema must be a mapping");
    return false;
  }
  if ((s["oneOf"] || s["anyOf"]) && s["discriminator"]) {
    // A discriminated union on a member: a variant model named <Model><Member>.
    if (inline_name_.empty()) {
      error(file, s["oneOf"] ? s["oneOf"] : s["anyOf"], "oneOf/anyOf is supported on model members and components only");
      return false;
    }
    if (!synthesize(file, s, /*is_enum=*/false)) return false;
    t->set_kind(ir::TypeRef::MODEL);
    t->set_model(inline_name_);
    return true;
  }
  if (const auto any = s["anyOf"]) return nullable_ref(file, s, any, t, nullable);
  if (const auto one = s["oneOf"]) {
    error(file, one, "oneOf without a discriminator is not supported (add discriminator.propertyName)");
    return false;
  }
  if (const auto disc = s["discriminator"]) {
    error(file, disc, "'discriminator' is supported only beside oneOf/anyOf");
    return false;
  }
  if (!check_keywords(file, s)) return false;
  if (const auto all = s["allOf"]) {
    // On a member only `allOf: [{$ref: X}]` (a reference with a description/default beside it);
    // combined objects are components (flattened by build_model).
    if (!all.IsSequence() || all.size() != 1 || !all[0].IsMap() || !all[0]["$ref"] || all[0].size() != 1 || s["$ref"] ||
        s["type"] || s["properties"]) {
      error(file, all, "allOf on a member must be `allOf: [{$ref: ...}]`; declare a combined object as a component schema");
      return false;
    }
    const std::string name = resolve_ref(file, all[0]["$ref"]);
    if (name.empty()) return false;
    t->set_kind(defs_.at(name).is_enum ? ir::TypeRef::ENUM : ir::TypeRef::MODEL);
    t->set_model(name);
    return true;
  }
  if (const auto ref = s["$ref"]) {
    const std::string name = resolve_ref(file, ref);
    if (name.empty()) return false;
    t->set_kind(defs_.at(name).is_enum ? ir::TypeRef::ENUM : ir::TypeRef::MODEL);
    t->set_model(name);
    return true;
  }
  std::string type;
  if (const auto ty = s["type"]) {
    if (ty.IsScalar()) {
      type = ty.Scalar();
    } else if (ty.IsSequence()) {
      for (const auto& e : ty) {
        const std::string v = e.as<std::string>();
        if (v == "null") {
          *nullable = true;
        } else if (type.empty()) {
          type = v;
        } else {
          error(file, ty, "a type union of '" + type + "' and '" + v + "' is not supported (only [T, \"null\"])");
          return false;
        }
      }
      if (type.empty()) {
        error(file, ty, "a schema whose only type is null is not supported");
        return false;
      }
    }
  } else if (s["properties"]) {
    type = "object";
  } else if (s["items"]) {
    type = "array";
  } else {
    t->set_kind(ir::TypeRef::ANY);
    return true;
  }
  const std::string format = scalar(s, "format");
  if (!format.empty()) t->set_format(format);
  if (type == "string" && s["enum"] && !inline_name_.empty()) {
    // An inline string enum of a member: an enum named <Model><Member>.
    if (!synthesize(file, s, /*is_enum=*/true)) return false;
    t->set_kind(ir::TypeRef::ENUM);
    t->set_model(inline_name_);
  } else if (type == "string") {
    t->set_kind(format == "date" ? ir::TypeRef::DATE : format == "date-time" ? ir::TypeRef::DATE_TIME : ir::TypeRef::STRING);
  } else if (type == "integer") {
    if (format == "int32") {
      t->set_kind(ir::TypeRef::INT32);
    } else if (format == "int64") {
      t->set_kind(ir::TypeRef::INT64);
    } else {
      const auto lo = s["minimum"], hi = s["maximum"];
      const bool fits = lo && hi && lo.as<double>() >= std::numeric_limits<std::int32_t>::min() &&
                        hi.as<double>() <= std::numeric_limits<std::int32_t>::max();
      t->set_kind(fits ? ir::TypeRef::INT32 : ir::TypeRef::INT64);
    }
  } else if (type == "number") {
    t->set_kind(ir::TypeRef::NUMBER);
  } else if (type == "boolean") {
    t->set_kind(ir::TypeRef::BOOLEAN);
  } else if (type == "array") {
    const auto items = s["items"];
    if (!items) {
      error(file, s, "an array schema needs `items`");
      return false;
    }
    t->set_kind(ir::TypeRef::ARRAY);
    bool item_nullable = false;
    if (!type_of(file, items, t->mutable_element(), &item_nullable)) return false;
    if (item_nullable) {
      error(file, items, "nullable array items are not supported");
      return false;
    }
  } else if (type == "object") {
    if (s["properties"]) {
      error(file, s["properties"], "inline object schemas are not supported: declare the object under components.schemas and use $ref");
      return false;
    }
    const auto ap = s["additionalProperties"];
    if (ap && ap.IsMap()) {
      t->set_kind(ir::TypeRef::MAP);
      bool el_nullable = false;
      if (!type_of(file, ap, t->mutable_element(), &el_nullable)) return false;
      if (el_nullable) {
        error(file, ap, "nullable map values are not supported");
        return false;
      }
    } else {
      t->set_kind(ir::TypeRef::ANY);
    }
  } else {
    error(file, s["type"], "unsupported type '" + type + "'");
    return false;
  }
  return true;
}

bool Loader::nullable_ref(const std::string& file, const YAML::Node& s, const YAML::Node& any, ir::TypeRef* t, bool* nullable) {
  YAML::Node ref;
  bool has_null = false;
  if (any.IsSequence() && any.size() == 2) {
    for (const auto& alt : any) {
      if (alt.IsMap() && alt.size() == 1 && alt["$ref"]) ref = alt["$ref"];
      if (alt.IsMap() && alt.size() == 1 && alt["type"] && alt["type"].IsScalar() && alt["type"].Scalar() == "null") has_null = true;
    }
  }
  for (const auto& kv : s) {
    const std::string k = kv.first.as<std::string>();
    if (k != "anyOf" && k != "description" && k != "title" && k != "$comment" && k.rfind("x-", 0) != 0) {
      error(file, kv.first, "'" + k + "' beside anyOf is not supported");
      return false;
    }
  }
  if (!ref || !has_null) {
    error(file, any, "unsupported construct 'anyOf' (only `anyOf: [{$ref: ...}, {type: 'null'}]`, a nullable reference, "
                     "or anyOf/oneOf with a discriminator)");
    return false;
  }
  const std::string name = resolve_ref(file, ref);
  if (name.empty()) return false;
  t->set_kind(defs_.at(name).is_enum ? ir::TypeRef::ENUM : ir::TypeRef::MODEL);
  t->set_model(name);
  *nullable = true;
  return true;
}

std::string Loader::default_json(const std::string& file, const YAML::Node& d, const ir::Field& f) {
  const auto k = f.type().kind();
  auto fail = [&](const std::string& why) {
    error(file, d, "default of '" + f.json_name() + "': " + why);
    return std::string();
  };
  if (d.IsNull() || (d.IsScalar() && d.Tag() == "?" && d.Scalar() == "null")) {
    return f.nullable() ? "null" : fail("null on a member that is not nullable");
  }
  if (d.IsSequence()) {
    return k == ir::TypeRef::ARRAY && d.size() == 0 ? "[]" : fail("only [] is supported as an array default");
  }
  if (!d.IsScalar()) return fail("object defaults are not supported");
  const std::string v = d.Scalar();
  const bool quoted = d.Tag() == "!";
  switch (k) {
    case ir::TypeRef::STRING:
      return "\"" + names::escape_json(v) + "\"";
    case ir::TypeRef::ENUM: {
      for (const auto& mod : api_.models()) {
        if (mod.name() != f.type().model()) continue;
        for (const auto& e : mod.enum_values()) {
          if (e == v) return "\"" + names::escape_json(v) + "\"";
        }
      }
      if (const auto it = defs_.find(f.type().model()); it != defs_.end() && it->second.node["enum"]) {
        for (const auto& e : it->second.node["enum"]) {
          if (e.IsScalar() && e.Scalar() == v) return "\"" + names::escape_json(v) + "\"";
        }
      }
      return fail("'" + v + "' is not one of the enum's values");
    }
    case ir::TypeRef::INT32:
    case ir::TypeRef::INT64: {
      if (quoted || v.empty() || v.find_first_not_of("-0123456789") != std::string::npos) return fail("expected an integer");
      const long long n = std::stoll(v);
      if (k == ir::TypeRef::INT32 && (n < std::numeric_limits<std::int32_t>::min() || n > std::numeric_limits<std::int32_t>::max())) {
        return fail("out of the 32-bit range");
      }
      return std::to_string(n);
    }
    case ir::TypeRef::NUMBER: {
      char* end = nullptr;
      std::strtod(v.c_str(), &end);
      if (quoted || v.empty() || end == nullptr || *end != '\0') return fail("expected a number");
      return v;
    }
    case ir::TypeRef::BOOLEAN:
      if (!quoted && (v == "true" || v == "false")) return v;
      return fail("expected true or false");
    default:
      return fail("defaults are supported on string, enum, integer, number and boolean members");
  }
}

}  // namespace refbridge::codegen::schema_detail
