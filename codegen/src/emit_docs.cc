// docs/<api>.md: Markdown reference of one API, next to the API's output dir
// ("generated/ping" -> "generated/docs/ping.md"). Contents: table of contents, operations (method,
// path, C++ method, parameters, request body, responses), models (description, schema source,
// member table with C++ types, required/nullable and validation constraints) and enums.
// Deterministic: IR order only (models by name, operations by operationId), no timestamps.
#include "emitters.h"
#include "names.h"
#include "printer.h"
#include "schema_loader.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>

namespace refbridge::codegen {
namespace {

// Text safe inside a Markdown table cell: one line, pipes escaped, HTML brackets neutralised.
std::string cell(std::string_view text) {
  std::string out;
  bool space = false;
  for (const char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    switch (c) {
      case '|': out += "\\|"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

// A paragraph: trailing whitespace trimmed, HTML brackets neutralised, lines kept.
std::string paragraph(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// Inline code that may hold backticks and pipes (table cells).
std::string code(std::string_view text) {
  if (text.empty()) return "(empty)";
  const bool tick = text.find('`') != std::string_view::npos;
  std::string out = tick ? "`` " : "`";
  for (const char c : text) {
    if (c == '|') {
      out += "\\|";
    } else {
      out += c;
    }
  }
  out += tick ? " ``" : "`";
  return out;
}

std::string lower(std::string_view s) {
  std::string out;
  for (const char c : s) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

std::string number_text(double d) {
  if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 1e18) return std::to_string(static_cast<long long>(d));
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

class DocsEmitter {
 public:
  explicit DocsEmitter(const EmitContext& ctx) : ctx_(ctx), api_(*ctx.api) {
    for (const auto& m : api_.models()) by_name_[m.name()] = &m;
  }

  std::vector<GeneratedFile> run() {
    const std::filesystem::path parent = std::filesystem::path(ctx_.out_dir).parent_path();
    const std::string path = (parent / "docs" / (api_.name() + ".md")).generic_string();
    Printer p;
    p.print("<!-- $banner$ -->\n", {{"banner", banner()}});
    p.print("# $title$ $version$: C++ reference\n\n", {{"title", api_.title()}, {"version", api_.version()}});
    p.print("Namespace `$ns$`; headers `$inc$/models.h` (types), `$inc$/serde.h` (JSON), `$inc$/validate.h`\n"
            "(schema rules), `$inc$/client.h` (operations). Sources:",
            {{"ns", api_.cpp_namespace()}, {"inc", ctx_.include_prefix}});
    for (const auto& s : api_.source_files()) p.print(" `$s$`", {{"s", s}});
    p.print(".\n\n");
    p.print(
        "Member types follow the generator's type contract (ARCHITECTURE.md): a required member is a plain\n"
        "value, an optional one `std::optional`, a nullable one `refbridge::Nullable`. The constraints column\n"
        "lists what `validate()` checks; reading already checks JSON types, required members and typed formats.\n");
    toc(p);
    operations(p);
    models(p);
    enums(p);
    return {{path, p.str()}};
  }

 private:
  std::string banner() const {
    std::string b = generated_banner(ctx_.source);  // "// Generated ... DO NOT EDIT.\n"
    b = b.substr(3);
    while (!b.empty() && b.back() == '\n') b.pop_back();
    return b;
  }

  std::string model_link(const std::string& name) const {
    const auto it = by_name_.find(name);
    if (it == by_name_.end()) return code(name);
    return "[`" + name + "`](#" + (it->second->is_enum() ? "enum-" : "model-") + lower(name) + ")";
  }

  std::string type_text(const ir::TypeRef& t) const {
    switch (t.kind()) {
      case ir::TypeRef::MODEL:
      case ir::TypeRef::ENUM:
        return model_link(t.model());
      case ir::TypeRef::ARRAY:
        return "array of " + type_text(t.element());
      case ir::TypeRef::MAP:
        return "map of " + type_text(t.element());
      default:
        return code(cpp_type(t));
    }
  }

  // int32/int64/date/date-time are carried by the C++ type; other formats are checked or documented.
  static bool format_shown(const std::string& fmt) {
    return !fmt.empty() && fmt != "int32" && fmt != "int64" && fmt != "date" && fmt != "date-time";
  }

  static std::string range(bool has_min, double min, bool has_max, double max) {
    if (has_min && has_max) return number_text(min) + " ≤ value ≤ " + number_text(max);
    if (has_min) return "≥ " + number_text(min);
    if (has_max) return "≤ " + number_text(max);
    return {};
  }

  static std::string constraints(const ir::Field& f) {
    std::vector<std::string> parts;
    if (f.enum_values_size() > 0) {
      std::string s = "one of";
      for (int i = 0; i < f.enum_values_size(); ++i) s += (i == 0 ? " " : ", ") + code(f.enum_values(i));
      parts.push_back(s);
    }
    if (!f.pattern().empty()) parts.push_back("pattern " + code(f.pattern()));
    if (f.has_minimum() || f.has_maximum()) parts.push_back(range(f.has_minimum(), f.minimum(), f.has_maximum(), f.maximum()));
    if (f.min_length() >= 0 && f.max_length() >= 0) {
      parts.push_back("length " + std::to_string(f.min_length()) + ".." + std::to_string(f.max_length()));
    } else if (f.min_length() >= 0) {
      parts.push_back("length ≥ " + std::to_string(f.min_length()));
    } else if (f.max_length() >= 0) {
      parts.push_back("length ≤ " + std::to_string(f.max_length()));
    }
    if (format_shown(f.type().format())) parts.push_back("format " + code(f.type().format()));
    if (f.lowercase()) parts.push_back("lower-case");
    if (!f.default_json().empty()) parts.push_back("default " + code(f.default_json()));
    std::string out;
    for (const auto& s : parts) out += (out.empty() ? "" : "; ") + s;
    return out;
  }

  void toc(Printer& p) const {
    p.print("\n## Contents\n\n");
    if (api_.operations_size() > 0) {
      p.print("- [Operations](#operations)\n");
      for (const auto& op : api_.operations()) {
        p.print("  - [`$id$`](#op-$anchor$): `$method$ $path$`\n",
                {{"id", op.operation_id()}, {"anchor", lower(op.operation_id())}, {"method", op.method()}, {"path", op.path()}});
      }
    }
    bool any_model = false, any_enum = false;
    for (const auto& m : api_.models()) (m.is_enum() ? any_enum : any_model) = true;
    if (any_model) {
      p.print("- [Models](#models)\n");
      for (const auto& m : api_.models()) {
        if (!m.is_enum()) p.print("  - [`$n$`](#model-$a$)\n", {{"n", m.name()}, {"a", lower(m.name())}});
      }
    }
    if (any_enum) {
      p.print("- [Enums](#enums)\n");
      for (const auto& m : api_.models()) {
        if (m.is_enum()) p.print("  - [`$n$`](#enum-$a$)\n", {{"n", m.name()}, {"a", lower(m.name())}});
      }
    }
  }

  static const char* in_text(ir::Parameter::In in) {
    switch (in) {
      case ir::Parameter::PATH: return "path";
      case ir::Parameter::QUERY: return "query";
      case ir::Parameter::HEADER: return "header";
      default: return "?";
    }
  }

  void operations(Printer& p) const {
    if (api_.operations_size() == 0) return;
    p.print("\n## Operations\n");
    for (const auto& op : api_.operations()) {
      p.print("\n<a id=\"op-$a$\"></a>\n### `$id$`\n\n`$method$ $path$`: C++ `$cpp$()`. Source: `$where$`\n",
              {{"a", lower(op.operation_id())},
               {"id", op.operation_id()},
               {"method", op.method()},
               {"path", op.path()},
               {"cpp", op.cpp_name()},
               {"where", where(op.location())}});
      if (const std::string d = paragraph(op.description()); !d.empty()) p.print("\n$d$\n", {{"d", d}});
      p.print(op.idempotent() ? "\n**Idempotent** ($why$): retried after transient failures.\n"
                              : "\n**Not idempotent** ($why$): repeated only when the server certainly did not act on it "
                                "(connection refused, 429, 503 with Retry-After).\n",
              {{"why", op.idempotency_source() == "x-refbridge-idempotent" ? std::string("`x-refbridge-idempotent`")
                                                                          : op.idempotency_source()}});
      if (op.parameters_size() > 0) {
        p.print(
            "\n**Parameters**\n\n| Name | In | C++ member | Type | Required | Constraints | Description |\n"
            "|---|---|---|---|---|---|---|\n");
        for (const auto& prm : op.parameters()) {
          p.print("| $name$ | $in$ | `$cpp$` | $type$ | $req$ | $cons$ | $desc$ |\n",
                  {{"name", code(prm.name())},
                   {"in", in_text(prm.in())},
                   {"cpp", prm.cpp_name()},
                   {"type", type_text(prm.type())},
                   {"req", prm.required() ? "yes" : "no"},
                   {"cons", range(prm.has_minimum(), prm.minimum(), prm.has_maximum(), prm.maximum()) +
                                (format_shown(prm.type().format()) ? (prm.has_minimum() || prm.has_maximum() ? "; format " : "format ") +
                                                                         code(prm.type().format())
                                                                   : std::string())},
                   {"desc", cell(prm.description())}});
        }
      }
      if (!op.request_model().empty()) {
        p.print("\n**Request body**: $m$ ($req$)\n",
                {{"m", model_link(op.request_model())}, {"req", op.request_body_required() ? "required" : "optional"}});
      }
      p.print("\n**Responses**\n\n| Status | Body | Description |\n|---|---|---|\n");
      for (const auto& r : op.responses()) {
        p.print("| $s$ | $b$ | $d$ |\n",
                {{"s", std::to_string(r.status())}, {"b", r.model().empty() ? "none" : model_link(r.model())}, {"d", cell(r.description())}});
      }
      if (!op.error_model().empty()) p.print("| error | $b$ | error envelope |\n", {{"b", model_link(op.error_model())}});
    }
  }

  void models(Printer& p) const {
    bool header = false;
    for (const auto& m : api_.models()) {
      if (m.is_enum()) continue;
      if (!header) p.print("\n## Models\n");
      header = true;
      p.print("\n<a id=\"model-$a$\"></a>\n### `$n$`\n\n", {{"a", lower(m.name())}, {"n", m.name()}});
      if (const std::string d = paragraph(m.description()); !d.empty()) p.print("$d$\n\n", {{"d", d}});
      p.print("Source: `$where$`", {{"where", where(m.location())}});
      if (!m.inline_of().empty()) p.print(" (inline schema of `$of$`)", {{"of", m.inline_of()}});
      p.print("\n");
      if (m.closed()) p.print("\nClosed (`additionalProperties: false`): an unknown member is a read error.\n");
      if (m.is_variant()) {
        variant(p, m);
        continue;
      }
      if (m.fields_size() == 0) {
        p.print("\nNo members.\n");
        continue;
      }
      p.print(
          "\n| Field | JSON name | C++ type | Required | Nullable | Constraints | Description |\n"
          "|---|---|---|---|---|---|---|\n");
      for (const auto& f : m.fields()) {
        std::string type = code(member_type(f));
        if (f.type().kind() == ir::TypeRef::MODEL || f.type().kind() == ir::TypeRef::ENUM ||
            f.type().kind() == ir::TypeRef::ARRAY || f.type().kind() == ir::TypeRef::MAP) {
          if (const std::string t = type_text(f.type()); t.find("](#") != std::string::npos) type += " (" + t + ")";
        }
        p.print("| `$cpp$` | $json$ | $type$ | $req$ | $null$ | $cons$ | $desc$ |\n",
                {{"cpp", f.cpp_name()},
                 {"json", code(f.json_name())},
                 {"type", type},
                 {"req", f.required() ? "yes" : "no"},
                 {"null", f.nullable() ? "yes" : "no"},
                 {"cons", constraints(f)},
                 {"desc", cell(f.description())}});
      }
    }
  }

  void variant(Printer& p, const ir::Model& m) const {
    std::string alts;
    for (const auto& a : m.variant_models()) alts += a + ", ";
    p.print("\nC++ `std::variant<$alts$refbridge::json::RawJson>`: one of", {{"alts", alts}});
    for (int i = 0; i < m.variant_models_size(); ++i) {
      p.print("$sep$$m$", {{"sep", i == 0 ? " " : ", "}, {"m", model_link(m.variant_models(i))}});
    }
    p.print("; an object with another discriminator value is kept verbatim as `RawJson`.\n");
    if (!m.discriminator().empty()) {
      p.print("\nDiscriminator `$d$`:\n\n| Value | Alternative |\n|---|---|\n", {{"d", m.discriminator()}});
      for (const auto& dv : m.discriminator_mapping()) {
        p.print("| $v$ | $m$ |\n", {{"v", code(dv.value())}, {"m", model_link(dv.model())}});
      }
    }
  }

  void enums(Printer& p) const {
    bool header = false;
    for (const auto& m : api_.models()) {
      if (!m.is_enum()) continue;
      if (!header) p.print("\n## Enums\n");
      header = true;
      p.print("\n<a id=\"enum-$a$\"></a>\n### `$n$`\n\n", {{"a", lower(m.name())}, {"n", m.name()}});
      if (const std::string d = paragraph(m.description()); !d.empty()) p.print("$d$\n\n", {{"d", d}});
      p.print("Source: `$where$`", {{"where", where(m.location())}});
      if (!m.inline_of().empty()) p.print(" (inline enum of `$of$`)", {{"of", m.inline_of()}});
      p.print("\n\nMember type `refbridge::OpenEnum<$n$>`: a value not listed reads as `kUnknown` and keeps its text.\n",
              {{"n", m.name()}});
      p.print("\n| Wire value | C++ enumerator |\n|---|---|\n");
      for (const auto& v : m.enum_values()) {
        p.print("| $v$ | `$e$` |\n", {{"v", code(v)}, {"e", names::enumerator(v)}});
      }
      p.print("| any other text | `kUnknown` |\n");
    }
  }

  const EmitContext& ctx_;
  const ir::Api& api_;
  std::map<std::string, const ir::Model*> by_name_;
};

}  // namespace

std::vector<GeneratedFile> emit_docs(const EmitContext& ctx) { return DocsEmitter(ctx).run(); }

}  // namespace refbridge::codegen
