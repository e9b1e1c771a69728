// Loader side of the generated validators: constraints reach the IR (x-refbridge-lowercase,
// parameter minimum/maximum) and a pattern std::regex cannot compile is a schema error with its
// position, never an exception at validation time.
#include "schema_loader.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using refbridge::codegen::load_api;

namespace {

fs::path write_spec(const std::string& name, const std::string& schemas, const std::string& paths = "{}") {
  const fs::path dir = fs::temp_directory_path() / ("refbridge-validate-loader-test-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "spec.yaml") << "openapi: 3.1.0\n"
                                      "info: {title: T, version: '1'}\n"
                                      "paths: " + paths + "\n"
                                      "components:\n"
                                      "  schemas:\n" + schemas;
  return dir;
}

}  // namespace

TEST_CASE("an invalid pattern is reported at its position", "[loader][validate]") {
  const auto dir = write_spec("badpattern",
                              "    A:\n"
                              "      type: object\n"
                              "      description: a\n"
                              "      properties:\n"
                              "        b: {type: string, pattern: '^[0-9', description: b}\n");
  auto api = load_api(dir, "spec.yaml", "t", "refbridge::t");
  REQUIRE_FALSE(api);
  CHECK_THAT(api.error().message,
             Catch::StartsWith("spec.yaml:10:36: pattern is not a valid ECMAScript regular expression for std::regex: "));
}

TEST_CASE("constraints and x-refbridge-lowercase reach the IR", "[loader][validate]") {
  const auto dir = write_spec("constraints",
                              "    A:\n"
                              "      type: object\n"
                              "      description: a\n"
                              "      properties:\n"
                              "        id: {type: string, format: uuid, x-refbridge-lowercase: true, description: i}\n"
                              "        n: {type: [integer, 'null'], format: int32, minimum: 0, maximum: 10, description: n}\n"
                              "        s: {type: string, pattern: '^a+$', minLength: 1, maxLength: 3, description: s}\n",
                              "\n"
                              "  /a:\n"
                              "    get:\n"
                              "      operationId: listA\n"
                              "      description: l\n"
                              "      parameters:\n"
                              "        - {name: per, in: query, description: p, schema: {type: integer, format: int32, minimum: 1, maximum: 1000}}\n"
                              "      responses:\n"
                              "        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}\n");
  auto api = load_api(dir, "spec.yaml", "t", "refbridge::t");
  INFO((api ? std::string() : api.error().message));
  REQUIRE(api);
  const auto& m = api.value().models(0);
  REQUIRE(m.fields_size() == 3);
  CHECK(m.fields(0).lowercase());
  CHECK(m.fields(0).type().format() == "uuid");
  CHECK(m.fields(1).has_minimum());
  CHECK(m.fields(1).minimum() == 0);
  CHECK(m.fields(1).maximum() == 10);
  CHECK(m.fields(2).pattern() == "^a+$");
  CHECK(m.fields(2).min_length() == 1);
  CHECK(m.fields(2).max_length() == 3);
  CHECK_FALSE(m.fields(2).lowercase());
  const auto& p = api.value().operations(0).parameters(0);
  CHECK(p.has_minimum());
  CHECK(p.minimum() == 1);
  CHECK(p.has_maximum());
  CHECK(p.maximum() == 1000);
}
