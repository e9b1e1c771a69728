// forwarding.h: Forwarding<Api>, an <Api> that passes every call to another <Api>. Code that wants
// to change a few operations (the workflows' dry run withholds the writes,
// workflows/common/dry_run.h) derives from it and overrides only those; an operation added to the
// schema is forwarded without a hand edit.
#include "emitters.h"
#include "printer.h"

namespace refbridge::codegen {

std::vector<GeneratedFile> emit_forwarding(const EmitContext& ctx) {
  const ir::Api& api = *ctx.api;
  const std::string iface = interface_name(api);
  const Printer::Vars base = {{"ns", api.cpp_namespace()}, {"inc", ctx.include_prefix}, {"iface", iface},
                              {"fwd", "Forwarding" + iface}, {"title", api.title()}};
  Printer h;
  h.print(generated_banner(ctx.source));
  h.print(
      "#pragma once\n"
      "\n"
      "#include \"$inc$/client.h\"\n"
      "\n"
      "namespace $ns$ {\n"
      "\n",
      base);
  h.comment_lines(api.title() + ": every operation passed unchanged to `inner` (not owned; it must outlive this "
                  "object). Derive and override the operations to change; the others keep forwarding. "
                  "Thread-safe exactly when `inner` is.",
                  "/// ");
  h.print(
      "class $fwd$ : public $iface$ {\n"
      " public:\n"
      "  explicit $fwd$($iface$& inner) : inner_(inner) {}\n",
      base);
  h.indent();
  for (const auto& op : api.operations()) {
    Printer::Vars v = {{"op", op.operation_id()}, {"name", op.cpp_name()}, {"req", request_type(op)},
                       {"ret", result_type(op)}, {"method", op.method()}};
    h.print("\n/// $op$ ($method$): inner().$name$(req).\n"
            "refbridge::Result<$ret$> $name$(const $req$& req) override { return inner_.$name$(req); }\n",
            v);
  }
  h.print("\n/// The wrapped implementation.\n"
          "[[nodiscard]] $iface$& inner() const { return inner_; }\n",
          base);
  h.outdent();
  h.print("\n private:\n"
          "  $iface$& inner_;\n"
          "};\n"
          "\n"
          "}  // namespace $ns$\n",
          base);
  return {{ctx.out_dir + "/forwarding.h", h.str()}};
}

}  // namespace refbridge::codegen
