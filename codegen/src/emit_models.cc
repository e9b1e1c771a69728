// models.h (ARCHITECTURE.md "Generator v1 type contract"):
//  - one enum class per string enum (components and inline member enums, named <Model><Member>),
//    with a trailing kUnknown, to_string() ("" for kUnknown) and from_string(); members hold
//    refbridge::OpenEnum<E>, which keeps an unknown wire string;
//  - one struct per object model (allOf flattened by the loader): members in schema order typed
//    T / std::optional<T> / refbridge::Nullable<T>, initialised with the schema default, then
//    `refbridge::json::UnknownMembers unknown_members_{}` and a defaulted operator==;
//  - `using U = std::variant<A, B, ..., refbridge::json::RawJson>;` per oneOf/anyOf + discriminator.
//  Declaration order: every struct / alias follows the models it holds.
#include "emitters.h"
#include "names.h"
#include "printer.h"
#include "schema_loader.h"

#include <rapidjson/document.h>

#include <functional>
#include <map>
#include <set>

namespace refbridge::codegen {
namespace {

// Structs in an order where every struct follows the models it holds (DFS over name-sorted models).
std::vector<const ir::Model*> struct_order(const ir::Api& api) {
  std::map<std::string, const ir::Model*> by_name;
  for (const auto& m : api.models()) by_name[m.name()] = &m;
  std::vector<const ir::Model*> order;
  std::set<std::string> done;
  std::function<void(const ir::TypeRef&)> visit_type;
  std::function<void(const ir::Model&)> visit = [&](const ir::Model& m) {
    if (m.is_enum() || !done.insert(m.name()).second) return;
    for (const auto& f : m.fields()) visit_type(f.type());
    for (const auto& alt : m.variant_models()) {  // a variant alias follows its alternatives
      if (auto it = by_name.find(alt); it != by_name.end()) visit(*it->second);
    }
    order.push_back(&m);
  };
  visit_type = [&](const ir::TypeRef& t) {
    if (t.kind() == ir::TypeRef::MODEL) {
      if (auto it = by_name.find(t.model()); it != by_name.end()) visit(*it->second);
    }
    if (t.has_element()) visit_type(t.element());
  };
  for (const auto& m : api.models()) visit(m);
  return order;
}

}  // namespace

// Declared in emitters.h (the docs emitter prints the same member types).
// required -> T, optional -> std::optional<T>, nullable -> refbridge::Nullable<T> (absent/null/value).
std::string member_type(const ir::Field& f) {
  const std::string t = cpp_type(f.type());
  if (f.nullable()) return "refbridge::Nullable<" + t + ">";
  return f.required() ? t : "std::optional<" + t + ">";
}

namespace {

// The member initialiser: the schema default ("{3}", "{Colour::kRed}", ...) or "{}".
std::string initializer(const ir::Field& f) {
  if (f.default_json().empty()) return "{}";
  rapidjson::Document d;
  d.Parse(f.default_json().c_str());
  if (d.HasParseError()) return "{}";
  if (d.IsNull()) return "{" + member_type(f) + "::null()}";
  if (d.IsArray()) return "{}";
  if (d.IsString()) {
    const std::string text(d.GetString(), d.GetStringLength());
    if (f.type().kind() == ir::TypeRef::ENUM) return "{" + f.type().model() + "::" + names::enumerator(text) + "}";
    return "{std::string(\"" + names::escape_string(text) + "\")}";
  }
  return "{" + f.default_json() + "}";  // number / boolean literal
}

std::string field_doc(const ir::Field& f) {
  std::string doc = f.description();
  while (!doc.empty() && (doc.back() == '\n' || doc.back() == ' ')) doc.pop_back();
  doc += "\nJSON \"" + f.json_name() + "\"";
  doc += f.required() ? ", required" : ", optional";
  if (f.nullable()) doc += ", nullable";
  if (!f.type().format().empty()) doc += ", format " + f.type().format();
  if (!f.default_json().empty()) doc += ", default " + f.default_json();
  if (f.enum_values_size() > 0) {
    doc += ", one of:";
    for (const auto& v : f.enum_values()) doc += " \"" + v + "\"";
  }
  doc += ". Source: " + where(f.location());
  return doc;
}

}  // namespace

std::vector<GeneratedFile> emit_models(const EmitContext& ctx) {
  const ir::Api& api = *ctx.api;
  Printer p;
  p.print(generated_banner(ctx.source));
  p.print("// Models of $title$ $version$: one struct per component schema, members in schema order.\n",
          {{"title", api.title()}, {"version", api.version()}});
  p.print(
      "#pragma once\n"
      "\n"
      "#include \"refbridge/json.h\"\n"
      "#include \"refbridge/nullable.h\"\n"
      "#include \"refbridge/open_enum.h\"\n"
      "#include \"refbridge/time.h\"\n"
      "\n"
      "#include <cstdint>\n"
      "#include <map>\n"
      "#include <optional>\n"
      "#include <string>\n"
      "#include <string_view>\n"
      "#include <variant>\n"
      "#include <vector>\n"
      "\n"
      "namespace $ns$ {\n",
      {{"ns", api.cpp_namespace()}});

  for (const auto& m : api.models()) {
    if (!m.is_enum()) continue;
    p.print("\n");
    p.comment_lines(m.description());
    p.comment_lines("Source: " + where(m.location()));
    p.print("enum class $name$ {\n", {{"name", m.name()}});
    p.indent();
    for (const auto& v : m.enum_values()) p.print("$e$,  ///< \"$v$\"\n", {{"e", names::enumerator(v)}, {"v", names::escape_string(v)}});
    p.print("kUnknown,  ///< a value this schema does not list (refbridge::OpenEnum keeps its text)\n");
    p.outdent();
    p.print("};\n\n");
    p.print("/// The wire text of a $name$ value (\"\" for kUnknown).\n", {{"name", m.name()}});
    p.print("inline std::string_view to_string($name$ value) noexcept {\n", {{"name", m.name()}});
    p.indent();
    p.print("switch (value) {\n");
    p.indent();
    for (const auto& v : m.enum_values()) {
      p.print("case $name$::$e$:\n  return \"$v$\";\n", {{"name", m.name()}, {"e", names::enumerator(v)}, {"v", names::escape_string(v)}});
    }
    p.print("case $name$::kUnknown:\n  return {};\n", {{"name", m.name()}});
    p.outdent();
    p.print("}\nreturn {};\n");
    p.outdent();
    p.print("}\n\n");
    p.print("/// Parses the wire text of a $name$; false (and `out` unchanged) for an unknown value.\n",
            {{"name", m.name()}});
    p.print("inline bool from_string(std::string_view text, $name$& out) noexcept {\n", {{"name", m.name()}});
    p.indent();
    for (const auto& v : m.enum_values()) {
      p.print("if (text == \"$v$\") {\n  out = $name$::$e$;\n  return true;\n}\n",
              {{"name", m.name()}, {"e", names::enumerator(v)}, {"v", names::escape_string(v)}});
    }
    p.print("return false;\n");
    p.outdent();
    p.print("}\n");
  }

  for (const ir::Model* m : struct_order(api)) {
    p.print("\n");
    p.comment_lines(m->description());
    p.comment_lines("Source: " + where(m->location()));
    if (m->is_variant()) {
      std::string alts, doc = "Discriminator \"" + m->discriminator() + "\":";
      for (const auto& alt : m->variant_models()) alts += alt + ", ";
      for (const auto& dv : m->discriminator_mapping()) doc += " \"" + dv.value() + "\" -> " + dv.model() + ";";
      doc += " any other value -> refbridge::json::RawJson (the object verbatim). Writing writes the alternative held.";
      p.comment_lines(doc);
      p.print("using $name$ = std::variant<$alts$refbridge::json::RawJson>;\n", {{"name", m->name()}, {"alts", alts}});
      continue;
    }
    p.print("struct $name$ {\n", {{"name", m->name()}});
    p.indent();
    for (const auto& f : m->fields()) {
      p.comment_lines(field_doc(f));
      p.print("$type$ $name$$init$;\n", {{"type", member_type(f)}, {"name", f.cpp_name()}, {"init", initializer(f)}});
    }
    if (m->fields_size() > 0) p.print("\n");
    p.print(m->closed() ? "/// Always empty after a read: the schema allows no other members (additionalProperties: false).\n"
                        : "/// Members the schema does not name, in document order (written back after the known ones).\n");
    p.print("refbridge::json::UnknownMembers unknown_members_{};\n");
    p.print("\n");
    p.print("bool operator==(const $name$&) const = default;\n", {{"name", m->name()}});
    p.outdent();
    p.print("};\n");
  }
  p.print("\n}  // namespace $ns$\n", {{"ns", api.cpp_namespace()}});
  return {{ctx.out_dir + "/models.h", p.str()}};
}

}  // namespace refbridge::codegen
