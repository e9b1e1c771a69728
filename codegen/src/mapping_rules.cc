// Mapping compiler: one rule into its code block. See mapping_compiler_impl.h.
#include "mapping_compiler_impl.h"

namespace refbridge::codegen::mapping_detail {

void Compiler::optional_into_required(const TargetLeaf& leaf, const SourcePath& sp, const ir::SourceLocation& where) {
  diags_.error(where, "Source '" + sp.text + "' is optional but " + target_desc(leaf) +
                          " is required: add a default, or list the source under 'require:'.");
}

void Compiler::compile_rule(const mapping::Rule& r) {
  const auto& at = r.target().location();
  // Resolve the sources first so that their problems are reported even when the target is wrong.
  std::vector<SourcePath*> srcs;
  bool sources_ok = true;
  auto resolve = [&](const mapping::Path& p) {
    SourcePath* sp = source_path(p);
    if (sp == nullptr) {
      sources_ok = false;
    } else {
      sp->used = true;
      forms_.read(sp->source->name(), sp->steps.front().field->json_name(), p.location(), "rule " + r.target().text());
    }
    srcs.push_back(sp);
    return sp;
  };
  switch (r.kind_case()) {
    case mapping::Rule::kCopy: resolve(r.copy().from()); break;
    case mapping::Rule::kLookup: resolve(r.lookup().from()); break;
    case mapping::Rule::kConvert:
      for (const auto& p : r.convert().from()) resolve(p);
      break;
    case mapping::Rule::kJoin:
      for (const auto& part : r.join().parts()) resolve(part.has_lookup() ? part.lookup().from() : part.path());
      break;
    default: break;
  }
  auto leaf_opt = target_leaf(r);
  if (!leaf_opt || !sources_ok) return;
  const TargetLeaf& leaf = *leaf_opt;
  const ir::TypeRef& tt = leaf.field->type();

  RuleWork w{r, at, srcs, leaf, leaf.lvalue, tt, {}, {}};
  bool compiled = false;
  switch (r.kind_case()) {
    case mapping::Rule::kCopy: compiled = rule_copy(w); break;
    case mapping::Rule::kConstant: compiled = rule_constant(w); break;
    case mapping::Rule::kLiteral: compiled = rule_literal(w); break;
    case mapping::Rule::kLookup: compiled = rule_lookup(w); break;
    case mapping::Rule::kConvert: compiled = rule_convert(w); break;
    case mapping::Rule::kJoin: compiled = rule_join(w); break;
    default: break;
  }
  if (!compiled) return;
  const std::vector<std::string>& body = w.body;
  const std::string& summary = w.summary;

  if (r.when() == mapping::CREATE && !leaf.optional) {
    diags_.error(at, "'when: create' would leave required " + target_desc(leaf) + " unset on update");
    return;
  }
  std::string condition;  // C++ test of `when: {target, equals}`, "" = unconditional
  if (r.has_condition()) {
    auto cond = condition_code(r.condition());
    if (!cond) return;
    if (!leaf.optional) {
      diags_.error(r.condition().location(), "'when: {target: " + r.condition().target().text() + ", equals: " +
                                                 r.condition().equals() + "}' would leave required " +
                                                 target_desc(leaf) + " unset when the condition fails");
      return;
    }
    condition = *cond;
  }
  assigned_.emplace(leaf.path, leaf);
  const bool text_target = takes_text(tt) || (tt.kind() == ir::TypeRef::ARRAY && tt.element().kind() == ir::TypeRef::STRING);
  forms_.write(r, summary, text_target);
  std::vector<std::string> block;
  block.push_back("// " + leaf.path + " <- " + summary + (r.when() == mapping::CREATE ? " [on create only]" : "") +
                  (r.has_condition() ? " [only when " + r.condition().target().text() + " == " +
                                           r.condition().equals() + "]"
                                     : "") +
                  "  (" + m_.spec_file() + ":" + std::to_string(at.line()) + ")");
  if (!r.description().empty()) block.push_back("// " + r.description());
  if (r.when() == mapping::CREATE) {
    block.push_back("if (ctx.mode == refbridge::WriteMode::kCreate) {");
  } else if (!condition.empty()) {
    block.push_back("if (" + condition + ") {");
  } else {
    block.push_back("{");
  }
  for (auto& l : body) block.push_back("  " + l);
  block.push_back("}");
  rule_code_.push_back(indent_block(block, "  "));
}

}  // namespace refbridge::codegen::mapping_detail
