// Mapping compiler: the code block of each rule kind (copy, constant, literal, lookup, convert,
// join), called by compile_rule (mapping_rules.cc). See mapping_compiler_impl.h.
#include "mapping_compiler_impl.h"

namespace refbridge::codegen::mapping_detail {

bool Compiler::rule_copy(RuleWork& w) {
  [[maybe_unused]] auto& [r, at, srcs, leaf, L, tt, body, summary] = w;
  const auto& c = r.copy();
  const SourcePath& s = *srcs[0];
  summary = "copy " + s.text;
  if (c.omit_empty() && s.type.kind() != ir::TypeRef::STRING) {
    diags_.error(at, "omit_empty applies to strings; " + source_desc(s) + " is not one");
    return false;
  }
  if (s.iterates) {
    if (tt.kind() != ir::TypeRef::ARRAY || !same_type(s.type, *s.api, tt.element(), *target_api_)) {
      diags_.error(c.from().location(), "Can't map list " + source_desc(s) + " to " + target_desc(leaf) +
                                            ": a path through a list needs a list target of the same element type.");
      return false;
    }
    const std::string et = cpp_type_of(s.type, *s.api);
    body.push_back("std::vector<" + et + "> values;");
    body.push_back("for (const " + et + "* value : " + s.var + ") {");
    if (c.omit_empty()) body.push_back("  if (value->empty()) continue;");
    body.push_back("  values.push_back(*value);");
    body.push_back("}");
    body.push_back(leaf.optional ? "if (!values.empty()) " + L + " = std::move(values);" : L + " = std::move(values);");
    return true;
  }
  // Lossy conversions are errors unless declared: int64 -> int32 needs `lossy: narrowing` (or a
  // conversion); date-time -> date only through a declared conversion. int32 -> int64 widens.
  const bool narrowing = s.type.kind() == ir::TypeRef::INT64 && tt.kind() == ir::TypeRef::INT32;
  const bool widening = s.type.kind() == ir::TypeRef::INT32 && tt.kind() == ir::TypeRef::INT64;
  if (c.lossy_narrowing() && !narrowing) {
    diags_.error(c.lossy_location(), "'lossy: narrowing' declared, but " + source_desc(s) + " into " +
                                         target_desc(leaf) + " does not narrow; remove it.");
    return false;
  }
  if (narrowing && !c.lossy_narrowing()) {
    diags_.error(c.from().location(), "Lossy conversion from " + source_desc(s) + " to " + target_desc(leaf) +
                                          ": int64 -> int32 narrows. Declare it with 'lossy: narrowing' (out-of-range "
                                          "values are then rejected at run time) or use a declared conversion.");
    return false;
  }
  if (s.type.kind() == ir::TypeRef::DATE_TIME && tt.kind() == ir::TypeRef::DATE) {
    diags_.error(c.from().location(), "Lossy conversion from " + source_desc(s) + " to " + target_desc(leaf) +
                                          ": a date-time's time of day and offset decide the calendar date. Declare "
                                          "a conversion under 'conversions:' and use 'convert:'.");
    return false;
  }
  if (!narrowing && !widening && !same_type(s.type, *s.api, tt, *target_api_)) {
    diags_.error(c.from().location(), "Can't map " + source_desc(s) + " to " + target_desc(leaf) +
                                          ": the types differ. Declare a conversion under 'conversions:' and use "
                                          "'convert:'.");
    return false;
  }
  std::string def;
  if (!c.default_constant().empty()) {
    if (!declared_constant(c.default_constant(), at)) return false;
    if (!takes_text(tt)) {
      diags_.error(at, "Can't map constant '" + c.default_constant() + "' (std::string) to " + target_desc(leaf) + ".");
      return false;
    }
    if (auto it = profile_.constants.find(c.default_constant()); it != profile_.constants.end()) {
      check_enum_value(leaf, it->second.value, "constant '" + c.default_constant() + "'", it->second.location);
    }
    def = text_into(tt, *target_api_, "c_" + identifier_from(c.default_constant()));
    summary += ", else constant " + c.default_constant();
  } else if (c.has_default_literal()) {
    auto lit = literal_code(leaf, c.default_literal(), at);
    if (!lit) return false;
    def = *lit;
    summary += ", else literal " + c.default_literal();
  }
  const bool sure = guaranteed(s);
  if (!sure && !leaf.optional && def.empty()) {
    optional_into_required(w.leaf, s, c.from().location());
    return false;
  }
  std::vector<std::string> conds;
  if (!sure) conds.push_back(s.var + " != nullptr");
  if (c.omit_empty()) conds.push_back("!" + s.var + "->empty()");
  std::string value = "*" + s.var;
  auto range_check = [&](const std::string& pad) {
    if (!narrowing) return;
    w.body.push_back(pad + "if (" + value + " < INT32_MIN || " + value + " > INT32_MAX) {");
    w.body.push_back(pad + "  return refbridge::make_rejection(\"narrowing\", " +
                   cpp_string_literal(s.display + " is outside the range of " + w.leaf.path + " (int32)") + ");");
    w.body.push_back(pad + "}");
  };
  if (narrowing) summary += " (lossy: narrowing, out of range = rejected)";
  if (conds.empty()) {
    range_check("");
    if (narrowing) value = "static_cast<std::int32_t>(" + value + ")";
    body.push_back(L + " = " + value + ";");
  } else {
    body.push_back("if (" + join(conds, " && ") + ") {");
    range_check("  ");
    if (narrowing) value = "static_cast<std::int32_t>(" + value + ")";
    body.push_back("  " + L + " = " + value + ";");
    if (!def.empty()) {
      body.push_back("} else {");
      body.push_back("  " + L + " = " + def + ";");
    }
    body.push_back("}");
  }
  if (c.omit_empty()) summary += " (empty = absent)";
  return true;
}

bool Compiler::rule_constant(RuleWork& w) {
  [[maybe_unused]] auto& [r, at, srcs, leaf, L, tt, body, summary] = w;
  const std::string& name = r.constant().name();
  summary = "constant " + name;
  if (!declared_constant(name, at)) return false;
  if (!takes_text(tt)) {
    diags_.error(at, "Can't map constant '" + name + "' (std::string) to " + target_desc(leaf) + ".");
    return false;
  }
  if (auto it = profile_.constants.find(name); it != profile_.constants.end()) {
    check_enum_value(leaf, it->second.value, "constant '" + name + "'", it->second.location);
  }
  body.push_back(L + " = " + text_into(tt, *target_api_, "c_" + identifier_from(name)) + ";");
  return true;
}

bool Compiler::rule_literal(RuleWork& w) {
  [[maybe_unused]] auto& [r, at, srcs, leaf, L, tt, body, summary] = w;
  summary = "literal " + r.literal().value();
  auto lit = literal_code(leaf, r.literal().value(), at);
  if (!lit) return false;
  body.push_back(L + " = " + *lit + ";");
  return true;
}

bool Compiler::rule_lookup(RuleWork& w) {
  [[maybe_unused]] auto& [r, at, srcs, leaf, L, tt, body, summary] = w;
  const auto& lk = r.lookup();
  const SourcePath& s = *srcs[0];
  auto plan = check_lookup(lk, s, leaf, at, /*join_part=*/false);
  if (!plan) return false;
  summary = plan->summary;
  if (s.iterates) {
    body.push_back("std::vector<std::string> values;");
    body.push_back("for (const std::string* key : " + s.var + ") {");
    for (auto& l : lookup_lines(*plan, "*key", /*in_loop=*/true,
                                [](const std::string& v) { return "std::string value = " + v + ";"; }, "  ")) {
      body.push_back(std::move(l));
    }
    if (lk.distinct()) {
      body.push_back("  if (std::find(values.begin(), values.end(), value) != values.end()) continue;  // distinct");
    }
    body.push_back("  values.push_back(std::move(value));");
    body.push_back("}");
    if (lk.has_join()) {
      // One string: the results joined; none left -> omitted (the target is optional, checked).
      body.push_back("if (!values.empty()) {");
      body.push_back("  std::string joined = values.front();");
      body.push_back("  for (std::size_t i = 1; i < values.size(); ++i) joined += " + cpp_string_literal(lk.join()) +
                     " + values[i];");
      body.push_back("  " + L + " = std::move(joined);");
      body.push_back("}");
    } else {
      body.push_back(leaf.optional ? "if (!values.empty()) " + L + " = std::move(values);"
                                   : L + " = std::move(values);");
    }
    return true;
  }
  const std::string key_text =
      s.type.kind() == ir::TypeRef::ENUM ? "std::string(to_string(*" + s.var + "))" : "*" + s.var;
  const std::string pad = guaranteed(s) ? "" : "  ";
  if (!guaranteed(s)) body.push_back("if (" + s.var + " != nullptr) {");
  for (auto& l : lookup_lines(*plan, key_text, /*in_loop=*/false,
                              [&](const std::string& v) { return w.L + " = " + text_into(w.tt, *target_api_, v) + ";"; },
                              pad)) {
    body.push_back(std::move(l));
  }
  if (!guaranteed(s)) body.push_back("}");
  return true;
}

bool Compiler::rule_convert(RuleWork& w) {
  [[maybe_unused]] auto& [r, at, srcs, leaf, L, tt, body, summary] = w;
  const auto& cv = r.convert();
  summary = "convert " + cv.function() + "(";
  const mapping::Conversion* decl = nullptr;
  std::vector<std::string> names;
  for (const auto& c : m_.conversions()) {
    if (c.name() == cv.function()) decl = &c;
    names.push_back(c.name());
  }
  if (decl == nullptr) {
    diags_.error(at, "conversion '" + cv.function() + "' is not declared under 'conversions:'." +
                         did_you_mean(cv.function(), names));
    return false;
  }
  const auto ret = parse_conv_type(decl->returns());
  if (!ret) return false;  // reported with the declaration
  if (decl->params_size() != cv.from_size()) {
    diags_.error(at, "conversion '" + cv.function() + "' takes " + std::to_string(decl->params_size()) +
                         " argument(s), the rule passes " + std::to_string(cv.from_size()));
    return false;
  }
  std::vector<std::string> guards, args = {"ctx"};
  for (int i = 0; i < cv.from_size(); ++i) {
    const SourcePath& s = *srcs[static_cast<std::size_t>(i)];
    summary += (i ? ", " : "") + s.text;
    const auto pt = parse_conv_type(decl->params(i));
    if (!pt) return false;
    if (s.iterates) {
      diags_.error(cv.from(i).location(), "conversions take single values; '" + s.text + "' goes through a list");
      return false;
    }
    if (s.type.kind() != pt->kind) {
      diags_.error(cv.from(i).location(), "Can't pass " + source_desc(s) + " as argument " + std::to_string(i + 1) +
                                              " of conversion '" + cv.function() + "', which takes " + conv_cpp(*pt) +
                                              ".");
      return false;
    }
    if (pt->optional) {
      args.push_back(guaranteed(s) ? "std::optional<" + pt->cpp + ">(*" + s.var + ")"
                                   : "(" + s.var + " != nullptr ? std::optional<" + pt->cpp + ">(*" + s.var +
                                         ") : std::nullopt)");
    } else {
      if (!guaranteed(s)) {
        if (!leaf.optional) {
          optional_into_required(w.leaf, s, cv.from(i).location());
          return false;
        }
        guards.push_back(s.var + " != nullptr");
      }
      args.push_back("*" + s.var);
    }
  }
  summary += ")";
  if (tt.kind() != ret->kind) {
    diags_.error(at, "Can't map the result of conversion '" + cv.function() + "' (" + conv_cpp(*ret) + ") to " +
                         target_desc(leaf) + ".");
    return false;
  }
  if (ret->optional && !leaf.optional) {
    diags_.error(at, "conversion '" + cv.function() + "' may return no value (" + conv_cpp(*ret) + ") but " +
                         target_desc(leaf) + " is required");
    return false;
  }
  const std::string call = "refbridge::mapping::" + cv.function() + "(" + join(args, ", ") + ")";
  const std::string pad = guards.empty() ? "" : "  ";
  if (!guards.empty()) body.push_back("if (" + join(guards, " && ") + ") {");
  if (!decl->rejects().empty()) {
    // A fallible conversion: its rejection (rule decl->rejects()) is the transform's.
    summary += ", may reject (rule " + decl->rejects() + ")";
    body.push_back(pad + "REFBRIDGE_TRY(" + conv_cpp(*ret) + " value, " + call + ");");
    body.push_back(pad + (ret->optional ? "if (value) " + L + " = std::move(*value);" : L + " = std::move(value);"));
  } else if (ret->optional) {
    body.push_back(pad + "if (" + conv_cpp(*ret) + " value = " + call + ") " + L + " = std::move(*value);");
  } else {
    body.push_back(pad + L + " = " + call + ";");
  }
  if (!guards.empty()) body.push_back("}");
  return true;
}

bool Compiler::rule_join(RuleWork& w) {
  [[maybe_unused]] auto& [r, at, srcs, leaf, L, tt, body, summary] = w;
  const auto& j = r.join();
  std::vector<std::string> vars, texts;
  std::vector<std::string> prelude;  // lookup parts, computed before the join
  for (int i = 0; i < j.parts_size(); ++i) {
    const auto& part = j.parts(i);
    const SourcePath& s = *srcs[static_cast<std::size_t>(i)];
    const ir::SourceLocation& where = part.has_lookup() ? part.lookup().from().location() : part.path().location();
    if (s.iterates || (!part.has_lookup() && s.type.kind() != ir::TypeRef::STRING)) {
      diags_.error(where, "join parts are single strings; " + source_desc(s) +
                              (s.iterates ? " goes through a list" : " is not a string"));
      return false;
    }
    if (!part.has_lookup()) {
      vars.push_back(s.var);
      texts.push_back(s.text);
      continue;
    }
    auto plan = check_lookup(part.lookup(), s, leaf, at, /*join_part=*/true);
    if (!plan) return false;
    const std::string looked = "looked_up_" + std::to_string(i), ptr = "part_" + std::to_string(i);
    const std::string key_text =
        s.type.kind() == ir::TypeRef::ENUM ? "std::string(to_string(*" + s.var + "))" : "*" + s.var;
    prelude.push_back("std::optional<std::string> " + looked + ";");
    const std::string pad = guaranteed(s) ? "" : "  ";
    if (!guaranteed(s)) prelude.push_back("if (" + s.var + " != nullptr) {");
    for (auto& l : lookup_lines(*plan, key_text, /*in_loop=*/false,
                                [&](const std::string& v) { return looked + " = " + v + ";"; }, pad)) {
      prelude.push_back(std::move(l));
    }
    if (!guaranteed(s)) prelude.push_back("}");
    prelude.push_back("const std::string* const " + ptr + " = " + looked + " ? &*" + looked + " : nullptr;");
    vars.push_back(ptr);
    texts.push_back(plan->summary);
  }
  summary = "join [" + join(texts, ", ") + "] with " + cpp_string_literal(j.separator()) +
            (j.skip_empty() ? ", empty parts skipped" : "");
  if (tt.kind() != ir::TypeRef::STRING) {
    diags_.error(at, "Can't map a join (std::string) to " + target_desc(leaf) + ".");
    return false;
  }
  for (auto& l : prelude) body.push_back(std::move(l));
  body.push_back("std::string joined;");
  body.push_back("bool first = true;");
  body.push_back("for (const std::string* part : {" + join(vars, ", ") + "}) {");
  if (j.skip_empty()) body.push_back("  if (part == nullptr || part->empty()) continue;");
  body.push_back("  if (!first) joined += " + cpp_string_literal(j.separator()) + ";");
  body.push_back("  first = false;");
  body.push_back(j.skip_empty() ? "  joined += *part;" : "  if (part != nullptr) joined += *part;");
  body.push_back("}");
  body.push_back(leaf.optional && j.skip_empty() ? "if (!joined.empty()) " + L + " = std::move(joined);"
                                                 : L + " = std::move(joined);");
  return true;
}

}  // namespace refbridge::codegen::mapping_detail
