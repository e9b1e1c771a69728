#include "schema_loader.h"

#include "yaml_file.h"

#include "names.h"
#include "paging.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

namespace refbridge::codegen {
namespace fs = std::filesystem;
namespace {

const std::set<std::string, std::less<>> kSchemaKeywords = {
    "type", "format", "description", "title", "properties", "required", "items", "additionalProperties",
    "enum", "$ref", "pattern", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems",
    "example", "examples", "default", "readOnly", "writeOnly", "deprecated", "$comment", "uniqueItems",
    // handled where supported (components, members), rejected with a message elsewhere
    "allOf", "oneOf", "anyOf", "discriminator"};
const std::set<std::string, std::less<>> kUnsupportedKeywords = {
    "not", "if", "then", "else", "patternProperties",
    "prefixItems", "dependentSchemas", "dependentRequired", "const", "unevaluatedProperties",
    "propertyNames", "contains", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "nullable",
    "$defs", "$anchor", "$dynamicRef"};
const std::set<std::string, std::less<>> kHttpMethods = {"get", "put", "post", "patch", "delete"};

struct Def {
  std::string file;  // repository-relative
  YAML::Node node;
  YAML::Node key;  // the schema's name in components.schemas (diagnostics point here)
  bool is_enum = false;
  bool built = false;
  std::string inline_of;  // synthesized from an inline schema of "Model.member"
};

class Loader {
 public:
  Loader(fs::path root, std::string name, std::string ns) : root_(std::move(root)) {
    api_.set_name(std::move(name));
    api_.set_cpp_namespace(std::move(ns));
  }

  Result<ir::Api> run(const std::string& spec_rel) {
    const std::string main = fs::path(spec_rel).lexically_normal().generic_string();
    auto doc = load_doc(main);
    if (!doc) return doc.error();
    const YAML::Node& root = *doc.value();
    if (!root.IsMap()) return make_error(ErrorCode::kInvalidInput, main + ":1:1: an OpenAPI document must be a mapping");
    const auto version = root["openapi"];
    if (!version || !version.IsScalar() || version.Scalar().rfind("3.1", 0) != 0) {
      error(main, root, "expected `openapi: 3.1.x` (OpenAPI 3.1 with JSON Schema 2020-12)");
    }
    if (const auto info = root["info"]; info && info.IsMap()) {
      if (info["title"]) api_.set_title(info["title"].as<std::string>());
      if (info["version"]) api_.set_version(info["version"].as<std::string>());
    } else {
      error(main, root, "missing `info` with title and version");
    }
    // Register every component schema of the main document (all are generated, used or not).
    if (const auto comps = root["components"]; comps && comps["schemas"]) {
      const auto schemas = comps["schemas"];
      if (!schemas.IsMap()) {
        error(main, schemas, "components.schemas must be a mapping");
      } else {
        for (const auto& kv : schemas) register_def(main, kv.first.as<std::string>(), kv.second, kv.first);
      }
    }
    if (const auto paths = root["paths"]) build_paths(main, root, paths);
    // Build models, including those pulled in from other files while building.
    while (!queue_.empty()) {
      const std::string name = queue_.front();
      queue_.pop_front();
      build_model(name);
    }
    check_variants();
    check_cycles();
    check_paging(api_, errors_);
    if (!errors_.empty()) {
      std::string msg;
      for (const auto& e : errors_) msg += (msg.empty() ? "" : "\n") + e;
      return make_error(ErrorCode::kInvalidInput, msg);
    }
    std::vector<ir::Model> models(api_.models().begin(), api_.models().end());
    std::sort(models.begin(), models.end(), [](const auto& a, const auto& b) { return a.name() < b.name(); });
    api_.clear_models();
    for (auto& m : models) *api_.add_models() = std::move(m);
    std::vector<ir::Operation> ops(api_.operations().begin(), api_.operations().end());
    std::sort(ops.begin(), ops.end(), [](const auto& a, const auto& b) { return a.operation_id() < b.operation_id(); });
    api_.clear_operations();
    for (auto& o : ops) *api_.add_operations() = std::move(o);
    return api_;
  }

 private:
  // ---- diagnostics ---------------------------------------------------------------------------
  static std::pair<int, int> pos(const YAML::Node& n) {
    if (!n.IsDefined()) return {0, 0};
    const auto m = n.Mark();
    if (m.is_null()) return {0, 0};
    return {m.line + 1, m.column + 1};
  }
  void error(const std::string& file, const YAML::Node& at, const std::string& message) {
    const auto [line, col] = pos(at);
    errors_.push_back(file + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + message);
  }
  static void set_loc(ir::SourceLocation* loc, const std::string& file, const YAML::Node& n) {
    const auto [line, col] = pos(n);
    loc->set_file(file);
    loc->set_line(line);
    loc->set_column(col);
  }
  static std::string scalar(const YAML::Node& n, const char* key) {
    const auto v = n[key];
    return v && v.IsScalar() ? v.Scalar() : std::string();
  }

  // ---- documents ------------------------------------------------------------------------------
  Result<const YAML::Node*> load_doc(const std::string& rel) {
    if (auto it = docs_.find(rel); it != docs_.end()) return &it->second;
    REFBRIDGE_TRY(auto node, load_yaml_file(root_, rel, "schema file"));
    api_.add_source_files(rel);
    return &docs_.emplace(rel, node).first->second;
  }

  void register_def(const std::string& file, const std::string& name, const YAML::Node& node, const YAML::Node& at) {
    if (auto it = defs_.find(name); it != defs_.end()) {
      if (it->second.file != file) error(file, at, "schema '" + name + "' is also defined in " + it->second.file);
      return;
    }
    if (!node.IsMap()) {
      error(file, at, "schema '" + name + "' must be a mapping");
      return;
    }
    Def d{file, node, at, static_cast<bool>(node["enum"]), false, {}};
    defs_.emplace(name, d);
    queue_.push_back(name);
  }

  // Resolves a $ref to a component schema; registers schemas of other files on first use.
  // Returns the component name, or empty after reporting an error.
  std::string resolve_ref(const std::string& file, const YAML::Node& ref_node) {
    const std::string ref = ref_node.IsScalar() ? ref_node.Scalar() : std::string();
    const auto hash = ref.find('#');
    const std::string prefix = "/components/schemas/";
    if (hash == std::string::npos || ref.compare(hash + 1, prefix.size(), prefix) != 0) {
      error(file, ref_node, "unsupported $ref '" + ref + "': expected '#/components/schemas/<Name>' or '<file>#/components/schemas/<Name>'");
      return {};
    }
    const std::string name = ref.substr(hash + 1 + prefix.size());
    if (hash == 0) {
      const auto it = defs_.find(name);
      if (it == defs_.end() || it->second.file != file) {
        // a local ref inside another file: look in that file
        if (file != main_file()) return resolve_in_file(file, file, name, ref_node);
        error(file, ref_node, "unknown $ref '" + ref + "': no schema '" + name + "' in components.schemas");
        return {};
      }
      return name;
    }
    const std::string target = (fs::path(file).parent_path() / ref.substr(0, hash)).lexically_normal().generic_string();
    return resolve_in_file(file, target, name, ref_node);
  }

  std::string main_file() const { return api_.source_files_size() > 0 ? api_.source_files(0) : std::string(); }

  std::string resolve_in_file(const std::string& from, const std::string& target, const std::string& name,
                              const YAML::Node& ref_node) {
    if (auto it = defs_.find(name); it != defs_.end()) {
      if (it->second.file == target) return name;
      error(from, ref_node, "$ref to '" + name + "' of " + target + " clashes with the schema of the same name in " + it->second.file);
      return {};
    }
    auto doc = load_doc(target);
    if (!doc) {
      error(from, ref_node, doc.error().message);
      return {};
    }
    const YAML::Node& d = *doc.value();
    const auto node = d.IsMap() && d["components"] && d["components"]["schemas"] ? d["components"]["schemas"][name] : YAML::Node();
    if (!node) {
      error(from, ref_node, "unknown $ref: " + target + " has no schema '" + name + "'");
      return {};
    }
    // The key node, for positions. Never assign to a YAML::Node handle: yaml-cpp's operator=
    // writes through to the node it refers to (and so into the document); construct instead.
    std::optional<YAML::Node> key_node;
    for (const auto& kv : d["components"]["schemas"]) {
      if (kv.first.as<std::string>() == name) {
        key_node.emplace(kv.first);
        break;
      }
    }
    const YAML::Node key = key_node ? *key_node : node;
    if (!node.IsMap()) {
      error(target, key, "schema '" + name + "' must be a mapping");
      return {};
    }
    defs_.emplace(name, Def{target, node, key, static_cast<bool>(node["enum"]), false, {}});
    queue_.push_back(name);
    return name;
  }

  // ---- schemas ----------------------------------------------------------------------------------
  bool check_keywords(const std::string& file, const YAML::Node& s) {
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

  // The type of a (property/items/parameter) schema. `nullable` is set when the type admits null.
  bool type_of(const std::string& file, const YAML::Node& s, ir::TypeRef* t, bool* nullable) {
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

  // The one anyOf form supported: `anyOf: [{$ref: X}, {type: "null"}]`, a nullable reference.
  bool nullable_ref(const std::string& file, const YAML::Node& s, const YAML::Node& any, ir::TypeRef* t, bool* nullable) {
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

  // What an object model under construction has collected so far (allOf parts add to it).
  struct ObjectBuild {
    ir::Model* m = nullptr;
    std::set<std::string> required;
    std::vector<std::pair<std::string, YAML::Node>> required_at;  // (file, `required` node) for diagnostics
    std::map<std::string, std::string> cpp_names;                 // C++ name -> "json" (file:line)
    std::set<std::string> declared;
  };

  void build_model(const std::string& name) {
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

  // Adds the members of the object schema `s` (and, for allOf, of each part in order) to `ob`.
  void add_object(ObjectBuild& ob, const std::string& file, const YAML::Node& s, std::set<std::string>& visiting, bool top) {
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

  // Enum values of `values` into m (null entries of a nullable enum are skipped).
  void add_enum_values(ir::Model* m, const std::string& file, const YAML::Node& values) {
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

  // The schema `default` of field f as compact JSON. Scalars matching the member type, an enum
  // value, null on a nullable member and [] on an array are supported.
  std::string default_json(const std::string& file, const YAML::Node& d, const ir::Field& f) {
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

  // A component (or synthesized inline) schema with oneOf/anyOf + discriminator.
  void build_variant(ir::Model* m, const std::string& file, const YAML::Node& s) {
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

  // Once every model is built: each alternative declares the discriminator as a string/enum member,
  // and no two variants have the same alternatives (they would be the same C++ type).
  void check_variants() {
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

  // Registers a model synthesized from an inline schema of the member being built.
  // Returns false (after an error) when the name is taken.
  bool synthesize(const std::string& file, const YAML::Node& node, bool is_enum) {
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

  // Reports models that contain themselves (directly or through other models).
  void check_cycles() {
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

  // ---- operations -------------------------------------------------------------------------------
  const YAML::Node resolve_parameter(const std::string& file, const YAML::Node& root, const YAML::Node& p) {
    if (!p.IsMap() || !p["$ref"]) return p;
    const std::string ref = p["$ref"].as<std::string>();
    const std::string prefix = "#/components/parameters/";
    if (ref.rfind(prefix, 0) == 0) {
      const auto n = root["components"]["parameters"][ref.substr(prefix.size())];
      if (n) return n;
    }
    error(file, p["$ref"], "unknown parameter $ref '" + ref + "'");
    return YAML::Node();
  }

  std::string body_model(const std::string& file, const YAML::Node& content, const char* what, bool json_only) {
    if (!content.IsMap()) {
      error(file, content, std::string(what) + ": `content` must be a mapping");
      return {};
    }
    for (const auto& kv : content) {
      const std::string media = kv.first.as<std::string>();
      if (media != "application/json" && media != "application/problem+json") {
        if (json_only) error(file, kv.first, std::string(what) + ": media type '" + media + "' is not supported (application/json only)");
        continue;
      }
      const auto schema = kv.second["schema"];
      if (!schema || !schema.IsMap() || !schema["$ref"]) {
        error(file, kv.first, std::string(what) + ": the body schema must be a $ref to a component schema");
        return {};
      }
      const std::string name = resolve_ref(file, schema["$ref"]);
      if (!name.empty() && defs_.at(name).is_enum) {
        error(file, schema["$ref"], std::string(what) + ": a body must be an object model, not the enum '" + name + "'");
        return {};
      }
      return name;
    }
    return {};
  }

  void build_paths(const std::string& file, const YAML::Node& root, const YAML::Node& paths) {
    if (!paths.IsMap()) {
      error(file, paths, "`paths` must be a mapping");
      return;
    }
    std::set<std::string> op_ids;
    for (const auto& pkv : paths) {
      const std::string path = pkv.first.as<std::string>();
      const YAML::Node item = pkv.second;
      if (path.empty() || path[0] != '/') error(file, pkv.first, "a path must start with '/'");
      std::vector<YAML::Node> common;
      for (const auto& kv : item) {
        const std::string k = kv.first.as<std::string>();
        if (k == "parameters") {
          for (const auto& p : kv.second) common.push_back(p);
        } else if (k == "summary" || k == "description" || k.rfind("x-", 0) == 0) {
        } else if (!kHttpMethods.count(k)) {
          error(file, kv.first, "unsupported path item key '" + k + "'");
        }
      }
      for (const auto& kv : item) {
        const std::string method = kv.first.as<std::string>();
        if (!kHttpMethods.count(method)) continue;
        const YAML::Node op = kv.second;
        if (const auto gen = op["x-refbridge-generate"]; gen && gen.IsScalar() && gen.Scalar() == "false") continue;
        ir::Operation o;
        o.set_operation_id(scalar(op, "operationId"));
        if (o.operation_id().empty()) {
          error(file, kv.first, "operation " + method + " " + path + " has no operationId");
          continue;
        }
        if (!op_ids.insert(o.operation_id()).second) error(file, op["operationId"], "duplicate operationId '" + o.operation_id() + "'");
        o.set_cpp_name(names::to_snake_case(o.operation_id()));
        std::string m = method;
        std::transform(m.begin(), m.end(), m.begin(), [](char c) { return static_cast<char>(c - 'a' + 'A'); });
        o.set_method(m);
        o.set_path(path);
        o.set_description(scalar(op, "description").empty() ? scalar(op, "summary") : scalar(op, "description"));
        if (o.description().empty()) error(file, kv.first, "operation '" + o.operation_id() + "' has no description or summary");
        set_loc(o.mutable_location(), file, kv.first);
        build_parameters(file, root, common, op, &o);
        if (const auto pg = op["x-refbridge-paging"]) read_paging(file, pg, &o, errors_);
        set_idempotency(file, op, &o);
        if (const auto rb = op["requestBody"]) {
          o.set_request_body_required(rb["required"] && rb["required"].as<bool>());
          o.set_request_model(body_model(file, rb["content"], "requestBody", true));
        }
        if (const auto responses = op["responses"]; responses && responses.IsMap()) {
          for (const auto& rkv : responses) {
            const std::string code = rkv.first.as<std::string>();
            const YAML::Node r = rkv.second;
            if (code.size() == 3 && code[0] == '2') {
              ir::Response* resp = o.add_responses();
              resp->set_status(std::stoi(code));
              resp->set_description(scalar(r, "description"));
              if (r["content"]) resp->set_model(body_model(file, r["content"], "response", true));
            } else if (o.error_model().empty() && r["content"]) {
              o.set_error_model(body_model(file, r["content"], "error response", false));
            }
          }
        }
        if (o.responses_size() == 0) {
          error(file, kv.first, "operation '" + o.operation_id() + "' declares no 2xx response");
        }
        std::set<std::string> bodies;
        for (const auto& r : o.responses()) {
          if (!r.model().empty()) bodies.insert(r.model());
        }
        if (bodies.size() > 1) {
          error(file, kv.first, "operation '" + o.operation_id() + "' has success responses with different body models; not supported");
        }
        *api_.add_operations() = std::move(o);
      }
    }
  }

  // Operation::idempotent (see codegen/ir.proto): from the method, a keyed PATCH, or the
  // `x-refbridge-idempotent: true|false` extension (any other value is an error). Call after
  // build_parameters (a keyed PATCH has a path parameter).
  void set_idempotency(const std::string& file, const YAML::Node& op, ir::Operation* o) {
    const std::string& m = o->method();
    bool keyed = false;
    for (const auto& p : o->parameters()) keyed = keyed || p.in() == ir::Parameter::PATH;
    if (m == "GET" || m == "PUT" || m == "DELETE" || m == "HEAD" || m == "OPTIONS") {
      o->set_idempotent(true);
      o->set_idempotency_source(m);
    } else if (m == "PATCH" && keyed) {
      o->set_idempotent(true);
      o->set_idempotency_source("keyed PATCH");
    } else {
      o->set_idempotent(false);
      o->set_idempotency_source(m);
    }
    const YAML::Node x = op["x-refbridge-idempotent"];
    if (!x) return;
    if (!x.IsScalar() || (x.Scalar() != "true" && x.Scalar() != "false")) {
      error(file, x, "x-refbridge-idempotent must be true or false");
      return;
    }
    o->set_idempotent(x.Scalar() == "true");
    o->set_idempotency_source("x-refbridge-idempotent");
  }

  void build_parameters(const std::string& file, const YAML::Node& root, const std::vector<YAML::Node>& common,
                        const YAML::Node& op, ir::Operation* o) {
    std::vector<YAML::Node> all = common;
    if (const auto ps = op["parameters"]) {
      for (const auto& p : ps) all.push_back(p);
    }
    std::set<std::string> cpp_names;
    std::set<std::string> path_params;
    for (const auto& raw : all) {
      const YAML::Node p = resolve_parameter(file, root, raw);
      if (!p) continue;
      ir::Parameter* param = o->add_parameters();
      param->set_name(scalar(p, "name"));
      param->set_cpp_name(names::legalize(param->name()));  // like model members: the wire name, legalized
      if (param->cpp_name() == "body") param->set_cpp_name("body_");
      if (!cpp_names.insert(param->cpp_name()).second) error(file, p, "duplicate parameter C++ name '" + param->cpp_name() + "'");
      const std::string in = scalar(p, "in");
      if (in == "path") {
        param->set_in(ir::Parameter::PATH);
        path_params.insert(param->name());
      } else if (in == "query") {
        param->set_in(ir::Parameter::QUERY);
      } else if (in == "header") {
        param->set_in(ir::Parameter::HEADER);
      } else {
        error(file, p, "parameter '" + param->name() + "': unsupported location '" + in + "'");
      }
      param->set_required(p["required"] && p["required"].as<bool>());
      if (in == "path" && !param->required()) error(file, p, "path parameter '" + param->name() + "' must be required");
      param->set_description(scalar(p, "description"));
      if (param->description().empty()) error(file, p, "parameter '" + param->name() + "' has no description");
      bool nullable = false;
      if (!p["schema"]) {
        error(file, p, "parameter '" + param->name() + "' has no schema");
      } else if (type_of(file, p["schema"], param->mutable_type(), &nullable)) {
        const auto k = param->type().kind();
        if (k == ir::TypeRef::ARRAY || k == ir::TypeRef::MAP || k == ir::TypeRef::MODEL || k == ir::TypeRef::ANY ||
            k == ir::TypeRef::NUMBER) {
          error(file, p["schema"], "parameter '" + param->name() + "': only string, integer, boolean, date, date-time and enum parameters are supported");
        }
        if (const auto lo = p["schema"]["minimum"]; lo && lo.IsScalar()) {
          param->set_has_minimum(true);
          param->set_minimum(lo.as<double>());
        }
        if (const auto hi = p["schema"]["maximum"]; hi && hi.IsScalar()) {
          param->set_has_maximum(true);
          param->set_maximum(hi.as<double>());
        }
      }
    }
    // Every {x} of the template has a path parameter, and the reverse; segments are whole.
    std::set<std::string> in_template;
    std::stringstream ss(o->path());
    std::string seg;
    while (std::getline(ss, seg, '/')) {
      const auto open = seg.find('{');
      if (open == std::string::npos) continue;
      if (open != 0 || seg.back() != '}') {
        error(file, op, "path segment '" + seg + "' mixes literal text and a parameter; not supported");
        continue;
      }
      const std::string name = seg.substr(1, seg.size() - 2);
      in_template.insert(name);
      if (!path_params.count(name)) error(file, op, "path parameter '{" + name + "}' is not declared");
    }
    for (const auto& name : path_params) {
      if (!in_template.count(name)) error(file, op, "path parameter '" + name + "' does not appear in " + o->path());
    }
  }

  fs::path root_;
  ir::Api api_;
  std::map<std::string, YAML::Node> docs_;
  std::map<std::string, Def> defs_;
  std::deque<std::string> queue_;
  std::vector<std::string> errors_;
  std::string inline_name_;  // while building a member: the name of a model synthesized from its inline schema
  std::string inline_of_;    // ... and "Model.member"
  std::map<std::string, std::pair<std::string, YAML::Node>> variant_at_;  // variant -> (file, discriminator node)
};

}  // namespace

Result<ir::Api> load_api(const fs::path& root, const std::string& spec_rel_path, const std::string& name,
                         const std::string& cpp_namespace) {
  try {
    Loader loader(root, name, cpp_namespace);
    return loader.run(spec_rel_path);
  } catch (const YAML::Exception& e) {
    return yaml_error(spec_rel_path, e.mark, e.msg);
  }
}

std::string cpp_type(const ir::TypeRef& type, const std::string& model_qualifier) {
  switch (type.kind()) {
    case ir::TypeRef::STRING: return "std::string";
    case ir::TypeRef::INT32: return "std::int32_t";
    case ir::TypeRef::INT64: return "std::int64_t";
    case ir::TypeRef::NUMBER: return "double";
    case ir::TypeRef::BOOLEAN: return "bool";
    case ir::TypeRef::DATE: return "refbridge::CalendarDate";
    case ir::TypeRef::DATE_TIME: return "refbridge::DateTime";
    case ir::TypeRef::ARRAY: return "std::vector<" + cpp_type(type.element(), model_qualifier) + ">";
    case ir::TypeRef::MAP: return "std::map<std::string, " + cpp_type(type.element(), model_qualifier) + ">";
    case ir::TypeRef::MODEL: return model_qualifier + type.model();
    case ir::TypeRef::ENUM: return "refbridge::OpenEnum<" + model_qualifier + type.model() + ">";
    case ir::TypeRef::ANY: return "refbridge::json::RawJson";
    default: return "void";
  }
}

}  // namespace refbridge::codegen
