// refbridge-codegen diff (codegen/src/diff.h): schema-evolution classification on the pairs of
// schema versions under tests/codegen/diff/<case>/{old,new}.yaml, each a one-topic change of the
// same small API (Thing = response model, NewThing = request model, Legacy = used by no operation).
#include "diff.h"

#include <catch2/catch.hpp>

#include <sstream>

using refbridge::codegen::diff_files;
using refbridge::codegen::run_diff;

namespace {

const std::filesystem::path kDiffDir = REFBRIDGE_DIFF_DIR;

struct Outcome {
  std::string text;
  int status = -1;
};

Outcome diff(const std::string& pair) {
  std::ostringstream out, err;
  const int status = run_diff(kDiffDir, pair + "/old.yaml", pair + "/new.yaml", out, err);
  return {out.str() + err.str(), status};
}

}  // namespace

TEST_CASE("diff compatible_only: Only compatible and docs changes: added optional field, added model, descriptions") {
  const Outcome r = diff("compatible_only");
  CHECK(r.text ==
        "compatible: Extra: model added (- -> compatible_only/new.yaml:71)\n"
        "compatible: Thing.tags: new optional field (- -> compatible_only/new.yaml:61)\n"
        "docs: Thing.name: description changed (compatible_only/old.yaml:55 -> compatible_only/new.yaml:55)\n"
        "docs: getThing(): description changed (compatible_only/old.yaml:9 -> compatible_only/new.yaml:9)\n"
        "summary: 0 breaking, 2 compatible, 2 docs-only change(s)\n");
  CHECK(r.status == 0);
}

TEST_CASE("diff constraints: Constraints on a request model: tightened is breaking, loosened compatible") {
  const Outcome r = diff("constraints");
  CHECK(r.text ==
        "BREAKING: NewThing.code: constraint tightened: maxLength 10 -> 5 (request model: values callers send may be refused) (constraints/old.yaml:69 -> constraints/new.yaml:69)\n"
        "BREAKING: NewThing.code: constraint tightened: pattern none -> '^[A-Z]+$' (request model: values callers send may be refused) (constraints/old.yaml:69 -> constraints/new.yaml:69)\n"
        "summary: 2 breaking, 0 compatible, 0 docs-only change(s)\n");
  CHECK(r.status == 1);
}

TEST_CASE("diff enum_values: Enum values: a removed value is breaking, an added one compatible (OpenEnum)") {
  const Outcome r = diff("enum_values");
  CHECK(r.text ==
        "BREAKING: Colour: enum value 'green' removed (enum_values/old.yaml:45 -> enum_values/new.yaml:45)\n"
        "compatible: Colour: enum value 'blue' added (refbridge::OpenEnum keeps an unknown value, so existing readers round-trip it) (enum_values/old.yaml:45 -> enum_values/new.yaml:45)\n"
        "summary: 1 breaking, 1 compatible, 0 docs-only change(s)\n");
  CHECK(r.status == 1);
}

TEST_CASE("diff identical: No change at all") {
  const Outcome r = diff("identical");
  CHECK(r.text ==
        "summary: no changes\n");
  CHECK(r.status == 0);
}

TEST_CASE("diff new_required_field: A new required field: breaking in a request, compatible in a response") {
  const Outcome r = diff("new_required_field");
  CHECK(r.text ==
        "BREAKING: NewThing.owner: new required field (request model: existing callers do not send it) (- -> new_required_field/new.yaml:67)\n"
        "compatible: Thing.kind: new required field (response model: readers get a new member) (- -> new_required_field/new.yaml:54)\n"
        "summary: 1 breaking, 1 compatible, 0 docs-only change(s)\n");
  CHECK(r.status == 1);
}

TEST_CASE("diff nullable: Nullability: not nullable in a request / nullable in a response is breaking, the reverse compatible") {
  const Outcome r = diff("nullable");
  CHECK(r.text ==
        "BREAKING: NewThing.size: nullable -> not nullable (request model: a null callers send is refused) (nullable/old.yaml:67 -> nullable/new.yaml:67)\n"
        "BREAKING: Thing.note: not nullable -> nullable (response model: readers may get null) (nullable/old.yaml:60 -> nullable/new.yaml:60)\n"
        "compatible: NewThing.note: not nullable -> nullable (request model: callers may send null) (nullable/old.yaml:68 -> nullable/new.yaml:68)\n"
        "compatible: Thing.size: nullable -> not nullable (response model: never null now) (nullable/old.yaml:56 -> nullable/new.yaml:56)\n"
        "summary: 2 breaking, 2 compatible, 0 docs-only change(s)\n");
  CHECK(r.status == 1);
}

TEST_CASE("diff operations: Operations: removed, added, path and method changed") {
  const Outcome r = diff("operations");
  CHECK(r.text ==
        "BREAKING: createThing(): endpoint changed: POST /v1/things -> PUT /v1/things (operations/old.yaml:29 -> operations/new.yaml:29)\n"
        "BREAKING: getThing(): endpoint changed: GET /v1/things/{id} -> GET /v2/things/{id} (operations/old.yaml:9 -> operations/new.yaml:9)\n"
        "compatible: archiveThing(): operation added (POST /v1/things/{id}/archive) (- -> operations/new.yaml:44)\n"
        "summary: 2 breaking, 1 compatible, 0 docs-only change(s)\n");
  CHECK(r.status == 1);
}

TEST_CASE("diff optional_to_required: optional -> required in a request and in a response model (breaking both ways)") {
  const Outcome r = diff("optional_to_required");
  CHECK(r.text ==
        "BREAKING: NewThing.note: optional -> required (request model: callers must now send it) (optional_to_required/old.yaml:68 -> optional_to_required/new.yaml:68)\n"
        "BREAKING: Thing.note: optional -> required (response model: the C++ member is no longer std::optional) (optional_to_required/old.yaml:60 -> optional_to_required/new.yaml:60)\n"
        "summary: 2 breaking, 0 compatible, 0 docs-only change(s)\n");
  CHECK(r.status == 1);
}

TEST_CASE("diff parameters: Parameters: became required, removed, new required, new optional") {
  const Outcome r = diff("parameters");
  CHECK(r.text ==
        "BREAKING: getThing().X-Tenant: new required header parameter (parameters/old.yaml:9 -> parameters/new.yaml:9)\n"
        "BREAKING: getThing().lang: parameter became required (parameters/old.yaml:9 -> parameters/new.yaml:9)\n"
        "compatible: getThing().fields: new optional query parameter (parameters/old.yaml:9 -> parameters/new.yaml:9)\n"
        "summary: 2 breaking, 1 compatible, 0 docs-only change(s)\n");
  CHECK(r.status == 1);
}

TEST_CASE("diff parameters_removed: A removed query parameter (breaking)") {
  const Outcome r = diff("parameters_removed");
  CHECK(r.text ==
        "BREAKING: getThing().lang: query parameter removed (parameters_removed/old.yaml:9 -> parameters_removed/new.yaml:9)\n"
        "summary: 1 breaking, 0 compatible, 0 docs-only change(s)\n");
  CHECK(r.status == 1);
}

TEST_CASE("diff removed_model_and_field: Removed model and removed field (breaking)") {
  const Outcome r = diff("removed_model_and_field");
  CHECK(r.text ==
        "BREAKING: Legacy: model removed (removed_model_and_field/old.yaml:70 -> -)\n"
        "BREAKING: Thing.note: field removed (removed_model_and_field/old.yaml:60 -> -)\n"
        "summary: 2 breaking, 0 compatible, 0 docs-only change(s)\n");
  CHECK(r.status == 1);
}

TEST_CASE("diff required_to_optional: required -> optional: compatible in a request, breaking in a response") {
  const Outcome r = diff("required_to_optional");
  CHECK(r.text ==
        "BREAKING: Thing.name: required -> optional (response model: readers may no longer get it) (required_to_optional/old.yaml:55 -> required_to_optional/new.yaml:55)\n"
        "compatible: NewThing.name: required -> optional (request model: callers may omit it) (required_to_optional/old.yaml:66 -> required_to_optional/new.yaml:66)\n"
        "summary: 1 breaking, 1 compatible, 0 docs-only change(s)\n");
  CHECK(r.status == 1);
}

TEST_CASE("diff type_change: Field type changes (breaking)") {
  const Outcome r = diff("type_change");
  CHECK(r.text ==
        "BREAKING: Legacy.value: type std::string -> std::int32_t (type_change/old.yaml:74 -> type_change/new.yaml:74)\n"
        "BREAKING: Thing.size: type std::int32_t -> std::int64_t (type_change/old.yaml:56 -> type_change/new.yaml:56)\n"
        "summary: 2 breaking, 0 compatible, 0 docs-only change(s)\n");
  CHECK(r.status == 1);
}

TEST_CASE("diff: the library call agrees with the command and sorts BREAKING, compatible, docs") {
  auto r = diff_files(kDiffDir, "nullable/old.yaml", "nullable/new.yaml");
  REQUIRE(r);
  REQUIRE(r.value().changes.size() == 4);
  CHECK(r.value().breaking());
  CHECK(r.value().changes[0].kind == refbridge::codegen::ChangeKind::kBreaking);
  CHECK(r.value().changes[3].kind == refbridge::codegen::ChangeKind::kCompatible);
  CHECK(r.value().changes[0].line() ==
        "BREAKING: NewThing.size: nullable -> not nullable (request model: a null callers send is refused) "
        "(nullable/old.yaml:67 -> nullable/new.yaml:67)");
}

TEST_CASE("diff: a file that does not load exits 2") {
  const Outcome r = diff("no_such_pair");
  CHECK(r.status == 2);
  CHECK(r.text.find("refbridge-codegen diff: ") == 0);
}

TEST_CASE("diff: an OpenAPI document cannot be compared with a codegen.yaml config") {
  std::ostringstream out, err;
  CHECK(run_diff(std::filesystem::path(REFBRIDGE_SOURCE_DIR), "schemas/ping/openapi.yaml", "schemas/codegen.yaml", out,
                 err) == 2);
  CHECK(err.str() == "refbridge-codegen diff: diff: schemas/ping/openapi.yaml and schemas/codegen.yaml must both be "
                     "OpenAPI documents or both codegen.yaml configs\n");
}

TEST_CASE("diff: the shipped configuration against itself has no changes") {
  std::ostringstream out, err;
  CHECK(run_diff(std::filesystem::path(REFBRIDGE_SOURCE_DIR), "schemas/codegen.yaml", "schemas/codegen.yaml", out,
                 err) == 0);
  CHECK(out.str() == "summary: no changes\n");
}
