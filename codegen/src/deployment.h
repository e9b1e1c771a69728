#pragma once
// Primero deployments: one instance's forms and lookups as a schema overlay
// (schemas/primero/deployments/<name>.yaml), written by `refbridge-codegen import-primero` and
// read by `generate` (typed models per deployment, mapping checks) and `diff` (configuration
// drift). The overlay is an OpenAPI 3.1 document:
//   # source note (instance, export time, input hash)
//   x-refbridge-deployment: {name, instance, exported_at, input_sha256, record_type, module_id}
//   openapi / info
//   components.schemas: the record model (Case for record type case) with one member per form
//     field of the record type's forms, and one row model per subform (named as the base schema
//     names it: services_section -> Service; else <Record><Subform>Row). Types follow the form
//     field (render_overlay below).
//   x-primero-configuration: {sections: [...], lookups: {...}}: the instance's configuration as
//     the comparisons read it (refbridge/primero_configuration.h), restricted to the sections
//     that count for the record type and module, their subforms' sections and the lookups they use.

#include "ir.pb.h"
#include "refbridge/error.h"
#include "refbridge/primero_configuration.h"

#include <filesystem>
#include <string>

namespace refbridge::codegen {

/// Where an overlay comes from.
struct DeploymentSource {
  std::string name;          ///< deployment name ("gambella"): the file and namespace name
  std::string instance;      ///< the instance: its base URL, or the exported files' description
  std::string exported_at;   ///< UTC, RFC 3339 ("2026-12-04T21:30:00Z")
  std::string input_sha256;  ///< hex SHA-256 of the forms body followed by the lookups body
  std::string record_type = "case";
  std::string module_id = "primeromodule-cp";
};

/// An imported instance configuration.
struct DeploymentOverlay {
  DeploymentSource source;
  PrimeroConfiguration config;  ///< already restricted (scoped_configuration)
};

/// The part of `config` that counts for `scope`: its top sections, the nested sections of their
/// subform fields, and the lookups their fields name (in name order); field order kept.
PrimeroConfiguration scoped_configuration(const PrimeroConfiguration& config, const PrimeroFormScope& scope);

/// The overlay YAML (see the file comment). `base`: the base Primero API, whose row model names
/// are reused (nullptr: every row model is <Record><Subform>Row). Field types:
/// text_field / textarea -> string; numeric_field -> integer (int64; Primero rejects a
/// non-integer, primero-api-v2.md §5.6 age); date_field -> date, date-time with
/// date_include_time; tick_box -> boolean; select_box / radio_button over a lookup or inline
/// options -> an enum of the option ids (open: OpenEnum keeps an unknown value), an array of it
/// with multi_select; select over User / Agency / Location / other sources -> string (array with
/// multi_select) with a note; subform -> array of the row model; separator -> no member; other
/// types (tally_field, custom, ...) -> any JSON. Every member is optional and nullable: Primero's
/// API does not enforce `required` (a UI rule; the description says "required in the UI").
std::string render_overlay(const DeploymentOverlay& overlay, const ir::Api* base);

/// Reads x-refbridge-deployment and x-primero-configuration of an overlay file (`display`: the
/// name used in messages, e.g. the repository-relative path).
/// Errors: kIo, kInvalidInput "<display>:line:col: message".
Result<DeploymentOverlay> load_overlay(const std::filesystem::path& file, const std::string& display);

/// The record model of `record_type`: "case" -> "Case".
std::string record_model_name(const std::string& record_type);

}  // namespace refbridge::codegen
