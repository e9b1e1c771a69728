// Schema loader: validation diagnostics carry file:line:col; $ref resolution (local and other file).
#include "schema_loader.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using refbridge::codegen::load_api;

namespace {

// A fresh directory under the system temp dir holding `files` (name -> text).
fs::path write_tree(const std::string& name, const std::vector<std::pair<std::string, std::string>>& files) {
  const fs::path dir = fs::temp_directory_path() / ("refbridge-codegen-test-" + name);
  fs::remove_all(dir);
  for (const auto& [rel, text] : files) {
    fs::create_directories((dir / rel).parent_path());
    std::ofstream(dir / rel) << text;
  }
  return dir;
}

const char* kHead =
    "openapi: 3.1.0\n"
    "info: {title: T, version: '1'}\n"
    "components:\n"
    "  schemas:\n";

}  // namespace

TEST_CASE("unknown $ref is reported with file:line:col", "[loader]") {
  const auto dir = write_tree("badref", {{"api/spec.yaml", std::string(kHead) +
                                                             "    A:\n"
                                                             "      type: object\n"
                                                             "      description: a\n"
                                                             "      properties:\n"
                                                             "        b: {$ref: '#/components/schemas/Nope', description: b}\n"}});
  auto api = load_api(dir, "api/spec.yaml", "t", "refbridge::t");
  REQUIRE_FALSE(api);
  CHECK(api.error().code == refbridge::ErrorCode::kInvalidInput);
  CHECK(api.error().message == "api/spec.yaml:9:19: unknown $ref '#/components/schemas/Nope': no schema 'Nope' in components.schemas");
}

TEST_CASE("unsupported constructs and missing descriptions are errors, all reported at once", "[loader]") {
  const auto dir = write_tree("unsupported", {{"spec.yaml", std::string(kHead) +
                                                              "    A:\n"
                                                              "      type: object\n"
                                                              "      properties:\n"
                                                              "        b:\n"
                                                              "          description: b\n"
                                                              "          oneOf: [{type: string}, {type: integer}]\n"
                                                              "        c: {type: string}\n"
                                                              "        d: {type: object, description: d, properties: {e: {type: string}}}\n"}});
  auto api = load_api(dir, "spec.yaml", "t", "refbridge::t");
  REQUIRE_FALSE(api);
  const std::string& m = api.error().message;
  CHECK_THAT(m, Catch::Contains("spec.yaml:5:5: schema 'A' has no description"));
  CHECK_THAT(m, Catch::Contains("spec.yaml:10:18: oneOf without a discriminator is not supported"));
  CHECK_THAT(m, Catch::Contains("spec.yaml:11:9: property 'A.c' has no description"));
  CHECK_THAT(m, Catch::Contains("inline object schemas are not supported"));
}

TEST_CASE("relative-file $ref pulls the schema in, nullable refs and enums resolve", "[loader]") {
  const auto dir = write_tree("fileref", {{"a/spec.yaml", std::string(kHead) +
                                                            "    A:\n"
                                                            "      type: object\n"
                                                            "      description: a\n"
                                                            "      required: [ref]\n"
                                                            "      properties:\n"
                                                            "        ref: {$ref: '../common/types.yaml#/components/schemas/Ref', description: r}\n"
                                                            "        maybe:\n"
                                                            "          anyOf: [{$ref: '../common/types.yaml#/components/schemas/Ref'}, {type: 'null'}]\n"
                                                            "          description: m\n"},
                                           {"common/types.yaml", std::string(kHead) +
                                                                   "    Ref:\n"
                                                                   "      type: object\n"
                                                                   "      description: r\n"
                                                                   "      properties:\n"
                                                                   "        kind: {$ref: '#/components/schemas/Kind', description: k}\n"
                                                                   "    Kind:\n"
                                                                   "      type: string\n"
                                                                   "      description: k\n"
                                                                   "      enum: [x, y]\n"}});
  auto api = load_api(dir, "a/spec.yaml", "t", "refbridge::t");
  INFO((api ? std::string() : api.error().message));
  REQUIRE(api);
  REQUIRE(api.value().models_size() == 3);  // A, Kind, Ref (sorted)
  CHECK(api.value().models(0).name() == "A");
  CHECK(api.value().models(1).name() == "Kind");
  CHECK(api.value().models(1).is_enum());
  CHECK(api.value().models(2).location().file() == "common/types.yaml");
  const auto& maybe = api.value().models(0).fields(1);
  CHECK(maybe.nullable());
  CHECK(maybe.type().kind() == refbridge::codegen::ir::TypeRef::MODEL);
  CHECK(api.value().source_files_size() == 2);
}

TEST_CASE("the PING and Primero schemas load", "[loader]") {
  const fs::path root = fs::path(REFBRIDGE_GOLDEN_DIR) / "../../..";
  auto ping = load_api(root, "schemas/ping/openapi.yaml", "ping", "refbridge::ping");
  INFO((ping ? std::string() : ping.error().message));
  REQUIRE(ping);
  CHECK(ping.value().operations_size() == 12);  // getToken is documented but not generated
  auto primero = load_api(root, "schemas/primero/openapi.yaml", "primero", "refbridge::primero");
  INFO((primero ? std::string() : primero.error().message));
  REQUIRE(primero);
  CHECK(primero.value().operations_size() == 13);  // + getUser, listReferToUsers, listForms, listLookups
}
