#pragma once
// Internal to the schema loader (schema_loader.h): the Loader that turns one OpenAPI document (and
// the files it references) into an ir::Api. Its stages live in one file each:
//   schema_loader.cc      the run (document, components, paths, then checks), $ref resolution
//   schema_types.cc       a property schema -> ir::TypeRef (keywords, nullability, defaults)
//   schema_models.cc      components -> ir::Model (objects, allOf, enums, variants, cycles)
//   schema_operations.cc  paths -> ir::Operation (parameters, bodies, responses, idempotency)
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

namespace refbridge::codegen::schema_detail {
namespace fs = std::filesystem;

inline const std::set<std::string, std::less<>> kSchemaKeywords = {
    "type", "format", "description", "title", "properties", "required", "items", "additionalProperties",
    "enum", "$ref", "pattern", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems",
    "example", "examples", "default", "readOnly", "writeOnly", "deprecated", "$comment", "uniqueItems",
    // handled where supported (components, members), rejected with a message elsewhere
    "allOf", "oneOf", "anyOf", "discriminator"};
inline const std::set<std::string, std::less<>> kUnsupportedKeywords = {
    "not", "if", "then", "else", "patternProperties",
    "prefixItems", "dependentSchemas", "dependentRequired", "const", "unevaluatedProperties",
    "propertyNames", "contains", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "nullable",
    "$defs", "$anchor", "$dynamicRef"};
inline const std::set<std::string, std::less<>> kHttpMethods = {"get", "put", "post", "patch", "delete"};

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

  Result<ir::Api> run(const std::string& spec_rel);

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

  void register_def(const std::string& file, const std::string& name, const YAML::Node& node, const YAML::Node& at);

  // Resolves a $ref to a component schema; registers schemas of other files on first use.
  // Returns the component name, or empty after reporting an error.
  std::string resolve_ref(const std::string& file, const YAML::Node& ref_node);

  std::string main_file() const { return api_.source_files_size() > 0 ? api_.source_files(0) : std::string(); }

  std::string resolve_in_file(const std::string& from, const std::string& target, const std::string& name,
                              const YAML::Node& ref_node);

  // ---- schemas ----------------------------------------------------------------------------------
  bool check_keywords(const std::string& file, const YAML::Node& s);

  // The type of a (property/items/parameter) schema. `nullable` is set when the type admits null.
  bool type_of(const std::string& file, const YAML::Node& s, ir::TypeRef* t, bool* nullable);

  // The one anyOf form supported: `anyOf: [{$ref: X}, {type: "null"}]`, a nullable reference.
  bool nullable_ref(const std::string& file, const YAML::Node& s, const YAML::Node& any, ir::TypeRef* t, bool* nullable);

  // What an object model under construction has collected so far (allOf parts add to it).
  struct ObjectBuild {
    ir::Model* m = nullptr;
    std::set<std::string> required;
    std::vector<std::pair<std::string, YAML::Node>> required_at;  // (file, `required` node) for diagnostics
    std::map<std::string, std::string> cpp_names;                 // C++ name -> "json" (file:line)
    std::set<std::string> declared;
  };

  void build_model(const std::string& name);

  // Adds the members of the object schema `s` (and, for allOf, of each part in order) to `ob`.
  void add_object(ObjectBuild& ob, const std::string& file, const YAML::Node& s, std::set<std::string>& visiting, bool top);

  // Enum values of `values` into m (null entries of a nullable enum are skipped).
  void add_enum_values(ir::Model* m, const std::string& file, const YAML::Node& values);

  // The schema `default` of field f as compact JSON. Scalars matching the member type, an enum
  // value, null on a nullable member and [] on an array are supported.
  std::string default_json(const std::string& file, const YAML::Node& d, const ir::Field& f);

  // A component (or synthesized inline) schema with oneOf/anyOf + discriminator.
  void build_variant(ir::Model* m, const std::string& file, const YAML::Node& s);

  // Once every model is built: each alternative declares the discriminator as a string/enum member,
  // and no two variants have the same alternatives (they would be the same C++ type).
  void check_variants();

  // Registers a model synthesized from an inline schema of the member being built.
  // Returns false (after an error) when the name is taken.
  bool synthesize(const std::string& file, const YAML::Node& node, bool is_enum);

  // Reports models that contain themselves (directly or through other models).
  void check_cycles();

  // ---- operations -------------------------------------------------------------------------------
  const YAML::Node resolve_parameter(const std::string& file, const YAML::Node& root, const YAML::Node& p);

  std::string body_model(const std::string& file, const YAML::Node& content, const char* what, bool json_only);

  void build_paths(const std::string& file, const YAML::Node& root, const YAML::Node& paths);

  // Operation::idempotent (see codegen/ir.proto): from the method, a keyed PATCH, or the
  // `x-refbridge-idempotent: true|false` extension (any other value is an error). Call after
  // build_parameters (a keyed PATCH has a path parameter).
  void set_idempotency(const std::string& file, const YAML::Node& op, ir::Operation* o);

  void build_parameters(const std::string& file, const YAML::Node& root, const std::vector<YAML::Node>& common,
                        const YAML::Node& op, ir::Operation* o);

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

}  // namespace refbridge::codegen::schema_detail
