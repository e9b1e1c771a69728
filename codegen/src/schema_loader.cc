// The schema loader's run and $ref resolution. See schema_loader.h and schema_loader_impl.h.
#include "schema_loader_impl.h"

namespace refbridge::codegen::schema_detail {

Result<ir::Api> Loader::run(const std::string& spec_rel) {
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

void Loader::register_def(const std::string& file, const std::string& name, const YAML::Node& node, const YAML::Node& at) {
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

std::string Loader::resolve_ref(const std::string& file, const YAML::Node& ref_node) {
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

std::string Loader::resolve_in_file(const std::string& from, const std::string& target, const std::string& name,
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

}  // namespace refbridge::codegen::schema_detail

namespace refbridge::codegen {

using schema_detail::Loader;
namespace fs = std::filesystem;

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
