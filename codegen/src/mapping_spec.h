#pragma once
// Mapping spec YAML (schemas/mappings/*.yaml) -> refbridge.codegen.mapping.Mapping (mapping.proto).
// This step checks the spec's own shape only (known keys, one kind per rule, well-formed paths and
// enums); checks against the APIs and the profile are in mapping_compiler.cc.
//
// Spec format (documented in full at the top of schemas/mappings/progres-referral-to-primero-case.yaml):
//   name: <kebab-case>                 function: <C++ function name>
//   description: <text>
//   sources:     { <name>: {api, model, list?: bool, description?} , ... }   (order = Input members)
//   target:      {api, model}
//   lookups:     { <table>: {key: <source path>, default: bool, description?} }
//   constants:   { <name>: <description> }
//   conversions: { <function>: {returns: <type>, params: [<type>...], rejects?: <rule id>, description?} }
//                types: string bool int32 int64 number date date-time; "T?" = std::optional<T>;
//                with `rejects`, the function returns refbridge::Result<R> and may refuse the record
//   require:     [<source path>...]                     (rule id required-fields)
//   gate:        {rule, lookup, from, what, accepted_as}  (or a list of them)
//   rules:       { <target path>: {<one of from|const|literal|lookup|convert|join>, when?, ...} }
//     from: <path>  [omit_empty: bool] [default: {const: <name>} | {literal: <value>}] [lossy: narrowing]
//     const: <constant>        literal: <scalar>
//     lookup: {table, from, on_missing?: omit|default|reject|passthrough, distinct?: bool, join?: <sep>}
//             (no on_missing: the lookup must be total: an enum source with an entry per value;
//             passthrough: string source and string target only; join: a list source into a string)
//     convert: {function, from: [<path>...]}
//     join: {from: [<path> | {lookup: {table, from, on_missing}}...], separator: <text>, skip_empty: bool}
//     when: create | always | {target: <target path set by an earlier rule>, equals: <value>}
//   strict:      {unused_lookup_entries: error|ignore, unused_sources: error|ignore}
//   ignore_sources: { <source path or source name>: <reason> }   (accepted unused source members)
//   primero_forms: {record: {api, model, record_type}, sources?: {<source>: <path>}, reads?: {<path>: <reason>}}
//                (the Primero form fields written and read: mapping_requirements.h)

#include "mapping.pb.h"
#include "mapping_diagnostics.h"
#include "refbridge/error.h"

#include <filesystem>
#include <string>

namespace refbridge::codegen::mapping_detail {

/// Reads root/spec_rel_path. Shape problems are added to `diags` (the returned Mapping then holds
/// what could be read); kIo / YAML syntax errors are returned as errors ("file:line:col: ...").
refbridge::Result<mapping::Mapping> parse_mapping_spec(const std::filesystem::path& root,
                                                       const std::string& spec_rel_path, Diagnostics& diags);

}  // namespace refbridge::codegen::mapping_detail
