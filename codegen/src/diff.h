#pragma once
// Schema evolution: `refbridge-codegen diff OLD NEW` compares two versions of an API (two OpenAPI
// YAML files, or two codegen.yaml configs whose APIs are paired by name), both loaded through the
// schema loader, on their IR (ir.proto), and classifies every change for the clients generated
// from it:
//   BREAKING    existing callers or readers (or the C++ they compile) stop working;
//   compatible  existing clients keep working (wire and C++);
//   docs        descriptions only.
// Direction matters: a model reachable from a request body is written by clients, one reachable
// from a success or error response is read by them (a model used both ways gets the stricter rule;
// a model used by no operation is treated as both).
//
//  change                                   request model     response model
//  removed model / field / enum value       BREAKING          BREAKING
//  field type changed                       BREAKING          BREAKING
//  new required field                       BREAKING          compatible (readers get a member)
//  new optional field, new model            compatible        compatible
//  optional -> required                     BREAKING          BREAKING (member T instead of std::optional<T>)
//  required -> optional                     compatible        BREAKING (may be absent now)
//  nullable -> not nullable                 BREAKING          compatible (never null now)
//  not nullable -> nullable                 compatible        BREAKING (may be null now)
//  new enum value                           compatible (refbridge::OpenEnum keeps an unknown value's text)
//  constraint tightened (pattern, bounds)   BREAKING          compatible
//  constraint loosened                      compatible        BREAKING (values outside the old bounds)
//  description                              docs              docs
// Operations (by operationId): removed / path or method changed / parameter removed, retyped, new
// required or optional -> required / request body model changed, added, or became required /
// a success response's body model changed or removed -> BREAKING; added operation / new optional
// parameter / required -> optional parameter / body no longer required / new success status ->
// compatible; descriptions -> docs.
//
// One line per change: "BREAKING: Case.age: type std::int32_t -> std::string (old.yaml:12 -> new.yaml:12)"
// ("-" for the side that lacks the element), sorted by (kind: BREAKING, compatible, docs; subject;
// text), then a summary line.

#include "ir.pb.h"
#include "refbridge/error.h"

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace refbridge::codegen {

enum class ChangeKind { kBreaking, kCompatible, kDocs };

struct SchemaChange {
  ChangeKind kind = ChangeKind::kCompatible;
  std::string subject;  // "Case.age", "Sex", "getCase()", "getCase().per", "primero/Case.age" (configs)
  std::string what;     // "field removed"
  std::string old_at;   // "old.yaml:12" or "-"
  std::string new_at;
  [[nodiscard]] std::string line() const;
};

struct DiffReport {
  std::vector<SchemaChange> changes;  // sorted (see above)
  [[nodiscard]] bool breaking() const;
  /// Every line() then "summary: N breaking, M compatible, K docs-only change(s)" (or "no changes").
  [[nodiscard]] std::string render() const;
};

/// Compares two loaded versions of one API. `prefix` is put before every subject ("ping/").
DiffReport diff_apis(const ir::Api& old_api, const ir::Api& new_api, const std::string& prefix = "");

/// Loads root/old_rel and root/new_rel (both OpenAPI documents, or both codegen.yaml configs: a
/// mapping with `apis:` and no `openapi:`) and compares them. Errors: the loader's (kIo,
/// kInvalidInput "file:line:col: ..."), kInvalidInput when one is a config and the other is not.
Result<DiffReport> diff_files(const std::filesystem::path& root, const std::string& old_rel, const std::string& new_rel);

/// The `diff` subcommand: prints the report to `out` (errors to `err`); returns the exit status:
/// 1 when anything is breaking, 0 otherwise, 2 when a file cannot be loaded.
int run_diff(const std::filesystem::path& root, const std::string& old_rel, const std::string& new_rel,
             std::ostream& out, std::ostream& err);

}  // namespace refbridge::codegen
