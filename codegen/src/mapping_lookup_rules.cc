// Mapping compiler: lookup rules and `when:` conditions. See mapping_compiler_impl.h.
#include "mapping_compiler_impl.h"

namespace refbridge::codegen::mapping_detail {

// Every check of one lookup (a `lookup:` rule, or a `{lookup: ...}` part of a join, `join_part`),
// in the order a reader meets the problems: declaration, key, types, totality over an enum source,
// on_missing against the table, the target and the profile's values.
std::optional<LookupPlan> Compiler::check_lookup(const mapping::LookupRule& lk, const SourcePath& s,
                                                 const TargetLeaf& leaf, const ir::SourceLocation& at, bool join_part) {
  const ir::TypeRef& tt = leaf.field->type();
  const mapping::Lookup* decl = declared_lookup(lk.table(), at);
  if (decl == nullptr) return std::nullopt;
  if (!decl->key_source().empty() && decl->key_source() != s.text) {
    diags_.error(lk.from().location(), "lookup '" + lk.table() + "' is declared with key '" + decl->key_source() +
                                           "' but this rule looks up '" + s.text + "'");
    return std::nullopt;
  }
  const bool enum_key = s.type.kind() == ir::TypeRef::ENUM;
  if (s.type.kind() != ir::TypeRef::STRING && !(enum_key && !s.iterates)) {
    diags_.error(lk.from().location(), "lookup keys are strings or (single) enums; " + source_desc(s) + " is not one");
    return std::nullopt;
  }
  if (lk.has_join() && (join_part || !s.iterates)) {
    diags_.error(at, "lookup join applies to paths through a list (the results joined into one string); '" + s.text +
                         "' yields one value");
    return std::nullopt;
  }
  if (join_part) {
    if (s.iterates) {
      diags_.error(lk.from().location(), "join parts are single strings; " + source_desc(s) + " goes through a list");
      return std::nullopt;
    }
  } else if (lk.has_join()) {
    if (tt.kind() != ir::TypeRef::STRING) {
      diags_.error(at, "Can't map joined lookup '" + lk.table() + "' (std::string) to " + target_desc(leaf) + ".");
      return std::nullopt;
    }
    if (!leaf.optional) {
      diags_.error(at, "lookup join of '" + s.text + "' may leave no value (an empty list, or every key omitted) but " +
                           target_desc(leaf) + " is required");
      return std::nullopt;
    }
  } else {
    const bool list_target = tt.kind() == ir::TypeRef::ARRAY && tt.element().kind() == ir::TypeRef::STRING;
    if (s.iterates ? !list_target : !takes_text(tt)) {
      diags_.error(at, "Can't map lookup '" + lk.table() + "' of " + source_desc(s) + " to " + target_desc(leaf) +
                           (s.iterates ? ": a path through a list needs a std::vector<std::string> target (or "
                                         "'join: <separator>' for a std::string target)."
                                       : ": lookup values are std::string."));
      return std::nullopt;
    }
  }
  const auto table_it = profile_.lookups.find(lk.table());
  // Enum sources: every value the schema lists must have an entry (the lookup is total), unless
  // on_missing says what happens otherwise; entries for values the enum lacks can never be used.
  const std::vector<std::string> src_enum = source_enum(s);
  if (table_it != profile_.lookups.end() && !src_enum.empty()) {
    if (m_.strict().unused_lookup_entries() == mapping::ERROR) {
      for (const auto& e : table_it->second.entries) {
        if (std::find(src_enum.begin(), src_enum.end(), e.key) != src_enum.end()) continue;
        diags_.error(e.location, "Unused lookup entry '" + e.key + "' in table '" + lk.table() + "' of profile '" +
                                     profile_.name + "': " + source_desc(s) + " only takes " + join(src_enum, ", ") +
                                     " (strict: unused_lookup_entries)." + did_you_mean(e.key, src_enum));
      }
    }
    std::vector<std::string> uncovered;
    for (const auto& v : src_enum) {
      const auto& es = table_it->second.entries;
      if (std::none_of(es.begin(), es.end(), [&](const auto& e) { return e.key == v; })) uncovered.push_back("'" + v + "'");
    }
    if (!uncovered.empty() && lk.on_missing() == mapping::ON_MISSING_UNSPECIFIED) {
      diags_.error(at, "Lookup '" + lk.table() + "' is not total over enum " + source_desc(s) + ": profile '" +
                           profile_.name + "' has no entry for " + join(uncovered, ", ") +
                           ". Add the entries, or state on_missing: default (with a table default), omit or reject.");
      return std::nullopt;
    }
  }
  if (lk.on_missing() == mapping::ON_MISSING_UNSPECIFIED && src_enum.empty()) {
    diags_.error(at, "lookup '" + lk.table() + "' needs on_missing: omit, default or reject: " + source_desc(s) +
                         " is not an enum, so no table can cover every value.");
    return std::nullopt;
  }
  // A total lookup still meets wire values the schema does not list (OpenEnum): those are rejected.
  const mapping::OnMissing om = lk.on_missing() == mapping::ON_MISSING_UNSPECIFIED ? mapping::REJECT : lk.on_missing();
  LookupPlan plan;
  plan.on_missing = om;
  plan.table = lk.table();
  plan.lt = "lt_" + identifier_from(lk.table());
  plan.display = s.display;
  plan.summary = "lookup " + lk.table() + "[" + s.text + "], " +
                 (lk.on_missing() == mapping::ON_MISSING_UNSPECIFIED ? std::string("total over the enum (unlisted = reject)")
                                                                     : "on_missing: " + on_missing_name(om)) +
                 (lk.has_join() ? ", joined with " + cpp_string_literal(lk.join()) : "");
  if (om == mapping::DEFAULT) {
    default_tables_.insert(lk.table());
    if (!decl->default_allowed()) {
      diags_.error(at, "on_missing: default, but lookup '" + lk.table() +
                           "' is declared with 'default: false' under 'lookups:'");
      return std::nullopt;
    }
    if (table_it != profile_.lookups.end() && !table_it->second.default_value) {
      diags_.error(at, "on_missing: default, but lookup table '" + lk.table() + "' of profile '" + profile_.name +
                           "' (" + profile_.file + ") has no default");
      return std::nullopt;
    }
  }
  // passthrough: the key text itself is the value, so both sides must be plain strings (an enum key
  // is not a target value, and a key is not a valid value of a target enum).
  const ir::TypeRef& tt_text = tt.kind() == ir::TypeRef::ARRAY ? tt.element() : tt;
  if (om == mapping::PASSTHROUGH && (enum_key || tt_text.kind() != ir::TypeRef::STRING || !target_enum(leaf).empty())) {
    diags_.error(at, "on_missing: passthrough copies an unknown key unchanged, so the source and the target must both be "
                     "plain strings; " + (enum_key ? source_desc(s) : target_desc(leaf)) + " is not one. Use omit, "
                     "default or reject.");
    return std::nullopt;
  }
  if (om == mapping::OMIT && !leaf.optional && !join_part) {
    diags_.error(at, "on_missing: omit can leave required " + target_desc(leaf) + " unset; use default or reject");
    return std::nullopt;
  }
  if (lk.distinct() && !s.iterates) {
    diags_.error(at, "distinct applies to paths through a list; '" + s.text + "' yields one value");
    return std::nullopt;
  }
  const bool sure = s.iterates || guaranteed(s);
  if (!sure && !leaf.optional && !join_part) {
    diags_.error(lk.from().location(), "Source '" + s.text + "' is optional but " + target_desc(leaf) +
                                           " is required: add a default, or list the source under 'require:'.");
    return std::nullopt;
  }
  if (table_it != profile_.lookups.end()) {
    for (const auto& e : table_it->second.entries) {
      check_enum_value(leaf, e.value, "lookup '" + lk.table() + "' entry '" + e.key + "':", e.location);
    }
    if (table_it->second.default_value && om != mapping::REJECT) {
      check_enum_value(leaf, table_it->second.default_value->value, "lookup '" + lk.table() + "' default",
                       table_it->second.default_value->location);
    }
  }
  return plan;
}

// `when: {target, equals}`: the C++ test that target member `target` (set by an earlier rule, so
// spec order is evaluation order) holds `equals`. Strings compare as text, enums by wire text
// (`equals` must then be a value of the enum); an optional member that is absent fails the test.
std::optional<std::string> Compiler::condition_code(const mapping::Condition& c) {
  const std::string& text = c.target().text();
  auto it = assigned_.find(text);
  if (it == assigned_.end()) {
    std::vector<std::string> names;
    for (const auto& [path, leaf] : assigned_) names.push_back(path);
    diags_.error(c.target().location(), "when: target '" + text + "' is not set by an earlier rule (a condition reads "
                                            "a target member that a rule above it sets)." + did_you_mean(text, names));
    return std::nullopt;
  }
  const TargetLeaf& t = it->second;
  const auto kind = t.field->type().kind();
  if (kind != ir::TypeRef::STRING && kind != ir::TypeRef::ENUM) {
    diags_.error(c.target().location(), "when: equals compares a string or enum member; " + target_desc(t) +
                                            " is neither");
    return std::nullopt;
  }
  const std::size_t before = diags_.list().size();
  check_enum_value(t, c.equals(), "when: equals", c.location());
  if (diags_.list().size() != before) return std::nullopt;
  const std::string value = cpp_string_literal(c.equals());
  const std::string& L = t.lvalue;
  if (kind == ir::TypeRef::ENUM) {
    return t.optional ? "(" + L + " && " + L + "->text() == " + value + ")" : L + ".text() == " + value;
  }
  return t.optional ? "(" + L + " && *" + L + " == " + value + ")" : L + " == " + value;
}

}  // namespace refbridge::codegen::mapping_detail
