// Mapping compiler, whole-spec checks. See mapping_compiler_impl.h.
#include "mapping_compiler_impl.h"

namespace refbridge::codegen::mapping_detail {

void Compiler::check_profile_declarations() {
  std::vector<std::string> tables;
  for (const auto& [k, v] : profile_.lookups) tables.push_back(k);
  for (const auto& l : m_.lookups()) {
    auto it = profile_.lookups.find(l.table());
    if (it == profile_.lookups.end()) {
      diags_.error(l.location(), "lookup table '" + l.table() + "' does not exist in profile '" + profile_.name + "' (" +
                                     profile_.file + ")." + did_you_mean(l.table(), tables));
      continue;
    }
    if (!l.default_allowed() && it->second.default_value) {
      diags_.error(l.location(), "lookup '" + l.table() + "' is declared with 'default: false' but profile '" +
                                     profile_.name + "' gives it a default (" + profile_.file + ":" +
                                     std::to_string(it->second.default_value->location.line()) + ")");
    }
    if (!l.key_source().empty()) {
      mapping::Path p;
      p.set_text(l.key_source());
      *p.mutable_location() = l.location();
      source_path(p);
    }
  }
  std::vector<std::string> consts;
  for (const auto& [k, v] : profile_.constants) consts.push_back(k);
  for (const auto& c : m_.constants()) {
    if (!profile_.constants.count(c.name())) {
      diags_.error(c.location(), "constant '" + c.name() + "' does not exist in profile '" + profile_.name + "' (" +
                                     profile_.file + ")." + did_you_mean(c.name(), consts));
    }
  }
  for (const auto& c : m_.conversions()) {
    for (const std::string& t : [&] {
           std::vector<std::string> all(c.params().begin(), c.params().end());
           all.push_back(c.returns());
           return all;
         }()) {
      if (!parse_conv_type(t)) {
        diags_.error(c.location(), "conversion '" + c.name() + "': unknown type '" + t +
                                       "' (types: string bool int32 int64 number date date-time, 'T?' = optional)." +
                                       did_you_mean(t, {"string", "bool", "int32", "int64", "number", "date",
                                                        "date-time"}));
      }
    }
  }
}

std::vector<std::string> Compiler::source_enum(const SourcePath& sp) const {
  if (sp.type.kind() == ir::TypeRef::ENUM) {
    for (const auto& mod : sp.api->models()) {
      if (mod.name() == sp.type.model()) return {mod.enum_values().begin(), mod.enum_values().end()};
    }
    return {};
  }
  if (sp.leaf != nullptr && sp.type.kind() == ir::TypeRef::STRING && sp.leaf->type().kind() == ir::TypeRef::STRING) {
    return {sp.leaf->enum_values().begin(), sp.leaf->enum_values().end()};  // inline `enum` on a string member
  }
  return {};
}

// `strict: {unused_sources: error}`: every member of every source model is read by a rule, require
// or gate (through any path that starts with it), or listed under `ignore_sources:` with a reason.
// Nested models (an EntityReference's Id, LogicalName) are not walked: reading one member of a
// nested model counts as reading the top-level member. `ignore_sources` entries are checked always:
// each names a source or a top-level member of one, and none may name a member that is read.
void Compiler::check_unused_sources() {
  std::map<std::string, const mapping::IgnoredSource*> ignored;  // "source" or "source.member" (no "[]")
  for (const auto& ig : m_.ignore_sources()) {
    std::string text = ig.path().text();
    const auto dot = text.find('.');
    std::string src = text.substr(0, dot);
    const bool bracket = src.size() > 2 && src.compare(src.size() - 2, 2, "[]") == 0;
    if (bracket) src.resize(src.size() - 2);
    const mapping::Source* source = nullptr;
    std::vector<std::string> names;
    for (const auto& s : m_.sources()) {
      names.push_back(s.name());
      if (s.name() == src) source = &s;
    }
    if (source == nullptr) {
      diags_.error(ig.path().location(), "ignore_sources: no source named '" + src + "' (sources: " + join(names, ", ") +
                                             ")." + did_you_mean(src, names));
      continue;
    }
    std::string key = src;
    if (dot != std::string::npos) {
      const std::string member = text.substr(dot + 1);
      if (source->list() != bracket) {
        diags_.error(ig.path().location(), source->list() ? "source '" + src + "' is a list: write '" + src + "[]." +
                                                                member + "'"
                                                          : "source '" + src + "' is not a list: remove the brackets");
        continue;
      }
      const ir::Model* mod = nullptr;
      if (auto ai = apis_.find(source->api()); ai != apis_.end()) {
        for (const auto& md : ai->second.models()) {
          if (md.name() == source->model()) mod = &md;
        }
      }
      if (mod == nullptr) continue;  // reported with the source
      if (find_field(*mod, member) == nullptr) {
        diags_.error(ig.path().location(), "ignore_sources: no property named '" + member + "' exists in source model " +
                                               source->api() + "." + mod->name() + " ('" + text +
                                               "' names a top-level member)." + did_you_mean(member, field_names(*mod)));
        continue;
      }
      key += "." + member;
    }
    ignored[key] = &ig;
  }
  // Members read: the first step of every used path.
  std::set<std::string> read;
  for (const SourcePath* sp : path_order_) {
    if (sp->used && !sp->steps.empty()) read.insert(sp->source->name() + "." + sp->steps.front().field->json_name());
  }
  for (const auto& [key, ig] : ignored) {
    if (key.find('.') != std::string::npos && read.count(key)) {
      diags_.error(ig->path().location(), "ignore_sources lists '" + ig->path().text() +
                                              "', which a rule, require or gate reads; remove it from ignore_sources.");
    }
  }
  // Only on an otherwise clean spec: a path that failed to resolve would show up as unread.
  if (m_.strict().unused_sources() != mapping::ERROR || !diags_.empty()) return;
  for (const auto& s : m_.sources()) {
    if (ignored.count(s.name())) continue;
    auto ai = apis_.find(s.api());
    if (ai == apis_.end()) continue;
    for (const auto& mod : ai->second.models()) {
      if (mod.name() != s.model()) continue;
      for (const auto& f : mod.fields()) {
        const std::string key = s.name() + "." + f.json_name();
        if (read.count(key) || ignored.count(key)) continue;
        const std::string shown = s.name() + (s.list() ? "[]." : ".") + f.json_name();
        diags_.error(s.location(), "Unused source property '" + shown + "' (" + s.api() + "." + mod.name() + "." +
                                       f.json_name() + ") is read by no rule, require or gate: map it, or list it "
                                       "under 'ignore_sources:' with a reason (strict: unused_sources).");
      }
    }
  }
}

void Compiler::check_coverage(const TargetNode& node, const ir::Api& a) {
  for (const auto& f : node.model->fields()) {
    if (is_optional_member(f) || node.assigned.count(f.json_name()) || node.children.count(f.json_name())) continue;
    const std::string path = (node.path.empty() ? "" : node.path + ".") + f.json_name();
    diags_.error(node.path.empty() ? m_.target().location() : node.first_use,
                 "Unmapped target property '" + path + "' (" + a.name() + "." + node.model->name() + "." +
                     f.json_name() + " is required).");
  }
  for (const auto& [name, by_index] : node.children) {
    int expect = by_index.begin()->first == -1 ? -1 : 0;
    for (const auto& [index, child] : by_index) {
      if (index != expect) {
        diags_.error(child->first_use, "target list '" + name + "' is indexed from 0 without gaps; found [" +
                                           std::to_string(index) + "] where [" + std::to_string(expect) +
                                           "] was expected");
      }
      expect = index + 1;
      check_coverage(*child, a);
    }
  }
}

}  // namespace refbridge::codegen::mapping_detail
