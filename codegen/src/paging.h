#pragma once
// The `x-refbridge-paging` operation extension: which list operations page, and how. The schema
// loader reads it with read_paging() and, once every model is built, checks it with
// check_paging(); the client emitter resolves the member paths with resolve_member_path().
//
//   x-refbridge-paging: {style: page-number, page: page, per: per, items: data, total: metadata.total}
//   x-refbridge-paging: {style: page-token, token: pageToken, next: nextPageToken, items: items}
//
// page/per/token name query parameters of the operation (page and per integers, token an optional
// string); items/next/total are dotted JSON member paths through the success response model
// (items an array, next a string, total an integer; total is optional: without it a page shorter
// than `per` ends the range). Anything else is a diagnostic "file:line:col: message".

#include "ir.pb.h"

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace refbridge::codegen {

/// Reads the extension node `ext` of an operation into op->mutable_paging() (location: `ext`).
/// Appends a diagnostic per problem to `errors`.
void read_paging(const std::string& file, const YAML::Node& ext, ir::Operation* op, std::vector<std::string>& errors);

/// Checks every pageable operation of `api` (models built): the parameters exist in the query with
/// the right types, the operation has one success body model, and every member path resolves.
void check_paging(const ir::Api& api, std::vector<std::string>& errors);

/// The fields along a dotted JSON member path starting at model `model` ("metadata.total" ->
/// [CaseList.metadata, Metadata.total]); empty when a step is missing or goes through a non-model.
std::vector<const ir::Field*> resolve_member_path(const ir::Api& api, const std::string& model, const std::string& path);

}  // namespace refbridge::codegen
