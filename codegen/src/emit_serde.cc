// serde.h / serde.cc: read_json / write_json per model, found by ADL from refbridge::json.
#include "emitters.h"
#include "names.h"
#include "printer.h"
#include "schema_loader.h"

namespace refbridge::codegen {
namespace {

// The refbridge::json::MemberRule of a field. An untyped member (ANY) may always hold null.
std::string member_rule(const ir::Field& f) {
  const bool nullable = f.nullable() || f.type().kind() == ir::TypeRef::ANY;
  if (f.required()) return nullable ? "kRequiredNullable" : "kRequired";
  return nullable ? "kOptionalNullable" : "kOptional";
}

}  // namespace

std::vector<GeneratedFile> emit_serde(const EmitContext& ctx) {
  const ir::Api& api = *ctx.api;
  const Printer::Vars base = {{"ns", api.cpp_namespace()}, {"inc", ctx.include_prefix}};

  Printer h;
  h.print(generated_banner(ctx.source));
  h.print(
      "// JSON serializers of $ns$ (ARCHITECTURE.md \"Generated models and serializers\"):\n"
      "// reading checks required members and JSON types and ignores unknown members; writing emits\n"
      "// members in schema order and omits absent optionals.\n"
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
    // read
    c.print("\n// $where$\n", v);
    c.print("refbridge::Result<void> read_json(const rapidjson::Value& v, $name$& out, refbridge::json::Path& path) {\n", v);
    c.indent();
    if (m.fields_size() > 0) c.print("using enum refbridge::json::MemberRule;\n");
    c.print("if (!v.IsObject()) return refbridge::json::type_error(path, \"an object\");\n");
    c.print("out = $name${};\n", v);
    for (const auto& f : m.fields()) {
      Printer::Vars fv = v;
      fv["json"] = names::escape_string(f.json_name());
      fv["member"] = f.cpp_name();
      fv["rule"] = member_rule(f);
      c.print("if (auto r = refbridge::json::read_member(v, \"$json$\", out.$member$, path, $rule$); !r) return r;\n",
              fv);
    }
    c.print("return refbridge::ok();\n");
    c.outdent();
    c.print("}\n");
    // write
    c.print("\nvoid write_json(refbridge::json::Writer& w, const $name$& value) {\n", v);
    c.indent();
    c.print("w.StartObject();\n");
    for (const auto& f : m.fields()) {
      Printer::Vars fv = v;
      fv["json"] = names::escape_string(f.json_name());
      fv["member"] = f.cpp_name();
      if (f.required() && !f.nullable()) {
        c.print("refbridge::json::write_member(w, \"$json$\", value.$member$);\n", fv);
      } else if (f.required()) {
        c.print("refbridge::json::write_nullable_member(w, \"$json$\", value.$member$);\n", fv);
      } else {
        c.print("refbridge::json::write_optional_member(w, \"$json$\", value.$member$);\n", fv);
      }
    }
    c.print("w.EndObject();\n");
    c.outdent();
    c.print("}\n");
  }
  c.print("\n}  // namespace $ns$\n", base);
  return {{ctx.out_dir + "/serde.h", h.str()}, {ctx.out_dir + "/serde.cc", c.str()}};
}

}  // namespace refbridge::codegen
