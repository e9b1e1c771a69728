// Typed models per deployment. See deployment_models.h.
#include "deployment_models.h"

#include "deployment.h"
#include "emitters.h"
#include "schema_loader.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

namespace refbridge::codegen {
namespace {

using Models = std::map<std::string, ir::Model>;

bool is_text(const ir::TypeRef& t) {
  return t.kind() == ir::TypeRef::STRING ||
         (t.kind() == ir::TypeRef::ARRAY && t.element().kind() == ir::TypeRef::STRING);
}

bool is_enum_of_text(const ir::TypeRef& t) {
  return t.kind() == ir::TypeRef::ENUM || (t.kind() == ir::TypeRef::ARRAY && t.element().kind() == ir::TypeRef::ENUM);
}

/// The model names a type refers to (the enum or model itself, or its element's).
void referenced(const ir::TypeRef& t, std::vector<std::string>& out) {
  if (t.kind() == ir::TypeRef::MODEL || t.kind() == ir::TypeRef::ENUM) out.push_back(t.model());
  if (t.has_element()) referenced(t.element(), out);
}

/// Adds overlay model `name` (and the models it refers to) unless `out` has it.
Result<void> take(const Models& overlay, const std::string& name, Models& out) {
  const auto it = overlay.find(name);
  if (it == overlay.end()) return ok();
  if (const auto have = out.find(name); have != out.end()) {
    if (have->second.is_enum() && it->second.is_enum() &&
        std::equal(have->second.enum_values().begin(), have->second.enum_values().end(),
                   it->second.enum_values().begin(), it->second.enum_values().end())) {
      return ok();
    }
    if (!it->second.inline_of().empty()) {
      return make_error(ErrorCode::kInvalidInput, where(it->second.location()) + ": the overlay's enum " + name +
                                                      " (of " + it->second.inline_of() +
                                                      ") has the name of a different base model");
    }
    return ok();  // an object model of both: merged by the caller
  }
  out.emplace(name, it->second);
  std::vector<std::string> refs;
  for (const auto& f : it->second.fields()) referenced(f.type(), refs);
  for (const auto& r : refs) {
    REFBRIDGE_TRY(take(overlay, r, out));
  }
  return ok();
}

Result<void> merge_model(const Models& overlay, const ir::Model& over, Models& out) {
  ir::Model& into = out.at(over.name());
  for (const auto& f : over.fields()) {
    auto it = std::find_if(into.mutable_fields()->begin(), into.mutable_fields()->end(),
                           [&](const ir::Field& b) { return b.json_name() == f.json_name(); });
    std::vector<std::string> refs;
    referenced(f.type(), refs);
    if (it == into.mutable_fields()->end()) {
      *into.add_fields() = f;  // a field the base lacks: the deployment's custom field
    } else if (is_text(it->type()) && is_enum_of_text(f.type()) &&
               (it->type().kind() == ir::TypeRef::ARRAY) == (f.type().kind() == ir::TypeRef::ARRAY)) {
      *it->mutable_type() = f.type();  // text refined to the instance's options
      it->set_description(it->description() + " Deployment options: " + f.description());
    } else {
      continue;  // the base's type is kept
    }
    for (const auto& r : refs) {
      REFBRIDGE_TRY(take(overlay, r, out));
    }
  }
  return ok();
}

}  // namespace

Result<ir::Api> merge_deployment(const ir::Api& base, const ir::Api& overlay, const std::string& record_model,
                                 const std::string& name, const std::string& cpp_namespace) {
  Models all, over;
  for (const auto& m : base.models()) all.emplace(m.name(), m);
  for (const auto& m : overlay.models()) over.emplace(m.name(), m);
  if (!over.count(record_model)) {
    return make_error(ErrorCode::kInvalidInput, (overlay.source_files_size() ? overlay.source_files(0) : name) +
                                                    ": the overlay has no model " + record_model);
  }
  for (const auto& [model_name, m] : over) {  // object models of the overlay: the record and its rows
    if (m.is_enum() || !m.inline_of().empty()) continue;
    if (!all.count(model_name)) {
      REFBRIDGE_TRY(take(over, model_name, all));
    } else {
      REFBRIDGE_TRY(merge_model(over, m, all));
    }
  }
  ir::Api out;
  out.set_name(name);
  out.set_cpp_namespace(cpp_namespace);
  out.set_title(overlay.title());
  out.set_version(overlay.version());
  for (const auto& f : overlay.source_files()) out.add_source_files(f);
  for (const auto& f : base.source_files()) out.add_source_files(f);
  std::set<std::string> reached;
  std::deque<std::string> queue{record_model};
  while (!queue.empty()) {
    const std::string n = queue.front();
    queue.pop_front();
    if (!reached.insert(n).second || !all.count(n)) continue;
    std::vector<std::string> refs;
    for (const auto& f : all.at(n).fields()) referenced(f.type(), refs);
    queue.insert(queue.end(), refs.begin(), refs.end());
  }
  for (const auto& [model_name, m] : all) {  // std::map: sorted by name, as the loader sorts
    if (reached.count(model_name)) *out.add_models() = m;
  }
  return out;
}

Result<std::vector<GeneratedFile>> generate_deployment_models(const std::filesystem::path& root,
                                                              const DeploymentConfig& d, const ir::Api& base) {
  REFBRIDGE_TRY(const DeploymentOverlay o, load_overlay(root / d.overlay, d.overlay));
  REFBRIDGE_TRY(const ir::Api overlay, load_api(root, d.overlay, d.name, d.cpp_namespace));
  REFBRIDGE_TRY(const ir::Api merged, merge_deployment(base, overlay, record_model_name(o.source.record_type),
                                                       "primero_" + d.name, d.cpp_namespace));
  EmitContext ctx;
  ctx.api = &merged;
  ctx.out_dir = d.out;
  while (!ctx.out_dir.empty() && ctx.out_dir.back() == '/') ctx.out_dir.pop_back();
  ctx.include_prefix = std::filesystem::path(ctx.out_dir).filename().generic_string();
  ctx.source = d.overlay + " over " + (base.source_files_size() ? base.source_files(0) : d.api);
  std::vector<GeneratedFile> files = emit_models(ctx);
  auto serde = emit_serde(ctx);
  files.insert(files.end(), serde.begin(), serde.end());
  return files;
}

}  // namespace refbridge::codegen
