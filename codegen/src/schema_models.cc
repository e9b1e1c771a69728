// Schema loader, components -> models (objects, allOf, enums, variants, cycles). See schema_loader_impl.h.
#include "schema_loader_impl.h"

namespace refbridge::codegen::schema_detail {

void Loader::build_model(const std::string& name) {
  Def& def = defs_.at(name);
  if (def.built) return;
  def.built = true;
  const std::string& file = def.file;
  const YAML::Node s = def.node;
  ir::Model* m = api_.add_models();
  m->set_name(name);
  set_loc(m->mutable_location(), file, def.key);
  m->set_description(scalar(s, "description"));
  if (!def.inline_of.empty()) m->set_inline_of(def.inline_of);
  if (m->description().empty()) error(file, def.key, "schema '" + name + "' has no description");
  if (names::legalize(name) != name) error(file, def.key, "schema name '" + name + "' is not a C++ identifier");
  if (s["oneOf"] || s["anyOf"]) {
    build_variant(m, file, s);
    return;
  }
  if (!check_keywords(file, s)) return;
  if (s["discriminator"]) {
    error(file, s["discriminator"], "'discriminator' is supported only beside oneOf/anyOf");
    return;
  }
  if (def.is_enum) {
    m->set_is_enum(true);
    if (scalar(s, "type") != "string") error(file, s, "enum schema '" + name + "' must have `type: string`");
    add_enum_values(m, file, s["enum"]);
    if (m->enum_values_size() == 0) error(file, s, "enum schema '" + name + "' has no values");
    return;
  }
  const std::string type = scalar(s, "type");
  if (type != "object" && !(type.empty() && s["allOf"])) {
    error(file, s, "component schema '" + name + "' must be `type: object` or a string enum (got '" + type + "')");
    return;
  }
  ObjectBuild ob;
  ob.m = m;
  std::set<std::string> visiting{name};
  add_object(ob, file, s, visiting, /*top=*/true);
  for (const auto& r : ob.required) {
    if (ob.declared.count(r)) continue;
    for (const auto& [f, at] : ob.required_at) {
      bool here = false;
      for (const auto& x : at) here = here || x.as<std::string>() == r;
      if (here) error(f, at, "required member '" + r + "' is not a property of '" + name + "'");
    }
  }
  for (auto& f : *m->mutable_fields()) f.set_required(ob.required.count(f.json_name()) > 0);
}

void Loader::add_object(ObjectBuild& ob, const std::string& file, const YAML::Node& s, std::set<std::string>& visiting, bool top) {
  if (!top && !check_keywords(file, s)) return;
  if (const auto ap = s["additionalProperties"]) {
    if (ap.IsMap()) {
      error(file, ap, "additionalProperties with a schema on a model with properties is not supported");
    } else if (ap.IsScalar() && ap.Scalar() == "false") {
      ob.m->set_closed(true);
    }
  }
  if (const auto all = s["allOf"]) {
    if (!all.IsSequence() || all.size() == 0) {
      error(file, all, "allOf must be a non-empty list");
      return;
    }
    for (const auto& part : all) {
      if (!part.IsMap()) {
        error(file, part, "an allOf part must be a mapping");
        continue;
      }
      if (const auto ref = part["$ref"]) {
        if (part.size() != 1) error(file, part, "an allOf part with $ref must hold only the $ref");
        const std::string other = resolve_ref(file, ref);
        if (other.empty()) continue;
        const Def& od = defs_.at(other);
        if (od.is_enum || od.node["oneOf"] || od.node["anyOf"]) {
          error(file, ref, "allOf part '" + other + "' must be an object schema");
          continue;
        }
        if (!visiting.insert(other).second) {
          error(file, ref, "allOf refers back to '" + other + "' (a cycle)");
          continue;
        }
        if (!check_keywords(od.file, od.node)) continue;
        add_object(ob, od.file, od.node, visiting, /*top=*/true);
        visiting.erase(other);
      } else {
        const std::string t = scalar(part, "type");
        if (!t.empty() && t != "object") {
          error(file, part, "an inline allOf part must be an object schema (got type '" + t + "')");
          continue;
        }
        add_object(ob, file, part, visiting, /*top=*/false);
      }
    }
  }
  if (const auto req = s["required"]) {
    for (const auto& r : req) ob.required.insert(r.as<std::string>());
    ob.required_at.emplace_back(file, req);
  }
  const auto props = s["properties"];
  if (!props) return;
  const std::string& name = ob.m->name();
  for (const auto& kv : props) {
    const std::string json = kv.first.as<std::string>();
    if (!ob.declared.insert(json).second) {
      error(file, kv.first, "member '" + json + "' of '" + name + "' is declared twice (allOf parts overlap)");
      continue;
    }
    ir::Field* f = ob.m->add_fields();
    f->set_json_name(json);
    f->set_cpp_name(names::legalize(json));
    set_loc(f->mutable_location(), file, kv.first);
    const std::string here = "'" + json + "' (" + file + ":" + std::to_string(f->location().line()) + ")";
    if (f->cpp_name() == names::kUnknownMembers) {
      error(file, kv.first, "member " + here + " maps to the C++ name '" + f->cpp_name() + "', reserved for unknown members");
    } else if (auto [it, fresh] = ob.cpp_names.emplace(f->cpp_name(), here); !fresh) {
      error(file, kv.first, "members " + it->second + " and " + here + " of '" + name + "' both map to the C++ name '" +
                                f->cpp_name() + "'");
    }
    const YAML::Node p = kv.second;
    f->set_description(p.IsMap() ? scalar(p, "description") : std::string());
    if (f->description().empty()) error(file, kv.first, "property '" + name + "." + json + "' has no description");
    f->set_min_length(-1);
    f->set_max_length(-1);
    bool nullable = false;
    inline_name_ = name + names::to_pascal_case(json);
    inline_of_ = name + "." + json;
    const bool typed = type_of(file, p, f->mutable_type(), &nullable);
    inline_name_.clear();
    inline_of_.clear();
    if (!typed) continue;
    f->set_nullable(nullable);
    if (const auto e = p["enum"]) {
      if (f->type().kind() != ir::TypeRef::ENUM) error(file, e, "an inline enum is supported on string members only");
      for (const auto& v : e) {
        if (v.IsScalar() && !(v.Tag() == "?" && (v.Scalar() == "null" || v.Scalar() == "~"))) f->add_enum_values(v.Scalar());
      }
    }
    if (const auto d = p["default"]) f->set_default_json(default_json(file, d, *f));
    f->set_pattern(scalar(p, "pattern"));
    if (!f->pattern().empty()) {
      // The generated validator compiles it with std::regex (ECMAScript); refuse what it cannot.
      try {
        const std::regex re(f->pattern(), std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        error(file, p["pattern"], "pattern is not a valid ECMAScript regular expression for std::regex: " + std::string(e.what()));
      }
    }
    if (p["minimum"]) {
      f->set_has_minimum(true);
      f->set_minimum(p["minimum"].as<double>());
    }
    if (p["maximum"]) {
      f->set_has_maximum(true);
      f->set_maximum(p["maximum"].as<double>());
    }
    if (p["minLength"]) f->set_min_length(p["minLength"].as<std::int64_t>());
    if (p["maxLength"]) f->set_max_length(p["maxLength"].as<std::int64_t>());
    if (const auto lc = p["x-refbridge-lowercase"]; lc && lc.IsScalar() && lc.Scalar() == "true") f->set_lowercase(true);
  }
}

void Loader::add_enum_values(ir::Model* m, const std::string& file, const YAML::Node& values) {
  std::set<std::string> seen;
  if (!values || !values.IsSequence()) {
    error(file, values, "`enum` must be a list of strings");
    return;
  }
  for (const auto& v : values) {
    if (v.IsNull() || (v.IsScalar() && v.Tag() == "?" && (v.Scalar() == "null" || v.Scalar() == "~"))) continue;
    if (!v.IsScalar()) {
      error(file, v, "enum values must be strings");
      continue;
    }
    const std::string e = names::enumerator(v.Scalar());
    if (!seen.insert(e).second) {
      error(file, v, "enum value '" + v.Scalar() + "' gives a duplicate C++ enumerator " + e);
    }
    m->add_enum_values(v.Scalar());
  }
}

void Loader::build_variant(ir::Model* m, const std::string& file, const YAML::Node& s) {
  m->set_is_variant(true);
  const char* kw = s["oneOf"] ? "oneOf" : "anyOf";
  const YAML::Node alts = s[kw];
  for (const auto& kv : s) {
    const std::string k = kv.first.as<std::string>();
    if (k != "oneOf" && k != "anyOf" && k != "discriminator" && k != "description" && k != "title" && k != "$comment" &&
        k.rfind("x-", 0) != 0) {
      error(file, kv.first, "'" + k + "' beside " + kw + " is not supported");
    }
  }
  if (s["oneOf"] && s["anyOf"]) error(file, s["anyOf"], "oneOf and anyOf together are not supported");
  const YAML::Node disc = s["discriminator"];
  variant_at_[m->name()] = {file, disc ? disc : alts};
  if (!disc) {
    error(file, alts, std::string(kw) + " without a discriminator is not supported (add discriminator.propertyName)");
    return;
  }
  if (!disc.IsMap() || !disc["propertyName"] || !disc["propertyName"].IsScalar()) {
    error(file, disc, "discriminator needs `propertyName`");
    return;
  }
  m->set_discriminator(disc["propertyName"].Scalar());
  if (!alts.IsSequence() || alts.size() == 0) {
    error(file, alts, std::string(kw) + " must be a non-empty list");
    return;
  }
  for (const auto& alt : alts) {
    if (!alt.IsMap() || !alt["$ref"] || alt.size() != 1) {
      error(file, alt, std::string("every ") + kw + " alternative must be a $ref to an object component schema");
      continue;
    }
    const std::string name = resolve_ref(file, alt["$ref"]);
    if (name.empty()) continue;
    const Def& d = defs_.at(name);
    if (d.is_enum || d.node["oneOf"] || d.node["anyOf"]) {
      error(file, alt["$ref"], "alternative '" + name + "' must be an object schema");
      continue;
    }
    for (const auto& existing : m->variant_models()) {
      if (existing == name) error(file, alt["$ref"], "alternative '" + name + "' is listed twice");
    }
    m->add_variant_models(name);
  }
  std::set<std::string> mapped;
  if (const auto mapping = disc["mapping"]) {
    if (!mapping.IsMap()) error(file, mapping, "discriminator.mapping must be a mapping of value -> $ref");
    for (const auto& kv : mapping) {
      const std::string value = kv.first.as<std::string>();
      const std::string name = kv.second.IsScalar() && kv.second.Scalar().find('#') == std::string::npos
                                   ? kv.second.Scalar()
                                   : resolve_ref(file, kv.second);
      if (name.empty()) continue;
      if (std::find(m->variant_models().begin(), m->variant_models().end(), name) == m->variant_models().end()) {
        error(file, kv.second, "discriminator value '" + value + "' maps to '" + name + "', which is not an alternative");
        continue;
      }
      auto* dv = m->add_discriminator_mapping();
      dv->set_value(value);
      dv->set_model(name);
      mapped.insert(name);
    }
  }
  for (const auto& name : m->variant_models()) {
    if (mapped.count(name)) continue;
    auto* dv = m->add_discriminator_mapping();  // OpenAPI: unmapped alternatives are named by their schema name
    dv->set_value(name);
    dv->set_model(name);
  }
}

void Loader::check_variants() {
  std::map<std::string, const ir::Model*> by_name;
  for (const auto& m : api_.models()) by_name[m.name()] = &m;
  std::map<std::vector<std::string>, std::string> seen;
  for (const auto& m : api_.models()) {
    if (!m.is_variant() || m.discriminator().empty() || !variant_at_.count(m.name())) continue;
    const auto& [file, disc] = variant_at_.at(m.name());
    for (const auto& alt : m.variant_models()) {
      const auto it = by_name.find(alt);
      if (it == by_name.end()) continue;
      bool ok = false;
      for (const auto& f : it->second->fields()) {
        if (f.json_name() == m.discriminator()) {
          ok = f.type().kind() == ir::TypeRef::STRING || f.type().kind() == ir::TypeRef::ENUM;
        }
      }
      if (!ok) {
        error(file, disc, "alternative '" + alt + "' of '" + m.name() + "' must declare the discriminator '" +
                              m.discriminator() + "' as a string member");
      }
    }
    std::vector<std::string> key(m.variant_models().begin(), m.variant_models().end());
    if (auto [it, fresh] = seen.emplace(key, m.name()); !fresh) {
      error(file, disc, "variants '" + it->second + "' and '" + m.name() +
                            "' have the same alternatives (the same C++ type); $ref one of them instead");
    }
  }
}

bool Loader::synthesize(const std::string& file, const YAML::Node& node, bool is_enum) {
  const std::string& name = inline_name_;
  if (defs_.count(name)) {
    error(file, node, "the inline schema of '" + inline_of_ + "' would be named '" + name + "', which is already a schema");
    return false;
  }
  Def d{file, node, node, is_enum, false, inline_of_};
  defs_.emplace(name, d);
  if (is_enum) {
    // Built here (its `type` may be [string, "null"]), not by build_model.
    defs_.at(name).built = true;
    ir::Model* m = api_.add_models();
    m->set_name(name);
    m->set_is_enum(true);
    m->set_inline_of(inline_of_);
    m->set_description("Values of " + inline_of_ + " (inline enum).");
    set_loc(m->mutable_location(), file, node);
    add_enum_values(m, file, node["enum"]);
  } else {
    queue_.push_back(name);
  }
  return true;
}

void Loader::check_cycles() {
  std::map<std::string, std::set<std::string>> deps;
  std::function<void(const ir::TypeRef&, std::set<std::string>&)> collect = [&](const ir::TypeRef& t, std::set<std::string>& out) {
    if (t.kind() == ir::TypeRef::MODEL) out.insert(t.model());
    if (t.has_element()) collect(t.element(), out);
  };
  for (const auto& m : api_.models()) {
    for (const auto& f : m.fields()) collect(f.type(), deps[m.name()]);
    for (const auto& alt : m.variant_models()) deps[m.name()].insert(alt);
  }
  std::map<std::string, int> state;
  std::function<bool(const std::string&)> visit = [&](const std::string& n) {
    if (state[n] == 1) return true;
    if (state[n] == 2) return false;
    state[n] = 1;
    for (const auto& d : deps[n]) {
      if (visit(d)) return true;
    }
    state[n] = 2;
    return false;
  };
  for (const auto& m : api_.models()) {
    if (visit(m.name())) {
      const auto& def = defs_.at(m.name());
      error(def.file, def.key, "model '" + m.name() + "' is recursive; recursive models are not supported");
      return;
    }
  }
}

}  // namespace refbridge::codegen::schema_detail
