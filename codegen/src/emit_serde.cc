// serde.h / serde.cc: read_json / write_json per model, found by ADL from refbridge::json.
#include "emitters.h"
#include "names.h"
#include "printer.h"
#include "schema_loader.h"

#include <map>
#include <vector>

namespace refbridge::codegen {
namespace {

// The refbridge::json::MemberRule of a field. An untyped member (ANY) may always hold null.
std::string member_rule(const ir::Field& f) {
  const bool nullable = f.nullable() || f.type().kind() == ir::TypeRef::ANY;
  if (f.required()) return nullable ? "kRequiredNullable" : "kRequired";
  return nullable ? "kOptionalNullable" : "kOptional";
}

// The member lookup of a model: JSON name -> position in m.fields(), -1 for a name the schema
// does not name. A switch on the length, then string compares (one pass, no hashing, no
// allocation). Emitted into an anonymous namespace of serde.cc.
void emit_member_lookup(Printer& c, const ir::Model& m, const Printer::Vars& v) {
  std::map<std::size_t, std::vector<std::pair<std::string, int>>> by_size;
  for (int i = 0; i < m.fields_size(); ++i) by_size[m.fields(i).json_name().size()].emplace_back(m.fields(i).json_name(), i);
  c.print("\nnamespace {\n/// Position of a $name$ member in the schema (the reader's case labels), -1 for any other name.\n", v);
  c.print("int member_of_$name$(std::string_view key) noexcept {\n", v);
  c.indent();
  c.print("switch (key.size()) {\n");
  c.indent();
  for (const auto& [size, entries] : by_size) {
    c.print("case $n$:\n", {{"n", std::to_string(size)}});
    c.indent();
    for (const auto& [json, i] : entries) {
      c.print("if (key == \"$json$\") return $i$;\n", {{"json", names::escape_string(json)}, {"i", std::to_string(i)}});
    }
    c.print("break;\n");
    c.outdent();
  }
  c.print("default:\n  break;\n");
  c.outdent();
  c.print("}\nreturn -1;\n");
  c.outdent();
  c.print("}\n}  // namespace\n");
}

void emit_object_read(Printer& c, const ir::Model& m, const Printer::Vars& v) {
  if (m.fields_size() > 0) emit_member_lookup(c, m, v);
  std::vector<int> required;  // positions in m.fields()
  for (int i = 0; i < m.fields_size(); ++i) {
    if (m.fields(i).required()) required.push_back(i);
  }
  std::map<int, int> bit;  // field position -> bit in `seen`
  for (std::size_t b = 0; b < required.size(); ++b) bit[required[b]] = static_cast<int>(b);

  c.print("\n// $where$\n", v);
  c.print("refbridge::Result<void> read_json(const rapidjson::Value& v, $name$& out, refbridge::json::Path& path) {\n", v);
  c.indent();
  if (m.fields_size() > 0) c.print("using enum refbridge::json::MemberRule;\n");
  c.print("if (!v.IsObject()) return refbridge::json::type_error(path, \"an object\");\n");
  c.print("out = $name${};\n", v);
  if (!required.empty()) {
    std::string names_list;
    for (int i : required) names_list += (names_list.empty() ? "" : ", ") + m.fields(i).json_name();
    c.print("std::bitset<$n$> seen;  // required: $list$\n", {{"n", std::to_string(required.size())}, {"list", names_list}});
  }
  const std::string other = m.closed() ? "return refbridge::json::member_not_allowed(path, refbridge::json::key_of(m));"
                                       : "out.unknown_members_.add(m);";
  c.print("for (const auto& m : v.GetObject()) {\n");
  c.indent();
  if (m.fields_size() == 0) {
    c.print(other + "\n");
  } else {
    c.print("switch (member_of_$name$(refbridge::json::key_of(m))) {\n", v);
    c.indent();
    for (int i = 0; i < m.fields_size(); ++i) {
      const auto& f = m.fields(i);
      Printer::Vars fv = v;
      fv["i"] = std::to_string(i);
      fv["member"] = f.cpp_name();
      fv["rule"] = member_rule(f);
      fv["seen"] = bit.count(i) ? " seen.set(" + std::to_string(bit[i]) + ");" : "";
      c.print("case $i$: if (auto r = refbridge::json::read_member(m, out.$member$, path, $rule$); !r) return r;$seen$ break;\n", fv);
    }
    c.print("default: " + other + (m.closed() ? "\n" : " break;\n"));
    c.outdent();
    c.print("}\n");
  }
  c.outdent();
  c.print("}\n");
  for (int i : required) {
    c.print("if (!seen[$b$]) return refbridge::json::missing_member(path, \"$json$\");\n",
            {{"b", std::to_string(bit[i])}, {"json", names::escape_string(m.fields(i).json_name())}});
  }
  c.print("return refbridge::ok();\n");
  c.outdent();
  c.print("}\n");
}

void emit_variant(Printer& c, const ir::Model& m, const Printer::Vars& v) {
  Printer::Vars vv = v;
  vv["prop"] = names::escape_string(m.discriminator());
  c.print("\n// $where$\n", v);
  c.print("refbridge::Result<void> read_json(const rapidjson::Value& v, $name$& out, refbridge::json::Path& path) {\n", v);
  c.indent();
  c.print("const auto tag = refbridge::json::discriminator(v, \"$prop$\", path);\n", vv);
  c.print("if (!tag) return tag.error();\n");
  for (const auto& dv : m.discriminator_mapping()) {
    c.print("if (tag.value() == \"$value$\") return refbridge::json::read_alternative<$alt$>(v, out, path);\n",
            {{"value", names::escape_string(dv.value())}, {"alt", dv.model()}});
  }
  c.print("return refbridge::json::read_alternative<refbridge::json::RawJson>(v, out, path);  // unknown value: kept verbatim\n");
  c.outdent();
  c.print("}\n");
  c.print("\nvoid write_json(refbridge::json::Writer& w, const $name$& value) { refbridge::json::write_variant(w, value); }\n", v);
}

}  // namespace

std::vector<GeneratedFile> emit_serde(const EmitContext& ctx) {
  const ir::Api& api = *ctx.api;
  const Printer::Vars base = {{"ns", api.cpp_namespace()}, {"inc", ctx.include_prefix}};

  Printer h;
  h.print(generated_banner(ctx.source));
  h.print(
      "// JSON serializers of $ns$ (ARCHITECTURE.md \"Generated models and serializers\"):\n"
      "// reading makes one pass over each object's members, checks JSON types, nulls and required\n"
      "// members, and keeps members the schema does not name in `unknown_members_`; writing emits the\n"
      "// known members in schema order (absent optionals and absent nullables omitted), then the\n"
      "// unknown ones in the order read. Enums are open (refbridge::OpenEnum), unions read by their\n"
      "// discriminator (an unknown value keeps the object as refbridge::json::RawJson).\n"
      "#pragma once\n"
      "\n"
      "#include \"$inc$/models.h\"\n"
      "#include \"refbridge/error.h\"\n"
      "#include \"refbridge/json.h\"\n"
      "\n"
      "namespace $ns$ {\n",
      base);
  for (const auto& m : api.models()) {
    Printer::Vars v = base;
    v["name"] = m.name();
    v["where"] = where(m.location());
    h.print("\n/// $name$ from JSON (errors: kInvalidInput \"<path>: ...\"). Source: $where$\n", v);
    h.print("refbridge::Result<void> read_json(const rapidjson::Value& v, $name$& out, refbridge::json::Path& path);\n", v);
    h.print("/// $name$ to JSON.\n", v);
    if (m.is_enum()) {
      h.print("/// (Strict: an unknown text is an error here; members are refbridge::OpenEnum<$name$>, which keeps it.)\n", v);
      h.print("void write_json(refbridge::json::Writer& w, $name$ value);\n", v);
    } else {
      h.print("void write_json(refbridge::json::Writer& w, const $name$& value);\n", v);
    }
  }
  h.print("\n}  // namespace $ns$\n", base);

  Printer c;
  c.print(generated_banner(ctx.source));
  c.print(
      "#include \"$inc$/serde.h\"\n"
      "\n"
      "#include <bitset>\n"
      "#include <string>\n"
      "#include <string_view>\n"
      "\n"
      "namespace $ns$ {\n",
      base);
  for (const auto& m : api.models()) {
    Printer::Vars v = base;
    v["name"] = m.name();
    v["where"] = where(m.location());
    if (m.is_enum()) {
      c.print(
          "\n// $where$\n"
          "refbridge::Result<void> read_json(const rapidjson::Value& v, $name$& out, refbridge::json::Path& path) {\n"
          "  if (!v.IsString()) return refbridge::json::type_error(path, \"a string\");\n"
          "  if (!from_string(std::string_view(v.GetString(), v.GetStringLength()), out)) {\n"
          "    return refbridge::make_error(refbridge::ErrorCode::kInvalidInput, path.str() + \": not a known $name$ value\");\n"
          "  }\n"
          "  return refbridge::ok();\n"
          "}\n"
          "\n"
          "void write_json(refbridge::json::Writer& w, $name$ value) {\n"
          "  const std::string_view text = to_string(value);\n"
          "  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));\n"
          "}\n",
          v);
      continue;
    }
    if (m.is_variant()) {
      emit_variant(c, m, v);
      continue;
    }
    emit_object_read(c, m, v);
    // write
    c.print("\nvoid write_json(refbridge::json::Writer& w, const $name$& value) {\n", v);
    c.indent();
    c.print("w.StartObject();\n");
    for (const auto& f : m.fields()) {
      Printer::Vars fv = v;
      fv["json"] = names::escape_string(f.json_name());
      fv["member"] = f.cpp_name();
      if (f.nullable()) {
        c.print("refbridge::json::write_nullable_member(w, \"$json$\", value.$member$);\n", fv);
      } else if (f.required()) {
        c.print("refbridge::json::write_member(w, \"$json$\", value.$member$);\n", fv);
      } else {
        c.print("refbridge::json::write_optional_member(w, \"$json$\", value.$member$);\n", fv);
      }
    }
    c.print("refbridge::json::write_unknown_members(w, value.unknown_members_);\n");
    c.print("w.EndObject();\n");
    c.outdent();
    c.print("}\n");
  }
  c.print("\n}  // namespace $ns$\n", base);
  return {{ctx.out_dir + "/serde.h", h.str()}, {ctx.out_dir + "/serde.cc", c.str()}};
}

}  // namespace refbridge::codegen
