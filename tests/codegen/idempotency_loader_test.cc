// Operation idempotency in the IR (codegen/ir.proto Operation.idempotent): derived from the method,
// a keyed PATCH, or the `x-refbridge-idempotent` extension; and the real schemas' decisions that
// the generated clients pass to the retry loop (sdk/include/refbridge/retry.h).
#include "schema_loader.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace fs = std::filesystem;
using refbridge::codegen::load_api;

namespace {

fs::path write_spec(const std::string& name, const std::string& paths) {
  const fs::path dir = fs::temp_directory_path() / ("refbridge-codegen-idempotency-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "spec.yaml") << "openapi: 3.1.0\n"
                                      "info: {title: T, version: '1'}\n"
                                      "paths:\n" +
                                          paths;
  return dir;
}

std::string op(const std::string& method, const std::string& id, const std::string& extra = "") {
  return "    " + method + ": {operationId: " + id + ", description: d, " + extra +
         "responses: {'204': {description: done}}}\n";
}

const char* kIdParam = "    parameters: [{name: id, in: path, required: true, description: i, schema: {type: string}}]\n";

// operationId -> (idempotent, source) of every operation of `api`.
template <class Api>
std::map<std::string, std::pair<bool, std::string>> decisions(const Api& api) {
  std::map<std::string, std::pair<bool, std::string>> out;
  for (const auto& o : api.operations()) out[o.operation_id()] = {o.idempotent(), o.idempotency_source()};
  return out;
}

}  // namespace

TEST_CASE("idempotency comes from the method, a keyed PATCH or x-refbridge-idempotent", "[loader][idempotency]") {
  const auto dir = write_spec("rules", "  /things:\n" + op("get", "listThings") + op("post", "createThing") +
                                           op("patch", "patchAll") +
                                           "  /things/{id}:\n" + kIdParam + op("patch", "patchThing") +
                                           op("put", "putThing") + op("delete", "deleteThing") +
                                           "  /ingest:\n" + op("post", "ingest", "x-refbridge-idempotent: true, ") +
                                           "  /append/{id}:\n" + kIdParam +
                                           op("patch", "appendThing", "x-refbridge-idempotent: false, "));
  auto api = load_api(dir, "spec.yaml", "t", "refbridge::t");
  REQUIRE(api);
  const auto d = decisions(api.value());
  using P = std::pair<bool, std::string>;
  CHECK(d.at("listThings") == P{true, "GET"});
  CHECK(d.at("putThing") == P{true, "PUT"});
  CHECK(d.at("deleteThing") == P{true, "DELETE"});
  CHECK(d.at("patchThing") == P{true, "keyed PATCH"});
  CHECK(d.at("patchAll") == P{false, "PATCH"});
  CHECK(d.at("createThing") == P{false, "POST"});
  CHECK(d.at("ingest") == P{true, "x-refbridge-idempotent"});
  CHECK(d.at("appendThing") == P{false, "x-refbridge-idempotent"});
}

TEST_CASE("x-refbridge-idempotent must be a boolean, reported with its location", "[loader][idempotency]") {
  const auto dir = write_spec("bad", "  /ingest:\n" + op("post", "ingest", "x-refbridge-idempotent: maybe, "));
  auto api = load_api(dir, "spec.yaml", "t", "refbridge::t");
  REQUIRE_FALSE(api);
  CHECK_THAT(api.error().message, Catch::Contains("spec.yaml:5:") && Catch::Contains("x-refbridge-idempotent must be true or false"));
}

TEST_CASE("PING ingestion and keyed status updates may be repeated, Primero case and referral creation may not",
          "[loader][idempotency]") {
  const fs::path root = REFBRIDGE_SOURCE_DIR;
  auto ping = load_api(root, "schemas/ping/openapi.yaml", "ping", "refbridge::ping");
  auto primero = load_api(root, "schemas/primero/openapi.yaml", "primero", "refbridge::primero");
  REQUIRE(ping);
  REQUIRE(primero);
  const auto p = decisions(ping.value());
  CHECK(p.at("ingestReferrals").first);
  CHECK(p.at("ingestReferralDecisions").first);
  CHECK(p.at("updateTransferStatus").first);
  CHECK(p.at("updateSyncStatus").first);
  CHECK(p.at("getIngestionTransaction").first);
  const auto m = decisions(primero.value());
  CHECK_FALSE(m.at("createCase").first);
  CHECK_FALSE(m.at("createCaseReferral").first);
  CHECK(m.at("updateCase").first);
  CHECK(m.at("updateCaseReferral").first);
  CHECK(m.at("listCases").first);
}
