// client.h / client.cc: one request struct per operation, the abstract <Api> interface (one pure
// virtual method per operation, plus `<op>_pages()` for pageable operations), and <Api>Client,
// its implementation over refbridge::ApiConnection. Rules: emitters.h "Generated clients".
#include "emitters.h"
#include "names.h"
#include "paging.h"
#include "printer.h"
#include "schema_loader.h"

#include <sstream>

namespace refbridge::codegen {
namespace {

std::string param_type(const ir::Parameter& p) {
  const std::string t = cpp_type(p.type());
  return p.required() ? t : "std::optional<" + t + ">";
}

const ir::Parameter* find_param(const ir::Operation& op, const std::string& name) {
  for (const auto& p : op.parameters()) {
    if (p.name() == name) return &p;
  }
  return nullptr;
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

// One sentence on what the retry loop may do with the operation (refbridge/retry.h).
std::string idempotency_text(const ir::Operation& op) {
  return op.idempotent() ? "Idempotent (" + op.idempotency_source() + "): retried after transient failures."
                         : "Not idempotent (" + op.idempotency_source() +
                               "): repeated only when the server certainly did not act on it.";
}

bool pageable(const ir::Operation& op) { return op.paging().style() != ir::Paging::STYLE_UNSPECIFIED; }

// Member types per the type contract: optional and nullable members are wrapped (std::optional or
// refbridge::Nullable; both test with `!x` and unwrap with `*x`).
bool wrapped(const ir::Field& f) {
  const std::string t = member_type(f);
  return t.rfind("std::optional<", 0) == 0 || t.rfind("refbridge::Nullable<", 0) == 0;
}

// Body of a lambda `(const Page& page) -> std::optional<R>` reading the member path `path`
// (checked by the loader) and converting the value with `convert` ("$v$" = the value expression).
void print_member_reader(Printer& p, const ir::Api& api, const std::string& model, const std::string& path,
                         const std::string& convert) {
  std::string expr = "page";
  std::string sep = ".";
  for (const ir::Field* f : resolve_member_path(api, model, path)) {
    const std::string member = expr + sep + f->cpp_name();
    if (wrapped(*f)) {
      p.print("if (!$m$) return std::nullopt;\n", {{"m", member}});
      expr = member;
      sep = "->";
    } else {
      expr = member;
      sep = ".";
    }
  }
  if (sep == "->") expr = "*" + expr;
  std::string out = convert;
  out.replace(out.find("$v$"), 3, expr);
  p.print("return $out$;\n", {{"out", out}});
}

// size() of the items member (0 when an optional member on the way is absent).
std::string items_count(const ir::Api& api, const std::string& model, const std::string& path) {
  std::string expr = "page";
  std::string sep = ".";
  std::string guard;
  for (const ir::Field* f : resolve_member_path(api, model, path)) {
    const std::string member = expr + sep + f->cpp_name();
    expr = member;
    sep = ".";
    if (wrapped(*f)) {
      guard += (guard.empty() ? "" : " && ") + member;
      sep = "->";
    }
  }
  return guard.empty() ? expr + ".size()" : "(" + guard + ") ? " + expr + "->size() : std::size_t{0}";
}

std::string paging_summary(const ir::Paging& pg) {
  if (pg.style() == ir::Paging::PAGE_NUMBER) {
    return "page-number style: query " + pg.page() + "/" + pg.per() + ", items " + pg.items() +
           (pg.total().empty() ? ", no total (a short page is the last)" : ", total " + pg.total());
  }
  return "page-token style: query " + pg.token() + ", next token " + pg.next() + ", items " + pg.items();
}

// Definition of <Iface>::<op>_pages().
void print_pages_definition(Printer& c, const ir::Api& api, const std::string& iface, const ir::Operation& op) {
  const ir::Paging& pg = op.paging();
  const std::string model = return_shape(op).model;
  Printer::Vars v = {{"iface", iface},
                     {"name", op.cpp_name()},
                     {"req", request_type(op)},
                     {"model", model},
                     {"op", names::escape_string(op.operation_id())}};
  c.print("\n// $op$: $summary$.\n", {{"op", op.operation_id()}, {"summary", paging_summary(pg)}});
  c.print("refbridge::PageRange<$model$> $iface$::$name$_pages($req$ req) {\n", v);
  c.indent();
  if (pg.style() == ir::Paging::PAGE_NUMBER) {
    const ir::Parameter* page = find_param(op, pg.page());
    const ir::Parameter* per = find_param(op, pg.per());
    v["page"] = page->cpp_name();
    v["page_t"] = cpp_type(page->type());
    v["per"] = per->cpp_name();
    c.print(page->required() ? "const std::int64_t first = req.$page$;\n"
                             : "const std::int64_t first = req.$page$ ? *req.$page$ : 1;\n",
            v);
    c.print(per->required() ? "const std::optional<std::int64_t> per = req.$per$;\n"
                            : "const std::optional<std::int64_t> per =\n"
                              "    req.$per$ ? std::optional<std::int64_t>(*req.$per$) : std::nullopt;\n",
            v);
    c.print("return refbridge::page_number_range<$model$>(\n", v);
    c.indent();
    c.indent();
    c.print("first, per,\n"
            "[this, req = std::move(req)](std::int64_t n) mutable {\n"
            "  req.$page$ = static_cast<$page_t$>(n);\n"
            "  return $name$(req);\n"
            "},\n",
            v);
    v["count"] = items_count(api, model, pg.items());
    c.print("[](const $model$& page) -> std::size_t { return $count$; },\n", v);
    if (pg.total().empty()) {
      c.print("[](const $model$&) -> std::optional<std::int64_t> { return std::nullopt; });\n", v);
    } else {
      c.print("[](const $model$& page) -> std::optional<std::int64_t> {\n", v);
      c.indent();
      print_member_reader(c, api, model, pg.total(), "static_cast<std::int64_t>($v$)");
      c.outdent();
      c.print("});\n");
    }
  } else {
    v["token"] = find_param(op, pg.token())->cpp_name();
    c.print("std::optional<std::string> first = req.$token$;\n", v);
    c.print("return refbridge::page_token_range<$model$>(\n", v);
    c.indent();
    c.indent();
    c.print("\"$op$\", std::move(first),\n"
            "[this, req = std::move(req)](const std::optional<std::string>& token) mutable {\n"
            "  req.$token$ = token;\n"
            "  return $name$(req);\n"
            "},\n"
            "[](const $model$& page) -> std::optional<std::string> {\n",
            v);
    c.indent();
    print_member_reader(c, api, model, pg.next(), "std::string($v$)");
    c.outdent();
    c.print("});\n");
  }
  c.outdent();
  c.outdent();
  c.outdent();
  c.print("}\n");
}

void print_client_method(Printer& c, const std::string& cls, const ir::Operation& op) {
  const ReturnShape rs = return_shape(op);
  Printer::Vars v = {{"cls", cls}, {"ret", rs.type}, {"name", op.cpp_name()}, {"req", request_type(op)},
                     {"op", names::escape_string(op.operation_id())}, {"where", where(op.location())},
                     {"http", http_method(op.method())}};
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
  v["idem"] = op.idempotent() ? "kIdempotent" : "kNonIdempotent";
  c.print("auto response = conn_.execute($http$, url.str(), std::move(body), $hdrs$,\n"
          "                              {\"$op$\", refbridge::Idempotency::$idem$});\n",
          v);
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

}  // namespace

std::string interface_name(const ir::Api& api) {
  std::string name = names::to_pascal_case(api.name());
  for (const auto& m : api.models()) {
    if (m.name() == name) return name + "Api";
  }
  return name;
}

std::string request_type(const ir::Operation& op) { return names::to_pascal_case(op.operation_id()) + "Request"; }

std::string result_type(const ir::Operation& op) { return return_shape(op).type; }

std::vector<GeneratedFile> emit_client(const EmitContext& ctx) {
  const ir::Api& api = *ctx.api;
  const std::string iface = interface_name(api);
  const std::string cls = names::to_pascal_case(api.name()) + "Client";
  const Printer::Vars base = {{"ns", api.cpp_namespace()}, {"inc", ctx.include_prefix}, {"cls", cls},
                              {"iface", iface}, {"title", api.title()}};
  bool any_paging = false;
  for (const auto& op : api.operations()) any_paging = any_paging || pageable(op);

  Printer h;
  h.print(generated_banner(ctx.source));
  h.print(
      "// $title$ (ARCHITECTURE.md \"Generated clients\"): one request struct per operation, the\n"
      "// abstract `$iface$` interface that code using the API depends on, and `$cls$`, its\n"
      "// implementation over refbridge::ApiConnection (`Fake$iface$` in fake.h is the in-memory one).\n"
      "// Path parameters are appended with UrlBuilder::segment() and query values with query(), so\n"
      "// every value is percent-encoded. Several success statuses where only some carry a body\n"
      "// (e.g. 200 + body / 204) give Result<std::optional<Model>>, empty for the bodiless answer.\n"
      "// Non-2xx answers are errors made by ApiConnection from the operation's error body (its model\n"
      "// is the request struct's `ErrorBody`).\n"
      "#pragma once\n"
      "\n"
      "#include \"$inc$/models.h\"\n"
      "#include \"refbridge/api_connection.h\"\n"
      "#include \"refbridge/error.h\"\n",
      base);
  if (any_paging) h.print("#include \"refbridge/paging.h\"\n");
  h.print(
      "\n"
      "#include <cstdint>\n"
      "#include <optional>\n"
      "#include <string>\n"
      "\n"
      "namespace $ns$ {\n",
      base);
  for (const auto& op : api.operations()) {
    Printer::Vars v = base;
    v["req"] = request_type(op);
    v["op"] = op.operation_id();
    v["method"] = op.method();
    v["path"] = op.path();
    h.print("\n/// Parameters of $op$ ($method$ $path$).\n", v);
    h.print("/// Source: $where$\n", {{"where", where(op.location())}});
    h.print("struct $req$ {\n", v);
    h.indent();
    if (!op.error_model().empty()) {
      h.print("/// Model of the operation's error body (ApiConnection summarises it into Error::message).\n");
      h.print("using ErrorBody = $m$;\n", {{"m", op.error_model()}});
    }
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

  // The interface.
  h.print("\n");
  h.comment_lines(api.title() + ": every operation as a pure virtual method. Code that calls the API takes a `" + iface +
                  "&`, so it runs over HTTP (" + cls + ") or in memory (Fake" + iface +
                  ", fake.h) alike." +
                  (any_paging ? " Pageable operations also have `<op>_pages(request)`, a lazy refbridge::PageRange "
                                "built on the virtual method (so it pages a fake too); the object must outlive the "
                                "range."
                              : ""));
  h.print("class $iface$ {\n"
          " public:\n"
          "  virtual ~$iface$() = default;\n",
          base);
  h.indent();
  for (const auto& op : api.operations()) {
    h.print("\n");
    h.comment_lines(op.description());
    h.comment_lines(op.operation_id() + ": " + op.method() + " " + op.path() + " -> " + statuses(op) + "." +
                    (op.error_model().empty() ? "" : " Error body: " + op.error_model() + ".") + " " +
                    idempotency_text(op) + " Source: " + where(op.location()));
    h.print("virtual refbridge::Result<$ret$> $name$(const $req$& req) = 0;\n",
            {{"ret", result_type(op)}, {"name", op.cpp_name()}, {"req", request_type(op)}});
  }
  for (const auto& op : api.operations()) {
    if (!pageable(op)) continue;
    h.print("\n");
    h.comment_lines("Every page of " + op.operation_id() + " from `req` on, fetched one page per iterator step through " +
                    op.cpp_name() + "() (" + paging_summary(op.paging()) + "). See refbridge/paging.h for the stop rules.");
    h.print("refbridge::PageRange<$model$> $name$_pages($req$ req);\n",
            {{"model", return_shape(op).model}, {"name", op.cpp_name()}, {"req", request_type(op)}});
  }
  h.outdent();
  h.print("\n"
          " protected:\n"
          "  $iface$() = default;\n"
          "  $iface$(const $iface$&) = default;\n"
          "  $iface$& operator=(const $iface$&) = default;\n"
          "};\n",
          base);

  // The HTTP implementation.
  h.print("\n/// $title$ over HTTP. Holds nothing but a reference to the connection (it must outlive the\n"
          "/// client): thread-safe when the connection is, as over the SDK's curl transport and\n"
          "/// authenticators (ApiConnection::execute(); doc/sdk.md \"Threading\"). Page ranges are not.\n"
          "class $cls$ : public $iface$ {\n"
          " public:\n"
          "  explicit $cls$(refbridge::ApiConnection& conn) : conn_(conn) {}\n"
          "\n",
          base);
  h.indent();
  for (const auto& op : api.operations()) {
    h.print("refbridge::Result<$ret$> $name$(const $req$& req) override;\n",
            {{"ret", result_type(op)}, {"name", op.cpp_name()}, {"req", request_type(op)}});
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
    if (pageable(op)) print_pages_definition(c, api, iface, op);
  }
  for (const auto& op : api.operations()) print_client_method(c, cls, op);
  c.print("\n}  // namespace $ns$\n", base);
  return {{ctx.out_dir + "/client.h", h.str()}, {ctx.out_dir + "/client.cc", c.str()}};
}

}  // namespace refbridge::codegen
