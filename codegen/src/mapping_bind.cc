// Mapping compiler, bind: the spec's paths, lookups, constants, enum values and literals against the IR. See mapping_compiler_impl.h.
#include "mapping_compiler_impl.h"

namespace refbridge::codegen::mapping_detail {

const ir::Api* Compiler::api(const std::string& name, const ir::SourceLocation& at) {
  auto it = apis_.find(name);
  if (it != apis_.end()) return &it->second;
  std::vector<std::string> names;
  for (const auto& [k, v] : apis_) names.push_back(k);
  diags_.error(at, "unknown API '" + name + "' (known: " + join(names, ", ") + ")." + did_you_mean(name, names));
  return nullptr;
}

const ir::Model* Compiler::model(const ir::Api& a, const std::string& name, const ir::SourceLocation& at) {
  std::vector<std::string> names;
  for (const auto& mod : a.models()) {
    if (mod.name() == name) return &mod;
    names.push_back(mod.name());
  }
  diags_.error(at, "no model '" + name + "' in API '" + a.name() + "'." + did_you_mean(name, names));
  return nullptr;
}

SourcePath* Compiler::source_path(const mapping::Path& p) {
  if (auto it = paths_.find(p.text()); it != paths_.end()) return it->second.get();
  const auto& at = p.location();
  auto segs = split_path(p.text());
  if (!segs) {
    diags_.error(at, "malformed path '" + p.text() + "' (expected source.member.member, 'name[]' to iterate)");
    return nullptr;
  }
  auto sp = std::make_unique<SourcePath>();
  sp->text = p.text();
  std::vector<std::string> source_names;
  for (const auto& s : m_.sources()) {
    source_names.push_back(s.name());
    if (s.name() == (*segs)[0].name) sp->source = &s;
  }
  if (sp->source == nullptr) {
    diags_.error(at, "No source named '" + (*segs)[0].name + "' in path '" + p.text() + "' (sources: " +
                         join(source_names, ", ") + ")." + did_you_mean((*segs)[0].name, source_names));
    return nullptr;
  }
  if (sp->source->list() != (*segs)[0].iterate || (*segs)[0].index >= 0) {
    diags_.error(at, sp->source->list() ? "source '" + sp->source->name() + "' is a list: write '" +
                                               sp->source->name() + "[]." + "...'"
                                        : "source '" + sp->source->name() + "' is not a list: remove the brackets");
    return nullptr;
  }
  sp->iterates = sp->source->list();
  auto ai = apis_.find(sp->source->api());
  if (ai == apis_.end()) return nullptr;  // reported with the source declaration
  sp->api = &ai->second;
  const ir::Model* cur = nullptr;
  for (const auto& mod : sp->api->models()) {
    if (mod.name() == sp->source->model()) cur = &mod;
  }
  if (cur == nullptr) return nullptr;  // reported with the source declaration
  if (segs->size() < 2) {
    diags_.error(at, "path '" + p.text() + "' names a whole source; name a member");
    return nullptr;
  }
  std::vector<std::string> shown;
  for (std::size_t i = 1; i < segs->size(); ++i) {
    const Segment& seg = (*segs)[i];
    if (cur == nullptr) {
      diags_.error(at, "'" + (*segs)[i - 1].name + "' in path '" + p.text() + "' is not a model; it has no member '" +
                           seg.name + "'");
      return nullptr;
    }
    const ir::Field* f = find_field(*cur, seg.name);
    if (f == nullptr) {
      diags_.error(at, "No property named '" + seg.name + "' exists in source model " + sp->api->name() + "." +
                           cur->name() + " (path '" + p.text() + "')." + did_you_mean(seg.name, field_names(*cur)));
      return nullptr;
    }
    Step st{f, is_optional_member(*f), seg.iterate};
    ir::TypeRef t = f->type();
    if (seg.index >= 0) {
      diags_.error(at, "source paths cannot index lists ('" + seg.name + "[" + std::to_string(seg.index) +
                           "]'); iterate with '" + seg.name + "[]'");
      return nullptr;
    }
    if (seg.iterate) {
      if (t.kind() != ir::TypeRef::ARRAY) {
        diags_.error(at, "'" + seg.name + "' is not a list; remove the brackets in '" + p.text() + "'");
        return nullptr;
      }
      if (sp->iterates) {
        diags_.error(at, "path '" + p.text() + "' iterates twice; only one list level is supported");
        return nullptr;
      }
      sp->iterates = true;
      t = ir::TypeRef(t.element());
    } else if (t.kind() == ir::TypeRef::ARRAY && i + 1 < segs->size()) {
      diags_.error(at, "'" + seg.name + "' is a list; write '" + seg.name + "[]' to iterate it");
      return nullptr;
    }
    if (!sp->iterates && st.optional) sp->may_be_absent = true;
    sp->steps.push_back(st);
    shown.push_back(seg.name);
    sp->leaf = f;
    sp->type = t;
    cur = nullptr;
    if (t.kind() == ir::TypeRef::MODEL) {
      for (const auto& mod : sp->api->models()) {
        if (mod.name() == t.model()) cur = &mod;
      }
    }
  }
  sp->display = join(shown, ".");
  sp->var = "src_" + identifier_from(p.text());
  SourcePath* raw = sp.get();
  paths_.emplace(p.text(), std::move(sp));
  path_order_.push_back(raw);
  return raw;
}

std::optional<TargetLeaf> Compiler::target_leaf(const mapping::Rule& r) {
  const auto& at = r.target().location();
  const std::string& text = r.target().text();
  auto segs = split_path(text);
  if (!segs || !root_) {
    if (!segs) diags_.error(at, "malformed target path '" + text + "' (expected member.member or list[0].member)");
    return std::nullopt;
  }
  TargetNode* node = root_.get();
  for (std::size_t i = 0; i < segs->size(); ++i) {
    const Segment& seg = (*segs)[i];
    const ir::Field* f = find_field(*node->model, seg.name);
    if (f == nullptr) {
      diags_.error(at, "No property named '" + seg.name + "' exists in target model " + target_api_->name() + "." +
                           node->model->name() + " (target '" + text + "')." +
                           did_you_mean(seg.name, field_names(*node->model)));
      return std::nullopt;
    }
    if (seg.iterate) {
      diags_.error(at, "target paths index lists explicitly ('" + seg.name + "[0]'), '[]' is for sources");
      return std::nullopt;
    }
    const bool last = i + 1 == segs->size();
    ir::TypeRef t = f->type();
    if (seg.index >= 0) {
      if (t.kind() != ir::TypeRef::ARRAY || t.element().kind() != ir::TypeRef::MODEL) {
        diags_.error(at, "'" + seg.name + "' is not a list of models; it cannot be indexed in '" + text + "'");
        return std::nullopt;
      }
      t = ir::TypeRef(t.element());
    }
    if (last) {
      if (seg.index >= 0 || t.kind() == ir::TypeRef::MODEL) {
        diags_.error(at, "target '" + text + "' is a whole model; map its members one by one");
        return std::nullopt;
      }
      if (node->assigned.count(seg.name) || node->children.count(seg.name)) {
        diags_.error(at, "Target property '" + text + "' must not be mapped more than once.");
        return std::nullopt;
      }
      node->assigned.insert(seg.name);
      TargetLeaf leaf{text, node, f, is_optional_member(*f), node->var + "." + f->cpp_name()};
      return leaf;
    }
    if (t.kind() != ir::TypeRef::MODEL) {
      diags_.error(at, "'" + seg.name + "' in target '" + text + "' is not a model; it has no member '" +
                           (*segs)[i + 1].name + "'");
      return std::nullopt;
    }
    if (node->assigned.count(seg.name)) {
      diags_.error(at, "Target property '" + seg.name + "' must not be mapped more than once.");
      return std::nullopt;
    }
    auto& slot = node->children[seg.name];
    if (slot.empty()) node->child_fields.push_back(f);
    auto& child = slot[seg.index];
    if (!child) {
      child = std::make_unique<TargetNode>();
      child->model = nullptr;
      for (const auto& mod : target_api_->models()) {
        if (mod.name() == t.model()) child->model = &mod;
      }
      if (child->model == nullptr) return std::nullopt;
      child->path = (node->path.empty() ? "" : node->path + ".") + seg.name +
                    (seg.index >= 0 ? "[" + std::to_string(seg.index) + "]" : "");
      child->var = "t_" + identifier_from(child->path);
      child->first_use = at;
      ++node_counter_;
    }
    node = child.get();
  }
  return std::nullopt;
}

const mapping::Lookup* Compiler::declared_lookup(const std::string& table, const ir::SourceLocation& at) {
  std::vector<std::string> names;
  for (const auto& l : m_.lookups()) {
    if (l.table() == table) {
      used_tables_.insert(table);
      return &l;
    }
    names.push_back(l.table());
  }
  diags_.error(at, "lookup table '" + table + "' is not declared under 'lookups:'." + did_you_mean(table, names));
  return nullptr;
}

bool Compiler::declared_constant(const std::string& name, const ir::SourceLocation& at) {
  std::vector<std::string> names;
  for (const auto& c : m_.constants()) {
    if (c.name() == name) {
      used_constants_.insert(name);
      return true;
    }
    names.push_back(c.name());
  }
  diags_.error(at, "constant '" + name + "' is not declared under 'constants:'." + did_you_mean(name, names));
  return false;
}

std::vector<std::string> Compiler::target_enum(const TargetLeaf& leaf) const {
  std::vector<std::string> values(leaf.field->enum_values().begin(), leaf.field->enum_values().end());
  if (values.empty()) {
    const ir::TypeRef& t = leaf.field->type().kind() == ir::TypeRef::ARRAY ? leaf.field->type().element()
                                                                            : leaf.field->type();
    if (t.kind() == ir::TypeRef::ENUM) {
      for (const auto& mod : target_api_->models()) {
        if (mod.name() == t.model()) values.assign(mod.enum_values().begin(), mod.enum_values().end());
      }
    }
  }
  return values;
}

void Compiler::check_enum_value(const TargetLeaf& leaf, const std::string& value, const std::string& origin,
                                const ir::SourceLocation& at) {
  const auto allowed = target_enum(leaf);
  if (allowed.empty() || std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return;
  diags_.error(at, origin + " value '" + value + "' is not a valid value of " + target_api_->name() + "." +
                       leaf.node->model->name() + "." + leaf.field->json_name() + " (allowed: " + join(allowed, ", ") +
                       ")." + did_you_mean(value, allowed));
}

std::optional<std::string> Compiler::literal_code(const TargetLeaf& leaf, const std::string& value,
                                                  const ir::SourceLocation& at) {
  const auto kind = leaf.field->type().kind();
  switch (kind) {
    case ir::TypeRef::STRING:
    case ir::TypeRef::ENUM:
      check_enum_value(leaf, value, "literal", at);
      return text_into(leaf.field->type(), *target_api_, "std::string(" + cpp_string_literal(value) + ")");
    case ir::TypeRef::BOOLEAN:
      if (value == "true" || value == "false") return value;
      break;
    case ir::TypeRef::INT32:
    case ir::TypeRef::INT64:
      if (!value.empty() && value.find_first_not_of("-0123456789") == std::string::npos) {
        return kind == ir::TypeRef::INT32 ? "std::int32_t{" + value + "}" : "std::int64_t{" + value + "}";
      }
      break;
    case ir::TypeRef::NUMBER: {
      char* end = nullptr;
      std::strtod(value.c_str(), &end);
      if (!value.empty() && end != nullptr && *end == '\0') return "double{" + value + "}";
      break;
    }
    default:
      break;
  }
  diags_.error(at, "Can't map literal '" + value + "' to " + target_desc(leaf) + ".");
  return std::nullopt;
}

}  // namespace refbridge::codegen::mapping_detail
