// Loader + IR for the generator v1 type contract (issue 3): integer widths, inline enums, allOf
// flattening, oneOf/anyOf + discriminator, defaults, additionalProperties: false, name collisions.
#include "schema_loader.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using refbridge::codegen::cpp_type;
using refbridge::codegen::load_api;
namespace ir = refbridge::codegen::ir;

namespace {

refbridge::Result<ir::Api> load_text(const std::string& name, const std::string& schemas) {
  const fs::path dir = fs::temp_directory_path() / ("refbridge-types-test-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "spec.yaml") << "openapi: 3.1.0\n"
                                      "info: {title: T, version: '1'}\n"
                                      "components:\n"
                                      "  schemas:\n"
                                   << schemas;
  return load_api(dir, "spec.yaml", "t", "refbridge::t");
}

const ir::Model& model(const ir::Api& api, const std::string& name) {
  for (const auto& m : api.models()) {
    if (m.name() == name) return m;
  }
  FAIL("no model " << name);
  throw 0;
}

const ir::Field& field(const ir::Model& m, const std::string& json) {
  for (const auto& f : m.fields()) {
    if (f.json_name() == json) return f;
  }
  FAIL("no field " << json);
  throw 0;
}

}  // namespace

TEST_CASE("integer width from format or from both bounds", "[loader][types]") {
  auto api = load_text("ints",
                       "    A:\n"
                       "      type: object\n"
                       "      description: a\n"
                       "      properties:\n"
                       "        f32: {type: integer, format: int32, description: x}\n"
                       "        f64: {type: integer, format: int64, minimum: 0, maximum: 1, description: x}\n"
                       "        small: {type: integer, minimum: -2147483648, maximum: 2147483647, description: x}\n"
                       "        big: {type: integer, minimum: 0, maximum: 2147483648, description: x}\n"
                       "        half: {type: integer, minimum: 0, description: x}\n"
                       "        none: {type: integer, description: x}\n");
  INFO((api ? std::string() : api.error().message));
  REQUIRE(api);
  const auto& a = model(api.value(), "A");
  CHECK(field(a, "f32").type().kind() == ir::TypeRef::INT32);
  CHECK(field(a, "f64").type().kind() == ir::TypeRef::INT64);  // format wins over bounds
  CHECK(field(a, "small").type().kind() == ir::TypeRef::INT32);
  CHECK(field(a, "big").type().kind() == ir::TypeRef::INT64);
  CHECK(field(a, "half").type().kind() == ir::TypeRef::INT64);
  CHECK(field(a, "none").type().kind() == ir::TypeRef::INT64);
}

TEST_CASE("inline enums become named enums <Model><Member>, enums are open in C++", "[loader][types]") {
  auto api = load_text("inline-enum",
                       "    Case:\n"
                       "      type: object\n"
                       "      description: a\n"
                       "      properties:\n"
                       "        risk_level: {type: [string, 'null'], enum: [low, high, null], description: x}\n"
                       "        flags: {type: array, items: {type: string, enum: [a, b]}, description: x}\n");
  INFO((api ? std::string() : api.error().message));
  REQUIRE(api);
  const auto& e = model(api.value(), "CaseRiskLevel");
  CHECK(e.is_enum());
  CHECK(e.inline_of() == "Case.risk_level");
  REQUIRE(e.enum_values_size() == 2);  // null is not a value
  const auto& f = field(model(api.value(), "Case"), "risk_level");
  CHECK(f.nullable());
  CHECK(f.type().kind() == ir::TypeRef::ENUM);
  CHECK(cpp_type(f.type()) == "refbridge::OpenEnum<CaseRiskLevel>");
  CHECK(cpp_type(field(model(api.value(), "Case"), "flags").type()) == "std::vector<refbridge::OpenEnum<CaseFlags>>");

  auto clash = load_text("inline-enum-clash",
                         "    A:\n"
                         "      type: object\n"
                         "      description: a\n"
                         "      properties:\n"
                         "        b: {type: string, enum: [x], description: x}\n"
                         "    AB:\n"
                         "      type: object\n"
                         "      description: ab\n");
  REQUIRE_FALSE(clash);
  CHECK_THAT(clash.error().message,
             Catch::Contains("spec.yaml:9:12: the inline schema of 'A.b' would be named 'AB', which is already a schema"));
}

TEST_CASE("allOf flattens $ref and inline parts in order, required merged", "[loader][types]") {
  auto api = load_text("allof",
                       "    Base:\n"
                       "      type: object\n"
                       "      description: b\n"
                       "      required: [id]\n"
                       "      properties:\n"
                       "        id: {type: string, description: x}\n"
                       "    Mid:\n"
                       "      description: m\n"
                       "      allOf:\n"
                       "        - {$ref: '#/components/schemas/Base'}\n"
                       "        - {type: object, properties: {mid: {type: boolean, description: x}}}\n"
                       "    Top:\n"
                       "      description: t\n"
                       "      allOf:\n"
                       "        - {$ref: '#/components/schemas/Mid'}\n"
                       "        - required: [top]\n"
                       "          properties:\n"
                       "            top: {type: string, description: x}\n");
  INFO((api ? std::string() : api.error().message));
  REQUIRE(api);
  const auto& top = model(api.value(), "Top");
  REQUIRE(top.fields_size() == 3);
  CHECK(top.fields(0).json_name() == "id");
  CHECK(top.fields(0).required());
  CHECK(top.fields(1).json_name() == "mid");
  CHECK_FALSE(top.fields(1).required());
  CHECK(top.fields(2).json_name() == "top");
  CHECK(top.fields(2).required());
  CHECK(top.fields(0).location().line() == 10);  // where Base declares it

  auto overlap = load_text("allof-overlap",
                           "    Base:\n"
                           "      type: object\n"
                           "      description: b\n"
                           "      properties:\n"
                           "        id: {type: string, description: x}\n"
                           "    Top:\n"
                           "      description: t\n"
                           "      allOf:\n"
                           "        - {$ref: '#/components/schemas/Base'}\n"
                           "        - {properties: {id: {type: string, description: y}}}\n");
  REQUIRE_FALSE(overlap);
  CHECK_THAT(overlap.error().message, Catch::Contains("spec.yaml:14:25: member 'id' of 'Top' is declared twice (allOf parts overlap)"));
}

TEST_CASE("oneOf/anyOf + discriminator -> variant with explicit and implicit mapping", "[loader][types]") {
  const std::string alts =
      "    Cat:\n"
      "      type: object\n"
      "      description: c\n"
      "      required: [kind]\n"
      "      properties: {kind: {type: string, description: k}}\n"
      "    Dog:\n"
      "      type: object\n"
      "      description: d\n"
      "      properties: {kind: {type: string, description: k}}\n";
  auto api = load_text("variant", alts +
                                      "    Pet:\n"
                                      "      description: p\n"
                                      "      anyOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]\n"
                                      "      discriminator:\n"
                                      "        propertyName: kind\n"
                                      "        mapping: {kitty: '#/components/schemas/Cat'}\n");
  INFO((api ? std::string() : api.error().message));
  REQUIRE(api);
  const auto& pet = model(api.value(), "Pet");
  CHECK(pet.is_variant());
  CHECK(pet.discriminator() == "kind");
  REQUIRE(pet.variant_models_size() == 2);
  REQUIRE(pet.discriminator_mapping_size() == 2);
  CHECK(pet.discriminator_mapping(0).value() == "kitty");
  CHECK(pet.discriminator_mapping(0).model() == "Cat");
  CHECK(pet.discriminator_mapping(1).value() == "Dog");  // unmapped: its schema name

  auto no_disc = load_text("variant-nodisc", alts +
                                                 "    Pet:\n"
                                                 "      description: p\n"
                                                 "      oneOf: [{$ref: '#/components/schemas/Cat'}]\n");
  REQUIRE_FALSE(no_disc);
  CHECK_THAT(no_disc.error().message, Catch::Contains("spec.yaml:16:14: oneOf without a discriminator is not supported"));

  auto missing_prop = load_text("variant-noprop", alts +
                                                      "    Pet:\n"
                                                      "      description: p\n"
                                                      "      oneOf: [{$ref: '#/components/schemas/Cat'}]\n"
                                                      "      discriminator: {propertyName: species}\n");
  REQUIRE_FALSE(missing_prop);
  CHECK_THAT(missing_prop.error().message,
             Catch::Contains("spec.yaml:17:22: alternative 'Cat' of 'Pet' must declare the discriminator 'species'"));

  auto same = load_text("variant-same", alts +
                                            "    Pet:\n"
                                            "      description: p\n"
                                            "      oneOf: [{$ref: '#/components/schemas/Cat'}]\n"
                                            "      discriminator: {propertyName: kind}\n"
                                            "    Pet2:\n"
                                            "      description: p\n"
                                            "      oneOf: [{$ref: '#/components/schemas/Cat'}]\n"
                                            "      discriminator: {propertyName: kind}\n");
  REQUIRE_FALSE(same);
  CHECK_THAT(same.error().message, Catch::Contains("variants 'Pet' and 'Pet2' have the same alternatives"));
}

TEST_CASE("defaults become compact JSON, unsupported defaults are errors", "[loader][types]") {
  auto api = load_text("defaults",
                       "    K:\n"
                       "      type: string\n"
                       "      description: k\n"
                       "      enum: [a, b]\n"
                       "    A:\n"
                       "      type: object\n"
                       "      description: a\n"
                       "      properties:\n"
                       "        s: {type: string, default: 'say \"hi\"', description: x}\n"
                       "        n: {type: integer, default: -4, description: x}\n"
                       "        d: {type: number, default: 0.5, description: x}\n"
                       "        b: {type: boolean, default: false, description: x}\n"
                       "        k: {$ref: '#/components/schemas/K', default: b, description: x}\n"
                       "        z: {type: [string, 'null'], default: null, description: x}\n"
                       "        l: {type: array, items: {type: string}, default: [], description: x}\n");
  INFO((api ? std::string() : api.error().message));
  REQUIRE(api);
  const auto& a = model(api.value(), "A");
  CHECK(field(a, "s").default_json() == R"("say \"hi\"")");
  CHECK(field(a, "n").default_json() == "-4");
  CHECK(field(a, "d").default_json() == "0.5");
  CHECK(field(a, "b").default_json() == "false");
  CHECK(field(a, "k").default_json() == R"("b")");
  CHECK(field(a, "z").default_json() == "null");
  CHECK(field(a, "l").default_json() == "[]");

  auto bad = load_text("defaults-bad",
                       "    A:\n"
                       "      type: object\n"
                       "      description: a\n"
                       "      properties:\n"
                       "        n: {type: integer, format: int32, default: 'x', description: x}\n"
                       "        m: {type: integer, format: int32, default: 3000000000, description: x}\n"
                       "        s: {type: string, default: null, description: x}\n");
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message, Catch::Contains("spec.yaml:9:52: default of 'n': expected an integer"));
  CHECK_THAT(bad.error().message, Catch::Contains("default of 'm': out of the 32-bit range"));
  CHECK_THAT(bad.error().message, Catch::Contains("default of 's': null on a member that is not nullable"));
}

TEST_CASE("additionalProperties: false closes a model, two members with one C++ name are an error naming both",
          "[loader][types][names]") {
  auto closed = load_text("closed",
                          "    A:\n"
                          "      type: object\n"
                          "      description: a\n"
                          "      additionalProperties: false\n"
                          "      properties: {x: {type: string, description: x}}\n");
  REQUIRE(closed);
  CHECK(model(closed.value(), "A").closed());

  auto clash = load_text("clash",
                         "    A:\n"
                         "      type: object\n"
                         "      description: a\n"
                         "      properties:\n"
                         "        x-y: {type: string, description: x}\n"
                         "        x.y: {type: string, description: x}\n"
                         "        unknown_members_: {type: string, description: x}\n");
  REQUIRE_FALSE(clash);
  CHECK_THAT(clash.error().message,
             Catch::Contains("spec.yaml:10:9: members 'x-y' (spec.yaml:9) and 'x.y' (spec.yaml:10) of 'A' both map to the C++ name 'x_y'"));
  CHECK_THAT(clash.error().message, Catch::Contains("reserved for unknown members"));
}
