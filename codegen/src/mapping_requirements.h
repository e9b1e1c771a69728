#pragma once
// The Primero form requirements of a mapping spec (`primero_forms:`, mapping.proto PrimeroForms):
// checked against the APIs at generation time, collected while the mapping compiler checks the
// rules, and emitted as
//   std::vector<refbridge::PrimeroRequirement> <function>_primero_requirements(const refbridge::Profile&)
//   inline constexpr std::string_view <function>_primero_record_type = "<record_type>";
// (sdk/include/refbridge/primero_requirements.h). Entries, in spec order:
//  - a rule whose target is the record model: its field (list indexes dropped:
//    services_section[0].x -> services_section.x, access write) and, when the member holds text
//    (string, enum, list of strings), every value the rule can write: each value of its lookup
//    table (and the table default with on_missing: default) — not for `join:` lookups, whose
//    result is no single option —, its constant, its literal, or the constant / literal default of
//    a copy;
//  - a source path read by a rule, require or gate, when its source is listed under
//    primero_forms.sources: the field <path>.<first member> (access read);
//  - each primero_forms.reads entry (access read, with its reason).
// One entry per field (the first rule naming it; a field read and also written is a write).
// Each entry names the spec rule that needs it as "<spec file>:<line> (<what>)".
// Generation-time errors: unknown record API or model, a listed source that is not a spec source,
// not of the record's API, or not the record model ("") / the row model of the named subform; a
// read path that is not <field> or <subform>.<row field> of the record model.

#include "mapping.pb.h"
#include "mapping_diagnostics.h"
#include "requirement_plan.h"

#include <map>
#include <string>
#include <vector>

namespace refbridge::codegen::mapping_detail {

class PrimeroFormsCollector {
 public:
  /// `m`, `apis` and `diags` must outlive the collector.
  PrimeroFormsCollector(const mapping::Mapping& m, const std::map<std::string, ir::Api>& apis, Diagnostics& diags)
      : m_(m), apis_(apis), diags_(diags) {}

  /// Checks `primero_forms:` and records its reads; call once, before the rules. No-op without it.
  void check();

  /// Source `source`'s top-level member `member` is read at `at` by `what` ("require", "gate
  /// <rule>", "rule <target>"). Recorded when the source is listed under primero_forms.sources.
  void read(const std::string& source, const std::string& member, const ir::SourceLocation& at,
            const std::string& what);

  /// Rule `r` compiled (its `summary` as in the generated comments); `text_target`: its target
  /// member holds text (string, enum or a list of strings), so the values it writes are options.
  void write(const mapping::Rule& r, const std::string& summary, bool text_target);

  /// Header declarations of <fn>_primero_requirements and <fn>_primero_record_type.
  [[nodiscard]] std::string declaration(const std::string& fn) const;
  /// Definition of <fn>_primero_requirements for the .cc.
  [[nodiscard]] std::string definition(const std::string& fn) const;
  /// The same entries as data, for the generation-time deployment check (requirement_plan.h).
  [[nodiscard]] RequirementPlan plan() const;

 private:
  const ir::Model* model(const std::string& name) const;
  bool targets_record() const;
  std::string rule_text(const ir::SourceLocation& at, const std::string& what) const;
  void add_field(const std::string& field, bool write, const std::string& rule, const ir::SourceLocation& at);
  void add(std::string statement, RequirementRecipe recipe);

  const mapping::Mapping& m_;
  const std::map<std::string, ir::Api>& apis_;
  Diagnostics& diags_;
  const ir::Api* api_ = nullptr;  // set by check() when primero_forms is valid
  const ir::Model* record_ = nullptr;
  std::map<std::string, std::string> source_paths_;  // spec source -> path in the record
  std::vector<std::string> statements_;              // emitted in order
  std::vector<RequirementRecipe> recipes_;           // statements_ as data, same order
  struct FieldEntry {
    std::size_t statement;  // index in statements_ and recipes_
    bool write;             // a write is kept over a read of the same field
  };
  std::map<std::string, FieldEntry> fields_;  // fields already emitted
};

}  // namespace refbridge::codegen::mapping_detail
