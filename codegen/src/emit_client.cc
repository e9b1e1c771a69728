// client.h / client.cc: <Api>Client over refbridge::ApiConnection, one request struct per operation.
#include "emitters.h"
#include "names.h"
#include "printer.h"
#include "schema_loader.h"

#include <sstream>

namespace refbridge::codegen {
namespace {

std::string param_type(const ir::Parameter& p) {
  const std::string t = cpp_type(p.type());
  return p.required() ? t : "std::optional<" + t + ">";
}

// Text of a parameter value for a URL or header; `v` is an expression of the parameter's type.
std::string to_text(const ir::TypeRef& t, const std::string& v) {
  switch (t.kind()) {
    case ir::TypeRef::STRING: return v;
    case ir::TypeRef::INT32:
    case ir::TypeRef::INT64: return "std::to_string(" + v + ")";
    case ir::TypeRef::BOOLEAN: return "std::string(" + v + " ? \"true\" : \"false\")";
    case ir::TypeRef::ENUM: return "to_string(" + v + ")";
    case ir::TypeRef::DATE: return v + ".to_string()";
    case ir::TypeRef::DATE_TIME: return v + ".text";
    default: return v;
  }
}

std::string http_method(const std::string& m) {
  if (m == "GET") return "refbridge::HttpMethod::kGet";
  if (m == "POST") return "refbridge::HttpMethod::kPost";
  if (m == "PUT") return "refbridge::HttpMethod::kPut";
  if (m == "PATCH") return "refbridge::HttpMethod::kPatch";
  return "refbridge::HttpMethod::kDelete";
}

struct ReturnShape {
  std::string model;      // body model, empty = none
  bool optional = false;  // some success statuses carry no body
  std::string type;       // C++ value type of the Result
};

ReturnShape return_shape(const ir::Operation& op) {
  ReturnShape r;
  bool some_without = false;
  for (const auto& resp : op.responses()) {
    if (resp.model().empty()) {
      some_without = true;
    } else {
      r.model = resp.model();
    }
  }
  if (r.model.empty()) {
    r.type = "refbridge::NoContent";
  } else if (some_without) {
    r.optional = true;
    r.type = "std::optional<" + r.model + ">";
  } else {
    r.type = r.model;
  }
  return r;
}

std::string statuses(const ir::Operation& op) {
  std::string s;
  for (const auto& r : op.responses()) {
    if (!s.empty()) s += ", ";
    s += std::to_string(r.status()) + (r.model().empty() ? " (no body)" : " " + r.model());
  }
  return s;
}

}  // namespace

std::vector<GeneratedFile> emit_client(const EmitContext& ctx) {
  const ir::Api& api = *ctx.api;
  const std::string cls = names::to_pascal_case(api.name()) + "Client";
  const Printer::Vars base = {{"ns", api.cpp_namespace()}, {"inc", ctx.include_prefix}, {"cls", cls},
                              {"title", api.title()}};

  Printer h;
  h.print(generated_banner(ctx.source));
  h.print(
      "// Client of $title$ (ARCHITECTURE.md \"Generated clients\"). Path parameters are appended with\n"
      "// UrlBuilder::segment() and query values with query(), so every value is percent-encoded.\n"
      "// Several success statuses where only some carry a body (e.g. 200 + body / 204) give\n"
      "// Result<std::optional<Model>>, empty for the bodiless answer.\n"
      "#pragma once\n"
      "\n"
      "#include \"$inc$/models.h\"\n"
      "#include \"refbridge/api_connection.h\"\n"
      "#include \"refbridge/error.h\"\n"
      "\n"
      "#include <optional>\n"
      "#include <string>\n"
      "\n"
      "namespace $ns$ {\n",
      base);
  for (const auto& op : api.operations()) {
    Printer::Vars v = base;
    v["req"] = names::to_pascal_case(op.operation_id()) + "Request";
    v["op"] = op.operation_id();
    v["method"] = op.method();
    v["path"] = op.path();
    h.print("\n/// Parameters of $op$ ($method$ $path$).\n", v);
    h.print("/// Source: $where$\n", {{"where", where(op.location())}});
    h.print("struct $req$ {\n", v);
    h.indent();
    for (const auto& p : op.parameters()) {
      const char* in = p.in() == ir::Parameter::PATH ? "path" : p.in() == ir::Parameter::QUERY ? "query" : "header";
      h.comment_lines(p.description());
      h.comment_lines(std::string(in) + " parameter \"" + p.name() + "\", " + (p.required() ? "required" : "optional") +
                      (p.type().format().empty() ? "" : ", format " + p.type().format()) + ".");
      h.print("$type$ $name${};\n", {{"type", param_type(p)}, {"name", p.cpp_name()}});
    }
    if (!op.request_model().empty()) {
      h.print("/// JSON request body$opt$.\n", {{"opt", op.request_body_required() ? "" : " (optional)"}});
      h.print("$type$ body{};\n", {{"type", op.request_body_required() ? op.request_model()
                                                                        : "std::optional<" + op.request_model() + ">"}});
    }
    h.outdent();
    h.print("};\n");
  }
  h.print("\n/// $title$ client: one method per operation. Holds the connection by reference (it must outlive\n"
          "/// the client); not thread-safe, like the connection's transport.\n"
          "class $cls$ {\n"
          " public:\n"
          "  explicit $cls$(refbridge::ApiConnection& conn) : conn_(conn) {}\n",
          base);
  h.indent();
  for (const auto& op : api.operations()) {
    const ReturnShape rs = return_shape(op);
    h.print("\n");
    h.comment_lines(op.description());
    h.comment_lines(op.operation_id() + ": " + op.method() + " " + op.path() + " -> " + statuses(op) + "." +
                    (op.error_model().empty() ? "" : " Error body: " + op.error_model() + ".") +
                    " Source: " + where(op.location()));
    h.print("refbridge::Result<$ret$> $name$(const $req$& req);\n",
            {{"ret", rs.type}, {"name", op.cpp_name()}, {"req", names::to_pascal_case(op.operation_id()) + "Request"}});
  }
  h.outdent();
  h.print("\n private:\n  refbridge::ApiConnection& conn_;\n};\n");
  h.print("\n}  // namespace $ns$\n", base);

  Printer c;
  c.print(generated_banner(ctx.source));
  c.print(
      "#include \"$inc$/client.h\"\n"
      "\n"
      "#include \"$inc$/serde.h\"\n"
      "#include \"refbridge/json.h\"\n"
      "#include \"refbridge/url.h\"\n"
      "\n"
      "#include <string>\n"
      "#include <utility>\n"
      "#include <vector>\n"
      "\n"
      "namespace $ns$ {\n",
      base);
  for (const auto& op : api.operations()) {
    const ReturnShape rs = return_shape(op);
    Printer::Vars v = base;
    v["ret"] = rs.type;
    v["name"] = op.cpp_name();
    v["req"] = names::to_pascal_case(op.operation_id()) + "Request";
    v["op"] = names::escape_string(op.operation_id());
    v["where"] = where(op.location());
    v["http"] = http_method(op.method());
    c.print("\n// $where$\n", v);
    c.print("refbridge::Result<$ret$> $cls$::$name$(const $req$& req) {\n", v);
    c.indent();
    if (op.parameters_size() == 0 && op.request_model().empty()) c.print("static_cast<void>(req);\n");
    c.print("refbridge::UrlBuilder url = conn_.url();\n");
    // Path: literal runs through path(), parameters through segment().
    std::string literal;
    std::stringstream ss(op.path());
    std::string seg;
    auto flush = [&] {
      if (!literal.empty()) c.print("url.path(\"$p$\");\n", {{"p", names::escape_string(literal)}});
      literal.clear();
    };
    while (std::getline(ss, seg, '/')) {
      if (seg.empty()) continue;
      if (seg.front() == '{') {
        flush();
        const std::string pname = seg.substr(1, seg.size() - 2);
        for (const auto& p : op.parameters()) {
          if (p.in() == ir::Parameter::PATH && p.name() == pname) {
            c.print("url.segment($v$);\n", {{"v", to_text(p.type(), "req." + p.cpp_name())}});
          }
        }
      } else {
        literal += (literal.empty() ? "" : "/") + seg;
      }
    }
    flush();
    bool has_headers = false;
    for (const auto& p : op.parameters()) {
      if (p.in() == ir::Parameter::HEADER) has_headers = true;
      if (p.in() != ir::Parameter::QUERY) continue;
      Printer::Vars pv = {{"key", names::escape_string(p.name())}, {"m", p.cpp_name()}};
      if (p.required()) {
        pv["v"] = to_text(p.type(), "req." + p.cpp_name());
        c.print("url.query(\"$key$\", $v$);\n", pv);
      } else {
        pv["v"] = to_text(p.type(), "*req." + p.cpp_name());
        c.print("if (req.$m$) url.query(\"$key$\", $v$);\n", pv);
      }
    }
    if (has_headers) {
      c.print("std::vector<refbridge::HttpHeader> headers;\n");
      for (const auto& p : op.parameters()) {
        if (p.in() != ir::Parameter::HEADER) continue;
        Printer::Vars pv = {{"key", names::escape_string(p.name())}, {"m", p.cpp_name()}};
        if (p.required()) {
          pv["v"] = to_text(p.type(), "req." + p.cpp_name());
          c.print("headers.emplace_back(\"$key$\", $v$);\n", pv);
        } else {
          pv["v"] = to_text(p.type(), "*req." + p.cpp_name());
          c.print("if (req.$m$) headers.emplace_back(\"$key$\", $v$);\n", pv);
        }
      }
    }
    c.print("std::optional<std::string> body;\n");
    if (!op.request_model().empty()) {
      if (op.request_body_required()) {
        c.print("body = refbridge::json::serialize(req.body);\n");
      } else {
        c.print("if (req.body) body = refbridge::json::serialize(*req.body);\n");
      }
    }
    v["hdrs"] = has_headers ? "headers" : "{}";
    c.print("auto response = conn_.execute($http$, url.str(), std::move(body), $hdrs$);\n", v);
    c.print("if (!response) return response.error();\n");
    if (rs.model.empty()) {
      c.print("return refbridge::NoContent{};\n");
    } else if (!rs.optional) {
      v["model"] = rs.model;
      c.print("return refbridge::parse_response<$model$>(response.value(), \"$op$\");\n", v);
    } else {
      v["model"] = rs.model;
      std::string bodiless;
      for (const auto& r : op.responses()) {
        if (r.model().empty()) bodiless += "response.value().status == " + std::to_string(r.status()) + " || ";
      }
      v["bodiless"] = bodiless;
      c.print(
          "if ($bodiless$response.value().body.empty()) return std::optional<$model$>();\n"
          "auto parsed = refbridge::parse_response<$model$>(response.value(), \"$op$\");\n"
          "if (!parsed) return parsed.error();\n"
          "return std::optional<$model$>(std::move(parsed).value());\n",
          v);
    }
    c.outdent();
    c.print("}\n");
  }
  c.print("\n}  // namespace $ns$\n", base);
  return {{ctx.out_dir + "/client.h", h.str()}, {ctx.out_dir + "/client.cc", c.str()}};
}

}  // namespace refbridge::codegen
