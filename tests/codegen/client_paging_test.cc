// x-refbridge-paging: the loader reads it into the IR and rejects every inconsistency with
// file:line:col (codegen/src/paging.h); the real schemas mark listCases and listOutgoingReferrals.
#include "schema_loader.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using refbridge::codegen::load_api;
namespace ir = refbridge::codegen::ir;

namespace {

fs::path write_spec(const std::string& name, const std::string& paging, const std::string& params) {
  const fs::path dir = fs::temp_directory_path() / ("refbridge-codegen-paging-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "spec.yaml") << "openapi: 3.1.0\n"
                                      "info: {title: T, version: '1'}\n"
                                      "paths:\n"
                                      "  /things:\n"
                                      "    get:\n"
                                      "      operationId: listThings\n"
                                      "      description: d\n"
                                      "      x-refbridge-paging: " << paging << "\n"
                                      "      parameters:\n" << params <<
                                      "      responses:\n"
                                      "        '200':\n"
                                      "          description: d\n"
                                      "          content:\n"
                                      "            application/json:\n"
                                      "              schema: {$ref: '#/components/schemas/Page'}\n"
                                      "components:\n"
                                      "  schemas:\n"
                                      "    Meta:\n"
                                      "      type: object\n"
                                      "      description: m\n"
                                      "      required: [total]\n"
                                      "      properties:\n"
                                      "        total: {type: integer, format: int64, description: t}\n"
                                      "    Page:\n"
                                      "      type: object\n"
                                      "      description: p\n"
                                      "      required: [things]\n"
                                      "      properties:\n"
                                      "        things: {type: array, items: {type: string}, description: t}\n"
                                      "        meta: {$ref: '#/components/schemas/Meta', description: m}\n"
                                      "        next: {type: [string, 'null'], description: n}\n";
  return dir;
}

const char* kNumberParams =
    "        - {name: page, in: query, description: p, schema: {type: integer, format: int32}}\n"
    "        - {name: per, in: query, description: p, schema: {type: integer, format: int32}}\n";
const char* kTokenParams = "        - {name: token, in: query, description: t, schema: {type: string}}\n";

}  // namespace

TEST_CASE("valid paging extensions land in the IR", "[paging]") {
  auto number = load_api(write_spec("number", "{style: page-number, page: page, per: per, items: things, total: meta.total}",
                                    kNumberParams),
                         "spec.yaml", "t", "refbridge::t");
  INFO((number ? std::string() : number.error().message));
  REQUIRE(number);
  const ir::Paging& p = number.value().operations(0).paging();
  CHECK(p.style() == ir::Paging::PAGE_NUMBER);
  CHECK(p.page() == "page");
  CHECK(p.per() == "per");
  CHECK(p.items() == "things");
  CHECK(p.total() == "meta.total");
  CHECK(p.location().line() == 8);

  auto token = load_api(write_spec("token", "{style: page-token, token: token, next: next, items: things}", kTokenParams),
                        "spec.yaml", "t", "refbridge::t");
  INFO((token ? std::string() : token.error().message));
  REQUIRE(token);
  CHECK(token.value().operations(0).paging().style() == ir::Paging::PAGE_TOKEN);
  CHECK(token.value().operations(0).paging().next() == "next");
}

TEST_CASE("inconsistent paging extensions are errors with positions", "[paging]") {
  auto load = [](const std::string& name, const std::string& paging, const std::string& params) {
    auto api = load_api(write_spec(name, paging, params), "spec.yaml", "t", "refbridge::t");
    REQUIRE_FALSE(api);
    return api.error().message;
  };
  CHECK(load("style", "{style: cursor, items: things}", kTokenParams) ==
        "spec.yaml:8:27: x-refbridge-paging: `style` must be page-number or page-token");
  CHECK(load("key", "{style: page-token, token: token, next: next, items: things, per: per}", kTokenParams) ==
        "spec.yaml:8:88: x-refbridge-paging: unknown key 'per' for style page-token");
  CHECK(load("missing", "{style: page-token, token: token, items: things}", kTokenParams) ==
        "spec.yaml:8:27: x-refbridge-paging: missing 'next' (style page-token)");
  CHECK(load("param", "{style: page-token, token: cursor, next: next, items: things}", kTokenParams) ==
        "spec.yaml:8:27: x-refbridge-paging of 'listThings': token 'cursor' is not a query parameter of the operation");
  CHECK(load("path", "{style: page-number, page: page, per: per, items: things, total: meta.count}", kNumberParams) ==
        "spec.yaml:8:27: x-refbridge-paging of 'listThings': total 'meta.count' is not a member path of Page");
  CHECK(load("items", "{style: page-token, token: token, next: next, items: next}", kTokenParams) ==
        "spec.yaml:8:27: x-refbridge-paging of 'listThings': items 'next' must be an array");
  CHECK(load("int", "{style: page-number, page: page, per: per, items: things, total: next}", kNumberParams) ==
        "spec.yaml:8:27: x-refbridge-paging of 'listThings': total 'next' must be an integer");
  CHECK(load("tokentype", "{style: page-token, token: page, next: next, items: things}", kNumberParams) ==
        "spec.yaml:8:27: x-refbridge-paging of 'listThings': token 'page' must be an optional string parameter");
}

TEST_CASE("the shipped schemas mark exactly the list operations as pageable", "[paging]") {
  auto primero = load_api(REFBRIDGE_SOURCE_DIR, "schemas/primero/openapi.yaml", "primero", "refbridge::primero");
  auto ping = load_api(REFBRIDGE_SOURCE_DIR, "schemas/ping/openapi.yaml", "ping", "refbridge::ping");
  REQUIRE(primero);
  REQUIRE(ping);
  for (const auto& op : primero.value().operations()) {
    CHECK((op.paging().style() == ir::Paging::PAGE_NUMBER) ==
          (op.operation_id() == "listCases" || op.operation_id() == "listUsers" || op.operation_id() == "listLookups"));
  }
  for (const auto& op : ping.value().operations()) {
    CHECK((op.paging().style() == ir::Paging::PAGE_TOKEN) ==
          (op.operation_id() == "listOutgoingReferrals" || op.operation_id() == "listReferralDecisions"));
  }
}
