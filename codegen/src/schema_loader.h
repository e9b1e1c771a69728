#pragma once
// OpenAPI 3.1 / JSON Schema 2020-12 YAML -> validated refbridge.codegen.ir.Api.
//
// Supported subset (anything else is an error "file:line:col: message", never silently dropped):
//  - components.schemas: objects (properties, required), string enums, `allOf` objects and
//    oneOf/anyOf unions with a discriminator; every schema and property carries a `description`.
//  - property schemas: type string|integer|number|boolean|array|object, `type: [T, "null"]` (nullable),
//    format date / date-time / int32 / int64 (others kept as documentation; an integer without a
//    format is int32 when `minimum` and `maximum` both fit, else int64), items,
//    additionalProperties (map), `{}` (any JSON), $ref to "#/components/schemas/X" or
//    "other.yaml#/components/schemas/X" (relative to the referring file), `allOf: [{$ref: X}]`
//    (a reference with siblings), `anyOf: [{$ref: X}, {type: "null"}]` (nullable reference),
//    pattern / minimum / maximum / minLength / maxLength, `default` (scalars, enum values, null on
//    nullable members, [] on arrays), x-* extensions.
//  - inline schemas that become named models (Field.type.model = <Model><Member>, PascalCase, e.g.
//    Widget.size -> WidgetSize; Model.inline_of = "Widget.size"; a clash with a component name is
//    an error): a string `enum` on a member (or its array items / map values), and oneOf/anyOf +
//    discriminator on a member.
//  - allOf on a component: one flattened object (members of each part in order: $ref parts
//    recursively, then inline parts; `required` merged); a member declared by two parts is an error.
//  - oneOf/anyOf + discriminator {propertyName, mapping}: every alternative a $ref to an object
//    component that declares propertyName as a string/enum member; unmapped alternatives are
//    selected by their schema name (OpenAPI); two unions with the same alternatives are an error.
//  - model-level `additionalProperties: false` sets Model.closed: the generated reader rejects
//    members the schema does not name (otherwise they are kept in `unknown_members_`).
//  - member names: legalised by names::legalize; two members with the same C++ name are an error
//    naming both (file:line), and no member may legalise to `unknown_members_`.
//  - rejected: oneOf/anyOf without a discriminator, not, if/then/else, patternProperties, inline
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

/// The C++ type spelled for a TypeRef (without std::optional / Nullable): "std::vector<Service>",
/// "refbridge::OpenEnum<Colour>" (enums are open, ARCHITECTURE.md "Generator v1 type contract"), ...
/// Model and enum names are prefixed with `model_qualifier` (e.g. "primero::" when the code that
/// uses the type lives outside the API's namespace).
std::string cpp_type(const ir::TypeRef& type, const std::string& model_qualifier = "");

}  // namespace refbridge::codegen
