// validate.h / validate.cc: one validator per object model, generated from the schema's rules.
//   std::vector<refbridge::Violation> validate(const Model& value);             // every violation
//   void validate(const Model& value, refbridge::validation::Context& ctx);      // nested models
// Rules: required (a required nullable member must be present), enum membership (component and
// inline enums; an open enum's unknown value is a violation), pattern (std::regex compiled once per
// pattern), minimum/maximum, minLength/maxLength (UTF-8 code points), format uuid/email and
// x-refbridge-lowercase. Nested models, array items ("[i]") and map values (".key") are walked.
// The emitted code uses only the optional-like API of member types (refbridge::validation::value_of,
// with_text), so it compiles against every member type of the generator's type contract.
#include "emitters.h"
#include "names.h"
#include "printer.h"

#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <system_error>

namespace refbridge::codegen {
namespace {

// Number text for a message and a C++ literal: integers without a fraction, others shortest.
std::string number_text(double d) {
  if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 1e18) {
    return std::to_string(static_cast<long long>(d));
  }
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

std::string quoted_list(const google::protobuf::RepeatedPtrField<std::string>& values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += ", ";
    out += "\"" + v + "\"";
  }
  return out;
}

bool is_string_kind(const ir::TypeRef& t) { return t.kind() == ir::TypeRef::STRING; }
bool is_number_kind(const ir::TypeRef& t) {
  return t.kind() == ir::TypeRef::INT32 || t.kind() == ir::TypeRef::INT64 || t.kind() == ir::TypeRef::NUMBER;
}

class ValidateEmitter {
 public:
  explicit ValidateEmitter(const EmitContext& ctx) : ctx_(ctx), api_(*ctx.api) {
    for (const auto& m : api_.models()) by_name_[m.name()] = &m;
  }

  std::vector<GeneratedFile> run() {
    collect_tables();
    return {{ctx_.out_dir + "/validate.h", header()}, {ctx_.out_dir + "/validate.cc", source()}};
  }

 private:
  // ---- what needs checking --------------------------------------------------------------------

  bool type_needs(const ir::TypeRef& t) {
    switch (t.kind()) {
      case ir::TypeRef::ENUM:
        return true;
      case ir::TypeRef::MODEL: {
        const auto it = by_name_.find(t.model());
        return it != by_name_.end() && model_needs(*it->second);
      }
      case ir::TypeRef::ARRAY:
      case ir::TypeRef::MAP:
        return t.has_element() && type_needs(t.element());
      default:
        return false;
    }
  }

  // Field-level keywords that apply to the member's own value.
  bool has_value_rules(const ir::Field& f) const {
    const ir::TypeRef& t = f.type();
    if (is_string_kind(t)) {
      return f.enum_values_size() > 0 || !f.pattern().empty() || f.min_length() >= 0 || f.max_length() >= 0 ||
             t.format() == "uuid" || t.format() == "email" || f.lowercase();
    }
    if (is_number_kind(t)) return f.has_minimum() || f.has_maximum();
    return false;
  }

  bool field_needs(const ir::Field& f) {
    return (f.required() && f.nullable()) || has_value_rules(f) || type_needs(f.type());
  }

  bool model_needs(const ir::Model& m) {
    if (m.is_enum()) return false;
    if (const auto it = needs_.find(m.name()); it != needs_.end()) return it->second;
    needs_[m.name()] = false;  // the loader rejects cycles; this only guards the recursion
    bool needs = false;
    for (const auto& f : m.fields()) needs = field_needs(f) || needs;
    for (const auto& alt : m.variant_models()) {
      if (const auto it = by_name_.find(alt); it != by_name_.end()) needs = model_needs(*it->second) || needs;
    }
    needs_[m.name()] = needs;
    return needs;
  }

  // ---- tables: enum value lists and patterns, in model order ----------------------------------

  std::string enum_table(const std::string& name, const google::protobuf::RepeatedPtrField<std::string>& values) {
    if (const auto it = enum_tables_.find(name); it != enum_tables_.end()) return it->second.first;
    std::string var = "k" + names::to_pascal_case(name) + "Values";
    while (!enum_vars_.insert(var).second) var += "_";
    std::string init;
    for (const auto& v : values) init += (init.empty() ? "\"" : ", \"") + names::escape_string(v) + "\"";
    enum_tables_[name] = {var, init};
    enum_order_.push_back(name);
    return var;
  }

  std::string pattern_fn(const std::string& pattern, const std::string& used_by) {
    if (const auto it = patterns_.find(pattern); it != patterns_.end()) return it->second;
    const std::string fn = "pattern_" + std::to_string(patterns_.size());
    patterns_[pattern] = fn;
    pattern_order_.push_back({pattern, used_by});
    return fn;
  }

  void collect_tables() {
    for (const auto& m : api_.models()) {
      if (m.is_enum()) continue;
      for (const auto& f : m.fields()) collect_type(f.type());
      for (const auto& f : m.fields()) {
        if (is_string_kind(f.type()) && f.enum_values_size() > 0) enum_table(m.name() + "_" + f.json_name(), f.enum_values());
        if (is_string_kind(f.type()) && !f.pattern().empty()) pattern_fn(f.pattern(), m.name() + "." + f.json_name());
      }
    }
  }

  void collect_type(const ir::TypeRef& t) {
    if (t.kind() == ir::TypeRef::ENUM) {
      if (const auto it = by_name_.find(t.model()); it != by_name_.end()) enum_table(t.model(), it->second->enum_values());
    }
    if (t.has_element()) collect_type(t.element());
  }

  // ---- emission ---------------------------------------------------------------------------------

  std::string header() {
    Printer h;
    const Printer::Vars base = {{"ns", api_.cpp_namespace()}, {"inc", ctx_.include_prefix}};
    h.print(generated_banner(ctx_.source));
    h.print(
        "// Validators of $ns$, generated from the schema's rules (required, enum, pattern,\n"
        "// minimum/maximum, minLength/maxLength, format uuid/email, x-refbridge-lowercase).\n"
        "// validate() collects every violation with its JSON path (\"$$.parts[0].id\"); messages name\n"
        "// the rule, never the value. Reading (serde) already checks JSON types and typed formats\n"
        "// (date, date-time, integer widths); validation checks what a type cannot hold.\n"
        "#pragma once\n"
        "\n"
        "#include \"$inc$/models.h\"\n"
        "#include \"refbridge/validation.h\"\n"
        "\n"
        "#include <vector>\n"
        "\n"
        "namespace $ns$ {\n",
        base);
    for (const auto& m : api_.models()) {
      if (m.is_enum()) continue;
      Printer::Vars v = base;
      v["name"] = m.name();
      v["where"] = where(m.location());
      if (m.is_variant()) {
        h.print(
            "\n/// Every violation of the $name$ alternative held (none for an unknown alternative). Source: $where$\n"
            "[[nodiscard]] std::vector<refbridge::Violation> validate(const $name$& value);\n"
            "void validate(const $name$& value, refbridge::validation::Context& ctx);\n",
            v);
        continue;
      }
      h.print(
          "\n/// Every violation of $name$'s rules (empty when valid). Source: $where$\n"
          "[[nodiscard]] std::vector<refbridge::Violation> validate(const $name$& value);\n"
          "/// Appends the violations of `value` below `ctx`'s current path.\n"
          "void validate(const $name$& value, refbridge::validation::Context& ctx);\n",
          v);
    }
    h.print("\n}  // namespace $ns$\n", base);
    return h.str();
  }

  std::string source() {
    Printer c;
    const Printer::Vars base = {{"ns", api_.cpp_namespace()}, {"inc", ctx_.include_prefix}};
    c.print(generated_banner(ctx_.source));
    c.print("#include \"$inc$/validate.h\"\n\n", base);
    bool variants = false;
    for (const auto& m : api_.models()) variants = variants || m.is_variant();
    c.print("#include <cstddef>\n");
    if (!pattern_order_.empty()) c.print("#include <regex>\n");
    c.print("#include <string_view>\n");
    if (variants) c.print("#include <variant>\n");
    c.print("\nnamespace $ns$ {\n", base);
    if (!pattern_order_.empty() || !enum_order_.empty()) {
      c.print("namespace {\n");
      for (const auto& name : enum_order_) {
        const auto& [var, list] = enum_tables_.at(name);
        c.print("\nconstexpr std::string_view $var$[] = {$list$};\n", {{"var", var}, {"list", list}});
      }
      for (const auto& [pattern, used_by] : pattern_order_) {
        c.print(
            "\n// $used_by$: $pattern_comment$ (ECMAScript, unanchored search; compiled once)\n"
            "const std::regex& $fn$() {\n"
            "  static const std::regex re(\"$pattern$\", std::regex::ECMAScript | std::regex::optimize);\n"
            "  return re;\n"
            "}\n",
            {{"used_by", used_by},
             {"pattern_comment", comment_safe(pattern)},
             {"fn", patterns_.at(pattern)},
             {"pattern", names::escape_string(pattern)}});
      }
      c.print("\n}  // namespace\n");
    }
    for (const auto& m : api_.models()) {
      if (m.is_enum()) continue;
      emit_model(c, m);
    }
    c.print("\n}  // namespace $ns$\n", base);
    return c.str();
  }

  static std::string comment_safe(const std::string& text) {
    std::string out;
    for (const char ch : text) out += (ch == '\n' || ch == '\r') ? ' ' : ch;
    // A backslash at the end of a // comment would continue it onto the next line.
    while (!out.empty() && out.back() == '\\') out.pop_back();
    return out;
  }

  void emit_model(Printer& c, const ir::Model& m) {
    Printer::Vars v = {{"name", m.name()}, {"where", where(m.location())}};
    if (m.is_variant()) {
      // A variant is a std::variant alias: two with the same alternatives are one C++ type,
      // so only the first gets definitions (the header may declare both).
      std::string key;
      for (const auto& alt : m.variant_models()) key += alt + ",";
      if (!variant_types_.insert(key).second) {
        c.print("\n// $name$ ($where$) is the same C++ type as an earlier variant; validated there.\n", v);
        return;
      }
    }
    c.print(
        "\nstd::vector<refbridge::Violation> validate(const $name$& value) {\n"
        "  refbridge::validation::Context ctx;\n"
        "  validate(value, ctx);\n"
        "  return ctx.take();\n"
        "}\n",
        v);
    if (m.is_variant() && model_needs(m)) {
      c.print(
          "\n// $where$: the alternative held; an unknown alternative (RawJson) has no rules.\n"
          "void validate(const $name$& value, refbridge::validation::Context& ctx) {\n"
          "  std::visit(\n"
          "      [&ctx](const auto& alternative) {\n"
          "        if constexpr (requires { validate(alternative, ctx); }) validate(alternative, ctx);\n"
          "      },\n"
          "      value);\n"
          "}\n",
          v);
      return;
    }
    if (m.is_variant()) {
      c.print("\n// $where$: no rules to check.\nvoid validate(const $name$& /*value*/, refbridge::validation::Context& /*ctx*/) {}\n", v);
      return;
    }
    emit_object(c, m, v);
  }

  void emit_object(Printer& c, const ir::Model& m, const Printer::Vars& v) {
    if (!model_needs(m)) {
      c.print("\n// $where$: no rules to check.\nvoid validate(const $name$& /*value*/, refbridge::validation::Context& /*ctx*/) {}\n", v);
      return;
    }
    c.print("\n// $where$\nvoid validate(const $name$& value, refbridge::validation::Context& ctx) {\n", v);
    c.indent();
    c.print("namespace rv = refbridge::validation;\n");
    for (const auto& f : m.fields()) {
      if (!field_needs(f)) continue;
      emit_field(c, m, f);
    }
    c.outdent();
    c.print("}\n");
  }

  void emit_field(Printer& c, const ir::Model& m, const ir::Field& f) {
    Printer::Vars v = {{"json", names::escape_string(f.json_name())}, {"member", f.cpp_name()}};
    if (f.required() && f.nullable()) {
      c.print(
          "if (!rv::required_present(value.$member$)) ctx.add_member(\"$json$\", \"required\", \"required member is absent\");\n",
          v);
    }
    if (!has_value_rules(f) && !type_needs(f.type())) return;
    c.print("if (const auto* x = rv::value_of(value.$member$)) {\n", v);
    c.indent();
    c.print("const auto at = ctx.member(\"$json$\");\n", v);
    emit_value_rules(c, m, f);
    emit_type_checks(c, f.type(), "*x", 0);
    c.outdent();
    c.print("}\n");
  }

  void emit_value_rules(Printer& c, const ir::Model& m, const ir::Field& f) {
    const ir::TypeRef& t = f.type();
    if (is_string_kind(t)) {
      if (f.enum_values_size() > 0) {
        c.print("rv::check_enum(ctx, *x, $table$, \"$msg$\");\n",
                {{"table", enum_table(m.name() + "_" + f.json_name(), f.enum_values())},
                 {"msg", names::escape_string("not one of " + quoted_list(f.enum_values()))}});
      }
      if (!f.pattern().empty()) {
        c.print("rv::check_pattern(ctx, *x, $fn$(), \"$msg$\");\n",
                {{"fn", pattern_fn(f.pattern(), m.name() + "." + f.json_name())},
                 {"msg", names::escape_string("does not match pattern " + f.pattern())}});
      }
      if (f.min_length() >= 0) {
        c.print("rv::check_min_length(ctx, *x, $n$, \"shorter than $n$ character$s$\");\n",
                {{"n", std::to_string(f.min_length())}, {"s", f.min_length() == 1 ? "" : "s"}});
      }
      if (f.max_length() >= 0) {
        c.print("rv::check_max_length(ctx, *x, $n$, \"longer than $n$ character$s$\");\n",
                {{"n", std::to_string(f.max_length())}, {"s", f.max_length() == 1 ? "" : "s"}});
      }
      if (t.format() == "uuid") {
        if (f.lowercase()) {
          c.print("// format uuid + x-refbridge-lowercase: Primero accepts lower-case UUIDs only (subform unique_id, record id).\n");
        } else {
          c.print(
              "// format uuid: any case. Note: Primero requires lower-case UUIDs for subform unique_id;\n"
              "// `x-refbridge-lowercase: true` on the member adds that check.\n");
        }
        c.print("rv::check_uuid(ctx, *x);\n");
      } else if (t.format() == "email") {
        c.print("rv::check_email(ctx, *x);\n");
      }
      if (f.lowercase()) c.print("rv::check_lowercase(ctx, *x);\n");
    } else if (is_number_kind(t)) {
      if (f.has_minimum()) {
        c.print("rv::check_minimum(ctx, *x, $n$, \"less than minimum $n$\");\n", {{"n", number_text(f.minimum())}});
      }
      if (f.has_maximum()) {
        c.print("rv::check_maximum(ctx, *x, $n$, \"greater than maximum $n$\");\n", {{"n", number_text(f.maximum())}});
      }
    }
  }

  // Checks carried by the type itself: enum membership, nested models, array items, map values.
  void emit_type_checks(Printer& c, const ir::TypeRef& t, const std::string& expr, int depth) {
    if (!type_needs(t)) return;
    const std::string d = std::to_string(depth);
    switch (t.kind()) {
      case ir::TypeRef::ENUM: {
        const auto it = by_name_.find(t.model());
        if (it == by_name_.end()) return;
        c.print("rv::check_enum(ctx, $expr$, $table$, \"$msg$\");\n",
                {{"expr", expr},
                 {"table", enum_table(t.model(), it->second->enum_values())},
                 {"msg", names::escape_string("not one of " + quoted_list(it->second->enum_values()))}});
        return;
      }
      case ir::TypeRef::MODEL:
        c.print("validate($expr$, ctx);\n", {{"expr", expr}});
        return;
      case ir::TypeRef::ARRAY:
        c.print("for (std::size_t i$d$ = 0; const auto& e$d$ : $expr$) {\n", {{"d", d}, {"expr", expr}});
        c.indent();
        c.print("const auto at$d$ = ctx.index(i$d$++);\n", {{"d", d}});
        emit_type_checks(c, t.element(), "e" + d, depth + 1);
        c.outdent();
        c.print("}\n");
        return;
      case ir::TypeRef::MAP:
        c.print("for (const auto& [k$d$, v$d$] : $expr$) {\n", {{"d", d}, {"expr", expr}});
        c.indent();
        c.print("const auto at$d$ = ctx.key(k$d$);\n", {{"d", d}});
        emit_type_checks(c, t.element(), "v" + d, depth + 1);
        c.outdent();
        c.print("}\n");
        return;
      default:
        return;
    }
  }

  const EmitContext& ctx_;
  const ir::Api& api_;
  std::map<std::string, const ir::Model*> by_name_;
  std::map<std::string, bool> needs_;
  std::map<std::string, std::pair<std::string, std::string>> enum_tables_;  // name -> (variable, C++ initializers)
  std::vector<std::string> enum_order_;
  std::set<std::string> enum_vars_;
  std::set<std::string> variant_types_;  // "A,B," of each variant already defined
  std::map<std::string, std::string> patterns_;  // pattern -> function
  std::vector<std::pair<std::string, std::string>> pattern_order_;  // (pattern, first user)
};

}  // namespace

std::vector<GeneratedFile> emit_validate(const EmitContext& ctx) { return ValidateEmitter(ctx).run(); }

}  // namespace refbridge::codegen
