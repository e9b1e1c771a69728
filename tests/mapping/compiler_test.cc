// The mapping compiler (codegen/src/mapping_compiler.h): every generation-time check has a broken
// spec under tests/mapping/broken/ (each a one-change variant of base.yaml) and its exact
// diagnostic "file:line:col: message"; and the committed generated/mappings/ is up to date.
#include "mapping_compiler.h"
#include "mapping_diagnostics.h"
#include "schema_loader.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using refbridge::codegen::generate_mapping;

namespace {

const std::filesystem::path kRoot = REFBRIDGE_SOURCE_DIR;

const std::map<std::string, refbridge::codegen::ir::Api>& apis() {
  static const auto all = [] {
    std::map<std::string, refbridge::codegen::ir::Api> m;
    auto ping = refbridge::codegen::load_api(kRoot, "schemas/ping/openapi.yaml", "ping", "refbridge::ping");
    if (!ping) FAIL(ping.error().message);
    auto primero = refbridge::codegen::load_api(kRoot, "schemas/primero/openapi.yaml", "primero", "refbridge::primero");
    if (!primero) FAIL(primero.error().message);
    auto t = refbridge::codegen::load_api(kRoot, "tests/mapping/broken/target_api.yaml", "t", "refbridge::t");
    if (!t) FAIL(t.error().message);
    m.emplace("ping", std::move(ping).value());
    m.emplace("primero", std::move(primero).value());
    m.emplace("t", std::move(t).value());
    return m;
  }();
  return all;
}

std::string diagnostics(const std::string& spec, const std::string& profile = "tests/mapping/broken/profile.yaml") {
  auto r = generate_mapping(kRoot, "tests/mapping/broken/" + spec, profile, "out", apis());
  if (r) return "(no error)";
  return r.error().message;
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("the base spec of the broken variants compiles") {
  auto r = generate_mapping(kRoot, "tests/mapping/broken/base.yaml", "tests/mapping/broken/profile.yaml", "out", apis());
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r);
  REQUIRE(r.value().size() == 2);
  CHECK(r.value()[0].path == "out/base_mapping.cc");
  CHECK(r.value()[1].path == "out/base_mapping.h");
}

TEST_CASE("unknown source path") {
  CHECK(diagnostics("unknown_source_path.yaml") ==
        "tests/mapping/broken/unknown_source_path.yaml:13:14: No property named 'progres_idd' exists in source model "
        "ping.Individual (path 'individual.progres_idd'). Did you mean 'progres_id'?");
}

TEST_CASE("unknown target path") {
  CHECK(diagnostics("unknown_target_path.yaml") ==
        "tests/mapping/broken/unknown_target_path.yaml:15:3: No property named 'notes' exists in target model "
        "t.Record (target 'notes'). Did you mean 'note'?");
}

TEST_CASE("required target member not mapped") {
  CHECK(diagnostics("unmapped_required.yaml") ==
        "tests/mapping/broken/unmapped_required.yaml:6:9: Unmapped target property 'born' (t.Record.born is required).");
}

TEST_CASE("type mismatch without a conversion") {
  CHECK(diagnostics("type_mismatch.yaml") ==
        "tests/mapping/broken/type_mismatch.yaml:14:16: Can't map source 'individual.progres_dateofbirth' "
        "(refbridge::DateTime) to target 'born' (refbridge::CalendarDate): the types differ. Declare a conversion "
        "under 'conversions:' and use 'convert:'.");
}

TEST_CASE("optional source into a required target without default or require") {
  CHECK(diagnostics("optional_to_required.yaml") ==
        "tests/mapping/broken/optional_to_required.yaml:13:14: Source 'individual.progres_givenname' is optional but "
        "target 'id' (std::string) is required: add a default, or list the source under 'require:'.");
}

TEST_CASE("lookup table missing from the profile") {
  CHECK(diagnostics("missing_table.yaml") ==
        "tests/mapping/broken/missing_table.yaml:8:3: lookup table 'sexe' does not exist in profile 'test' "
        "(tests/mapping/broken/profile.yaml). Did you mean 'sex'?");
}

TEST_CASE("lookup value not valid for the target's enum (reported at the profile entry)") {
  CHECK(diagnostics("bad_enum_value.yaml", "tests/mapping/broken/bad_enum_profile.yaml") ==
        "tests/mapping/broken/bad_enum_profile.yaml:9:20: lookup 'sex' entry '125080001': value 'mal' is not a valid "
        "value of t.Record.kind (allowed: female, male). Did you mean 'male'?");
}

TEST_CASE("misspelt keys and undeclared conversions are reported with a suggestion") {
  CHECK(diagnostics("key_typo.yaml") ==
        "tests/mapping/broken/key_typo.yaml:13:8: unknown key 'form' in rule 'id' (expected one of: from, const, "
        "literal, lookup, convert, join, when, omit_empty, default, description). Did you mean 'from'?");
  CHECK(diagnostics("unknown_conversion.yaml") ==
        "tests/mapping/broken/unknown_conversion.yaml:14:3: conversion 'progres_dob' is not declared under "
        "'conversions:'.");
}

TEST_CASE("did-you-mean uses edit distance and stays quiet for far-off names") {
  using refbridge::codegen::mapping_detail::did_you_mean;
  using refbridge::codegen::mapping_detail::edit_distance;
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(did_you_mean("progres_dateofbrith", {"progres_id", "progres_dateofbirth"}) == " Did you mean 'progres_dateofbirth'?");
  CHECK(did_you_mean("zzz", {"progres_id"}).empty());
}

TEST_CASE("generated/mappings is what the compiler produces (mapping drift)") {
  auto r = generate_mapping(kRoot, "schemas/mappings/progres-referral-to-primero-case.yaml",
                            "schemas/profiles/gambella.yaml", "generated/mappings", apis());
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r);
  for (const auto& f : r.value()) {
    INFO(f.path);
    CHECK(read(kRoot / f.path) == f.content);
  }
  // Deterministic: a second run is byte-identical.
  auto again = generate_mapping(kRoot, "schemas/mappings/progres-referral-to-primero-case.yaml",
                                "schemas/profiles/gambella.yaml", "generated/mappings", apis());
  REQUIRE(again);
  for (std::size_t i = 0; i < r.value().size(); ++i) CHECK(again.value()[i].content == r.value()[i].content);
}
