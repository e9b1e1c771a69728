// fake.h / fake.cc: Fake<Api>, an in-memory implementation of the <Api> interface for tests of
// code that uses the SDK (cpp-sdk-style-anchors.md §3 practice 9: the Catch2 analogue of
// generated mocks). Per operation: a std::function slot `<op>_handler` and a record of the
// requests `<op>_calls`; `calls` lists the operationIds in call order. An unset slot answers
// kInternal "Fake<Api>::<op> has no handler".
#include "emitters.h"
#include "printer.h"

namespace refbridge::codegen {

std::vector<GeneratedFile> emit_fake(const EmitContext& ctx) {
  const ir::Api& api = *ctx.api;
  const std::string iface = interface_name(api);
  const std::string fake = "Fake" + iface;
  const Printer::Vars base = {{"ns", api.cpp_namespace()}, {"inc", ctx.include_prefix}, {"iface", iface},
                              {"fake", fake}, {"title", api.title()}};

  Printer h;
  h.print(generated_banner(ctx.source));
  h.comment_lines(fake + ": " + api.title() + " in memory, for tests of code that takes a `" + iface +
                  "&` (no network).",
                  "// ");
  h.print(
      "#pragma once\n"
      "\n"
      "#include \"$inc$/client.h\"\n"
      "\n"
      "#include <functional>\n"
      "#include <mutex>\n"
      "#include <string>\n"
      "#include <vector>\n"
      "\n"
      "namespace $ns$ {\n"
      "\n"
      "/// Implements $iface$ with one std::function slot per operation:\n"
      "///\n"
      "///   $fake$ fake;\n",
      base);
  if (api.operations_size() > 0) {
    const ir::Operation& op = api.operations(0);
    h.print("///   fake.$name$_handler = [](const $req$& req) -> refbridge::Result<$ret$> { ... };\n",
            {{"name", op.cpp_name()}, {"req", request_type(op)}, {"ret", result_type(op)}});
  }
  h.print(
      "///\n"
      "/// Every call first records a copy of its request in `<op>_calls` and its operationId in\n"
      "/// `calls`, then answers from the slot; an unset slot answers ErrorCode::kInternal\n"
      "/// \"$fake$::<op> has no handler\". Paging (`<op>_pages`) goes through the slots like any caller.\n"
      "/// Thread-safe for code under test that calls from several threads: each call holds a\n"
      "/// recursive mutex while it records and while its handler runs (so handlers need no locking\n"
      "/// of their own and may call the fake again). Read the `_calls` members after the calls.\n"
      "class $fake$ : public $iface$ {\n"
      " public:\n",
      base);
  h.indent();
  bool first = true;
  for (const auto& op : api.operations()) {
    Printer::Vars v = {{"op", op.operation_id()}, {"name", op.cpp_name()}, {"req", request_type(op)},
                       {"ret", result_type(op)}};
    if (!first) h.print("\n");
    first = false;
    h.print("/// $op$: the answer, and the requests received.\n", v);
    h.print("std::function<refbridge::Result<$ret$>(const $req$&)> $name$_handler;\n", v);
    h.print("std::vector<$req$> $name$_calls;\n", v);
  }
  h.print("\n/// operationIds in call order.\n"
          "std::vector<std::string> calls;\n"
          "\n"
          "/// Forgets every recorded call (the handlers stay).\n"
          "void clear_calls();\n"
          "\n");
  h.print("/// Serialises the calls (see the class comment).\n"
          "std::recursive_mutex mutex;\n"
          "\n");
  for (const auto& op : api.operations()) {
    h.print("refbridge::Result<$ret$> $name$(const $req$& req) override;\n",
            {{"ret", result_type(op)}, {"name", op.cpp_name()}, {"req", request_type(op)}});
  }
  h.outdent();
  h.print("};\n\n}  // namespace $ns$\n", base);

  Printer c;
  c.print(generated_banner(ctx.source));
  c.print("#include \"$inc$/fake.h\"\n"
          "\n"
          "namespace $ns$ {\n"
          "\n"
          "void $fake$::clear_calls() {\n",
          base);
  c.indent();
  c.print("std::lock_guard lock(mutex);\n");
  for (const auto& op : api.operations()) c.print("$name$_calls.clear();\n", {{"name", op.cpp_name()}});
  c.print("calls.clear();\n");
  c.outdent();
  c.print("}\n");
  for (const auto& op : api.operations()) {
    Printer::Vars v = base;
    v["op"] = op.operation_id();
    v["name"] = op.cpp_name();
    v["req"] = request_type(op);
    v["ret"] = result_type(op);
    c.print("\n"
            "refbridge::Result<$ret$> $fake$::$name$(const $req$& req) {\n"
            "  std::lock_guard lock(mutex);\n"
            "  calls.emplace_back(\"$op$\");\n"
            "  $name$_calls.push_back(req);\n"
            "  if (!$name$_handler) {\n"
            "    return refbridge::make_error(refbridge::ErrorCode::kInternal, \"$fake$::$name$ has no handler\");\n"
            "  }\n"
            "  return $name$_handler(req);\n"
            "}\n",
            v);
  }
  c.print("\n}  // namespace $ns$\n", base);
  return {{ctx.out_dir + "/fake.h", h.str()}, {ctx.out_dir + "/fake.cc", c.str()}};
}

}  // namespace refbridge::codegen
