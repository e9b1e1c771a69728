#pragma once
// OpenAPI 3.1 / JSON Schema 2020-12 YAML -> validated refbridge.codegen.ir.Api.
//
// Supported subset (anything else is an error "file:line:col: message", never silently dropped):
//  - components.schemas: objects (properties, required) and string enums; every schema and property
//    carries a `description`.
//  - property schemas: type string|integer|number|boolean|array|object, `type: [T, "null"]` (nullable),
//    format date / date-time / int32 / int64 (others kept as documentation), items,
//    additionalProperties (map), `{}` (any JSON), $ref to "#/components/schemas/X" or
//    "other.yaml#/components/schemas/X" (relative to the referring file), inline string `enum`,
//    pattern / minimum / maximum / minLength / maxLength, x-* extensions.
//  - rejected: oneOf, anyOf, allOf, not, if/then/else, discriminator, patternProperties, inline
//    object schemas with properties (declare them as components), recursive models.
//  - paths: get/put/post/patch/delete with operationId; parameters in path/query/header (scalars or
//    enum $refs; also "#/components/parameters/X"); JSON request body as a $ref; 2xx responses with a
//    JSON $ref body or none; the first 4xx/5xx/default JSON body names the error model.
//  - `x-refbridge-generate: false` on an operation keeps it documented but out of the IR
//    (e.g. PING's form-encoded getToken).

#include "ir.pb.h"
#include "refbridge/error.h"

#include <filesystem>
#include <string>

namespace refbridge::codegen {

/// Loads `root/spec_rel_path` (and files it references) into an Api named `name` whose C++
/// namespace is `cpp_namespace`. Models are sorted by name, operations by operationId.
/// Errors: kIo (unreadable file), kInvalidInput (YAML syntax or validation errors, one per line,
/// each "file:line:col: message" with a repository-relative file).
refbridge::Result<ir::Api> load_api(const std::filesystem::path& root, const std::string& spec_rel_path,
                                    const std::string& name, const std::string& cpp_namespace);

/// The C++ type spelled for a TypeRef (without std::optional): "std::vector<Service>", ...
/// Model and enum names are prefixed with `model_qualifier` (e.g. "primero::" when the code that
/// uses the type lives outside the API's namespace).
std::string cpp_type(const ir::TypeRef& type, const std::string& model_qualifier = "");

}  // namespace refbridge::codegen
