// Mapping compiler, emit: the transform's header and source. See mapping_compiler_impl.h.
#include "mapping_compiler_impl.h"

namespace refbridge::codegen::mapping_detail {

void Compiler::emit_source_vars(Printer& p) const {
  std::string out;
  for (const SourcePath* sp : path_order_) {
    if (!sp->used) continue;
    const std::string t = cpp_type_of(sp->type, *sp->api);
    const std::string base = "in." + names::legalize(sp->source->name());
    out += "  // " + sp->text + (sp->iterates ? " (every present value, in order)" : sp->may_be_absent ? " (may be absent)" : "") + "\n";
    // Split the steps at the iteration point.
    std::size_t split = 0;  // steps before the iterated one (exclusive end of the outer part)
    bool iter_step = false;
    for (std::size_t i = 0; i < sp->steps.size(); ++i) {
      if (sp->steps[i].iterate) {
        split = i + 1;
        iter_step = true;
      }
    }
    auto chain = [](std::string expr, const std::vector<Step>& steps, std::size_t from, std::size_t to,
                    std::vector<std::string>& conds, bool& last_optional) {
      bool prev_optional = false;
      for (std::size_t i = from; i < to; ++i) {
        expr += (prev_optional ? "->" : ".") + steps[i].field->cpp_name();
        if (steps[i].optional) conds.push_back(expr);
        prev_optional = steps[i].optional;
      }
      last_optional = prev_optional;
      return expr;
    };
    if (!sp->iterates) {
      std::vector<std::string> conds;
      bool last_opt = false;
      const std::string expr = chain(base, sp->steps, 0, sp->steps.size(), conds, last_opt);
      const std::string ref = (last_opt ? "&*" : "&") + expr;
      if (conds.empty()) {
        out += "  const " + t + "* const " + sp->var + " = " + ref + ";\n";
      } else {
        out += "  const " + t + "* const " + sp->var + " =\n      (" + join(conds, " && ") + ") ? " + ref + " : nullptr;\n";
      }
      continue;
    }
    out += "  std::vector<const " + t + "*> " + sp->var + ";\n";
    std::string container;
    std::vector<std::string> outer;
    if (iter_step) {
      bool last_opt = false;
      const std::string expr = chain(base, sp->steps, 0, split, outer, last_opt);
      container = last_opt ? "*" + expr : expr;
    } else {
      container = base;
    }
    std::vector<std::string> inner;
    bool last_opt = false;
    const std::size_t first_inner = iter_step ? split : 0;
    const std::string expr = chain("item", sp->steps, first_inner, sp->steps.size(), inner, last_opt);
    const std::string ref = first_inner == sp->steps.size() ? "&item" : (last_opt ? "&*" : "&") + expr;
    std::string pad = "  ";
    if (!outer.empty()) {
      out += "  if (" + join(outer, " && ") + ") {\n";
      pad += "  ";
    }
    out += pad + "for (const auto& item : " + container + ") {\n";
    if (inner.empty()) {
      out += pad + "  " + sp->var + ".push_back(" + ref + ");\n";
    } else {
      out += pad + "  if (" + join(inner, " && ") + ") " + sp->var + ".push_back(" + ref + ");\n";
    }
    out += pad + "}\n";
    if (!outer.empty()) out += "  }\n";
  }
  p.print(escape_dollars(out));
}

void Compiler::declare_nodes(Printer& p, const TargetNode& node) const {
  for (const ir::Field* f : node.child_fields) {
    for (const auto& [index, child] : node.children.at(f->json_name())) {
      p.print("  " + short_namespace(target_api_->cpp_namespace()) + "::" + child->model->name() + " " + child->var +
              "{};  // " + child->path + "\n");
      declare_nodes(p, *child);
    }
  }
}

void Compiler::emit_assembly(Printer& p, const TargetNode& node) const {
  for (const ir::Field* f : node.child_fields) {
    const auto& by_index = node.children.at(f->json_name());
    for (const auto& [index, child] : by_index) emit_assembly(p, *child);
    const std::string lv = node.var + "." + f->cpp_name();
    if (by_index.begin()->first == -1) {
      p.print("  " + lv + " = std::move(" + by_index.begin()->second->var + ");\n");
      continue;
    }
    const std::string et = short_namespace(target_api_->cpp_namespace()) + "::" + by_index.begin()->second->model->name();
    p.print("  {\n    std::vector<" + et + "> items;\n    items.reserve(" + std::to_string(by_index.size()) + ");\n");
    for (const auto& [index, child] : by_index) p.print("    items.push_back(std::move(" + child->var + "));\n");
    p.print("    " + lv + " = std::move(items);\n  }\n");
  }
}

bool Compiler::run(const std::string& out_rel_dir, std::vector<GeneratedFile>& files) {
  // Sources and target.
  for (const auto& s : m_.sources()) {
    if (const ir::Api* a = api(s.api(), s.location())) model(*a, s.model(), s.location());
  }
  if (m_.has_target()) {
    target_api_ = api(m_.target().api(), m_.target().location());
    if (target_api_ != nullptr) {
      if (const ir::Model* tm = model(*target_api_, m_.target().model(), m_.target().location())) {
        root_ = std::make_unique<TargetNode>();
        root_->model = tm;
        root_->var = "result";
      }
    }
  }
  if (m_.function().empty() || names::legalize(m_.function()) != m_.function()) {
    diags_.error(m_.location(), "function '" + m_.function() + "' is not a legal C++ identifier");
  }
  check_profile_declarations();
  forms_.check();
  for (const auto& req : m_.requirements()) {
    for (const auto& p : req.paths()) {
      SourcePath* sp = source_path(p);
      if (sp == nullptr) continue;
      if (sp->iterates) {
        diags_.error(p.location(), "require: '" + p.text() + "' goes through a list; only single values can be required");
        continue;
      }
      sp->used = true;
      forms_.read(sp->source->name(), sp->steps.front().field->json_name(), p.location(), "require");
      required_.insert(p.text());
    }
  }
  for (const auto& g : m_.gates()) {
    const mapping::Lookup* decl = declared_lookup(g.table(), g.location());
    SourcePath* sp = source_path(g.from());
    if (decl == nullptr || sp == nullptr) continue;
    sp->used = true;
    forms_.read(sp->source->name(), sp->steps.front().field->json_name(), g.from().location(), "gate " + g.rule());
    if (sp->iterates || sp->type.kind() != ir::TypeRef::STRING) {
      diags_.error(g.from().location(), "a gate checks one string; " + source_desc(*sp) + " is not one");
    } else if (!guaranteed(*sp)) {
      diags_.error(g.from().location(), "gate source '" + sp->text + "' may be absent: list it under 'require:'");
    }
  }
  for (const auto& r : m_.rules()) compile_rule(r);
  if (root_ && target_api_) check_coverage(*root_, *target_api_);
  check_unused_sources();
  if (!diags_.empty() || !root_) return false;

  // ---- emit ----
  const std::string fn = m_.function();
  const std::string input = names::to_pascal_case(fn) + "Input";
  const std::string target_t = short_namespace(target_api_->cpp_namespace()) + "::" + m_.target().model();
  const std::string banner = "// Generated by refbridge-codegen from " + m_.spec_file() + " — DO NOT EDIT.\n";
  const std::string dir_last = out_rel_dir.substr(out_rel_dir.find_last_of('/') + 1);
  std::set<std::string> api_includes;
  for (const auto& s : m_.sources()) api_includes.insert(include_root_ + s.api() + "/models.h");
  api_includes.insert(include_root_ + m_.target().api() + "/models.h");

  Printer h;
  h.print(escape_dollars(banner));
  h.print(escape_dollars(comment("Mapping '" + m_.name() + "' (profile checked at generation: " +
                                     (profiles_note_.empty() ? profile_.file : profiles_note_) + ").\n" +
                                     m_.description(),
                                 "// ")));
  h.print("#pragma once\n\n");
  for (const auto& inc : api_includes) h.print("#include \"" + inc + "\"\n");
  h.print("#include \"refbridge/error.h\"\n#include \"refbridge/mapping_runtime.h\"\n"
          "#include \"refbridge/primero_requirements.h\"\n#include \"refbridge/profile.h\"\n\n");
  h.print("#include <string>\n#include <string_view>\n#include <vector>\n\nnamespace refbridge::mappings {\n\n");
  h.print("/// The inputs of " + fn + "(): the spec's `sources:`, in declaration order.\n");
  h.print("struct " + input + " {\n");
  for (const auto& s : m_.sources()) {
    const ir::Api& a = apis_.at(s.api());
    std::string t = short_namespace(a.cpp_namespace()) + "::" + s.model();
    if (s.list()) t = "std::vector<" + t + ">";
    if (!s.description().empty()) h.print(escape_dollars(comment(s.description(), "  /// ")));
    h.print("  " + t + " " + names::legalize(s.name()) + ";\n");
  }
  h.print("};\n\n");
  std::string doc = "Builds a " + target_t + " from the inputs (" + m_.spec_file() + ").\n"
                    "Rejections (ErrorCode::kRejected, Error::rule set; messages name fields, never personal values):\n";
  for (const auto& req : m_.requirements()) {
    std::vector<std::string> shown;
    for (const auto& p : req.paths()) shown.push_back(paths_.at(p.text())->display);
    doc += "  - " + req.rule() + ": any of " + join(shown, ", ") + " absent or empty;\n";
  }
  for (const auto& g : m_.gates()) {
    doc += "  - " + g.rule() + ": " + paths_.at(g.from().text())->display + " is not a key of lookup " + g.table() + ";\n";
  }
  auto document_lookup = [&](const mapping::LookupRule& lk) {
    if (lk.on_missing() != mapping::REJECT) return;
    doc += "  - lookup-" + lk.table() + ": " + lk.from().text() + " has no entry in lookup " + lk.table() + ";\n";
  };
  for (const auto& r : m_.rules()) {
    if (r.has_lookup()) document_lookup(r.lookup());
    if (r.has_join()) {
      for (const auto& part : r.join().parts()) {
        if (part.has_lookup()) document_lookup(part.lookup());
      }
    }
  }
  for (const auto& cv : m_.conversions()) {
    if (!cv.rejects().empty()) doc += "  - " + cv.rejects() + ": conversion " + cv.name() + " refuses the values;\n";
  }
  doc += "Rules marked `when: create` apply only when ctx.mode == WriteMode::kCreate.\n"
         "ErrorCode::kConfig when the profile lacks a table, default or constant the mapping uses.";
  h.print(escape_dollars(comment(doc, "/// ")));
  h.print("refbridge::Result<" + target_t + "> " + fn + "(const " + input +
          "& in, const refbridge::Profile& profile,\n    const refbridge::MappingContext& ctx);\n\n");
  h.print("/// Checks that `profile` has every lookup table, default and constant " + fn +
          "() uses;\n/// kConfig listing all that are missing. Call it at start-up.\n");
  h.print("refbridge::Result<void> " + fn + "_check_profile(const refbridge::Profile& profile);\n\n");
  h.print("/// One line per lookup entry that `profile` marks unconfirmed (`unconfirmed:` of a table) in the\n"
          "/// tables " + fn + "() uses (refbridge::unconfirmed_entries); log them as warnings at start-up.\n");
  h.print("std::vector<std::string> " + fn + "_unconfirmed_entries(const refbridge::Profile& profile);\n\n");
  h.print(escape_dollars(forms_.declaration(fn)));
  h.print("}  // namespace refbridge::mappings\n");

  Printer c;
  c.print(escape_dollars(banner));
  c.print("#include \"" + include_root_ + dir_last + "/" + fn + ".h\"\n\n");
  c.print("#include <algorithm>\n#include <cstdint>\n#include <optional>\n#include <string>\n#include <string_view>\n"
          "#include <type_traits>\n#include <utility>\n#include <vector>\n\nnamespace refbridge::mappings {\n");
  if (m_.conversions_size() > 0) {
    c.print("\n// Hand-written conversions (sdk/src/mapping_runtime.cc) must have exactly the declared signatures.\n");
    for (const auto& cv : m_.conversions()) {
      std::vector<std::string> params = {"const refbridge::MappingContext&"};
      for (const auto& pt : cv.params()) params.push_back("const " + conv_cpp(*parse_conv_type(pt)) + "&");
      std::string ret = conv_cpp(*parse_conv_type(cv.returns()));
      if (!cv.rejects().empty()) ret = "refbridge::Result<" + ret + ">";
      const std::string sig = ret + " (*)(" + join(params, ", ") + ")";
      c.print(escape_dollars("static_assert(std::is_same_v<decltype(&refbridge::mapping::" + cv.name() + "),\n" +
                             "                             " + sig + ">,\n              " +
                             cpp_string_literal("conversion " + cv.name() + " must be declared as " + ret + " " +
                                                cv.name() + "(" + join(params, ", ") + ") (" + m_.spec_file() + ":" +
                                                std::to_string(cv.location().line()) + ")") +
                             ");\n"));
    }
  }
  // check_profile
  c.print("\nrefbridge::Result<void> " + fn + "_check_profile(const refbridge::Profile& profile) {\n");
  c.print("  std::vector<std::string> missing;\n");
  for (const auto& t : used_tables_) {
    c.print("  if (profile.lookups.count(" + cpp_string_literal(t) + ") == 0) {\n    missing.push_back(" +
            cpp_string_literal("lookup table '" + t + "'") + ");\n  }");
    if (default_tables_.count(t)) {
      c.print(" else if (!profile.lookups.at(" + cpp_string_literal(t) + ").default_value) {\n    missing.push_back(" +
              cpp_string_literal("default of lookup table '" + t + "'") + ");\n  }");
    }
    c.print("\n");
  }
  for (const auto& k : used_constants_) {
    c.print("  if (profile.constants.count(" + cpp_string_literal(k) + ") == 0) missing.push_back(" +
            cpp_string_literal("constant '" + k + "'") + ");\n");
  }
  c.print("  if (missing.empty()) return refbridge::ok();\n  std::string list;\n"
          "  for (const auto& item : missing) list += (list.empty() ? \"\" : \", \") + item;\n"
          "  return refbridge::make_error(refbridge::ErrorCode::kConfig,\n                              \"profile '\" + "
          "profile.name + \"' lacks what mapping " + m_.name() + " uses: \" + list);\n}\n");
  // unconfirmed entries of the tables used
  c.print("\nstd::vector<std::string> " + fn + "_unconfirmed_entries(const refbridge::Profile& profile) {\n");
  if (used_tables_.empty()) {
    c.print("  (void)profile;\n  return {};\n}\n");
  } else {
    std::vector<std::string> tables;
    for (const auto& t : used_tables_) tables.push_back(cpp_string_literal(t));
    c.print("  static constexpr std::string_view kTables[] = {" + join(tables, ", ") + "};\n"
            "  return refbridge::unconfirmed_entries(profile, kTables);\n}\n");
  }
  c.print(escape_dollars(forms_.definition(fn)));
  // transform
  c.print("\nrefbridge::Result<" + target_t + "> " + fn + "(const " + input +
          "& in, const refbridge::Profile& profile,\n    const refbridge::MappingContext& ctx) {\n");
  c.print("  (void)ctx;\n");
  if (!used_constants_.empty() || !used_tables_.empty()) c.print("  // Profile data.\n");
  for (const auto& k : used_constants_) {
    c.print("  REFBRIDGE_TRY(const std::string c_" + identifier_from(k) + ", profile.constant(" + cpp_string_literal(k) +
            "));\n");
  }
  for (const auto& t : used_tables_) {
    c.print("  REFBRIDGE_TRY(const refbridge::LookupTable* const lt_" + identifier_from(t) + ", profile.lookup(" +
            cpp_string_literal(t) + "));\n");
  }
  c.print("\n  // Source values (nullptr = absent).\n");
  emit_source_vars(c);
  for (const auto& req : m_.requirements()) {
    c.print("\n  // require: (" + m_.spec_file() + ":" + std::to_string(req.location().line()) + ")\n");
    c.print("  std::vector<std::string> missing;\n");
    for (const auto& p : req.paths()) {
      const SourcePath& sp = *paths_.at(p.text());
      std::vector<std::string> conds;
      if (sp.may_be_absent) conds.push_back(sp.var + " == nullptr");
      if (sp.type.kind() == ir::TypeRef::STRING) conds.push_back(sp.var + "->empty()");
      if (conds.empty()) continue;  // a required non-string member is always present
      c.print(escape_dollars("  if (" + join(conds, " || ") + ") missing.push_back(" + cpp_string_literal(sp.display) +
                             ");\n"));
    }
    c.print("  if (!missing.empty()) {\n    std::string list;\n"
            "    for (const auto& name : missing) list += (list.empty() ? \"\" : \", \") + name;\n"
            "    return refbridge::make_rejection(" + cpp_string_literal(req.rule()) +
            ", \"missing or empty required fields: \" + list);\n  }\n");
  }
  for (const auto& g : m_.gates()) {
    const SourcePath& sp = *paths_.at(g.from().text());
    c.print("\n  // gate: " + g.rule() + " (" + m_.spec_file() + ":" + std::to_string(g.location().line()) + ")\n");
    c.print(escape_dollars("  if (!lt_" + identifier_from(g.table()) + "->contains(*" + sp.var + ")) {\n" +
                           "    return refbridge::make_rejection(" + cpp_string_literal(g.rule()) + ", " +
                           cpp_string_literal(g.what() + " '") + " + *" + sp.var + " + " +
                           cpp_string_literal("' is not " + g.accepted_as() + " (see lookup " + g.table() +
                                              " in profile ") +
                           " + profile.name + \")\");\n  }\n"));
  }
  c.print("\n  // Target.\n  " + target_t + " result{};\n");
  declare_nodes(c, *root_);
  for (const auto& block : rule_code_) c.print("\n" + escape_dollars(block));
  c.print("\n");
  emit_assembly(c, *root_);
  c.print("  return result;\n}\n\n}  // namespace refbridge::mappings\n");

  files.push_back(GeneratedFile{out_rel_dir + "/" + fn + ".cc", c.str()});
  files.push_back(GeneratedFile{out_rel_dir + "/" + fn + ".h", h.str()});
  return true;
}

}  // namespace refbridge::codegen::mapping_detail
