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
    auto src = refbridge::codegen::load_api(kRoot, "tests/mapping/broken/source_api.yaml", "s", "refbridge::s");
    if (!src) FAIL(src.error().message);
    m.emplace("s", std::move(src).value());
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
        "tests/mapping/broken/type_mismatch.yaml:14:16: Can't map source 'individual.progres_sex' "
        "(std::string) to target 'born' (refbridge::CalendarDate): the types differ. Declare a conversion "
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
        "literal, lookup, convert, join, when, omit_empty, default, lossy, description). Did you mean 'from'?");
  CHECK(diagnostics("unknown_conversion.yaml") ==
        "tests/mapping/broken/unknown_conversion.yaml:14:3: conversion 'progres_dob' is not declared under "
        "'conversions:'.");
}

// ---- lossy conversions, total lookups, strictness (tests/mapping/broken/strict_*.yaml over the
// enum/int64/date-time source API source_api.yaml and strict_profile.yaml) ----

static std::string strict_diagnostics(const std::string& spec) {
  return diagnostics(spec, "tests/mapping/broken/strict_profile.yaml");
}

TEST_CASE("the strict base spec compiles (total enum lookup, declared narrowing, ignored source)") {
  auto r = generate_mapping(kRoot, "tests/mapping/broken/strict_base.yaml", "tests/mapping/broken/strict_profile.yaml",
                            "out", apis());
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r);
  const std::string& cc = r.value()[0].content;
  // lossy: narrowing rejects out-of-range values instead of wrapping them.
  CHECK(cc.find("if (*src_person_visits < INT32_MIN || *src_person_visits > INT32_MAX) {") != std::string::npos);
  CHECK(cc.find("static_cast<std::int32_t>(*src_person_visits)") != std::string::npos);
  // A total lookup rejects a wire value the enum does not list (OpenEnum keeps unknown text).
  CHECK(cc.find("total over the enum (unlisted = reject)") != std::string::npos);
}

TEST_CASE("lossy: int64 into int32 without 'lossy: narrowing'") {
  CHECK(strict_diagnostics("strict_narrowing.yaml") ==
        "tests/mapping/broken/strict_narrowing.yaml:18:17: Lossy conversion from source 'person.visits' (std::int64_t) "
        "to target 'count' (std::int32_t): int64 -> int32 narrows. Declare it with 'lossy: narrowing' (out-of-range "
        "values are then rejected at run time) or use a declared conversion.");
}

TEST_CASE("lossy: 'lossy: narrowing' on a copy that does not narrow") {
  CHECK(strict_diagnostics("strict_lossy_not_narrowing.yaml") ==
        "tests/mapping/broken/strict_lossy_not_narrowing.yaml:15:32: 'lossy: narrowing' declared, but source "
        "'person.id' (std::string) into target 'id' (std::string) does not narrow; remove it.");
}

TEST_CASE("lossy: date-time into date without a declared conversion") {
  CHECK(strict_diagnostics("strict_lossy_date.yaml") ==
        "tests/mapping/broken/strict_lossy_date.yaml:16:16: Lossy conversion from source 'person.seen_at' "
        "(refbridge::DateTime) to target 'born' (refbridge::CalendarDate): a date-time's time of day and offset "
        "decide the calendar date. Declare a conversion under 'conversions:' and use 'convert:'.");
}

TEST_CASE("lookup over an enum source that is not total, without on_missing") {
  CHECK(strict_diagnostics("strict_lookup_not_total.yaml") ==
        "tests/mapping/broken/strict_lookup_not_total.yaml:17:3: Lookup 'gender_partial' is not total over enum "
        "source 'person.sex' (refbridge::OpenEnum<s::Sex>): profile 'strict' has no entry for 'M'. Add the entries, "
        "or state on_missing: default (with a table default), omit or reject.");
}

TEST_CASE("lookup over a string source without on_missing") {
  CHECK(diagnostics("lookup_needs_on_missing.yaml") ==
        "tests/mapping/broken/lookup_needs_on_missing.yaml:15:3: lookup 'sex' needs on_missing: omit, default or "
        "reject: source 'individual.progres_sex' (std::string) is not an enum, so no table can cover every value.");
}

TEST_CASE("strict: unused lookup entry (reported at the profile entry)") {
  CHECK(strict_diagnostics("strict_unused_lookup_entry.yaml") ==
        "tests/mapping/broken/strict_profile.yaml:18:10: Unused lookup entry 'f' in table 'gender_typo' of profile "
        "'strict': source 'person.sex' (refbridge::OpenEnum<s::Sex>) only takes F, M (strict: "
        "unused_lookup_entries). Did you mean 'F'?");
}

TEST_CASE("strict: unused source member") {
  CHECK(strict_diagnostics("strict_unused_source.yaml") ==
        "tests/mapping/broken/strict_unused_source.yaml:6:3: Unused source property 'person.nickname' "
        "(s.Person.nickname) is read by no rule, require or gate: map it, or list it under 'ignore_sources:' with a "
        "reason (strict: unused_sources).");
}

TEST_CASE("ignore_sources must not list a member that is read") {
  CHECK(strict_diagnostics("strict_ignored_but_read.yaml") ==
        "tests/mapping/broken/strict_ignored_but_read.yaml:14:3: ignore_sources lists 'person.id', which a rule, "
        "require or gate reads; remove it from ignore_sources.");
}

TEST_CASE("the checks run against every profile listed (profiles: [a, b])") {
  const std::vector<std::string> both = {"tests/mapping/broken/profile.yaml", "tests/mapping/broken/bad_enum_profile.yaml"};
  auto r = generate_mapping(kRoot, "tests/mapping/broken/base.yaml", both, "out", apis());
  REQUIRE_FALSE(r);
  CHECK(r.error().message ==
        "tests/mapping/broken/bad_enum_profile.yaml:9:20: lookup 'sex' entry '125080001': value 'mal' is not a valid "
        "value of t.Record.kind (allowed: female, male). Did you mean 'male'?");
  // Each profile alone: the first passes; the output names every profile checked.
  auto ok = generate_mapping(kRoot, "tests/mapping/broken/base.yaml",
                             std::vector<std::string>{"tests/mapping/broken/profile.yaml"}, "out", apis());
  REQUIRE(ok);
  CHECK(ok.value()[1].content.find("(profile checked at generation: tests/mapping/broken/profile.yaml)") !=
        std::string::npos);
  // A spec-located problem is reported once, not once per profile.
  auto twice = generate_mapping(kRoot, "tests/mapping/broken/unknown_target_path.yaml",
                                std::vector<std::string>{"tests/mapping/broken/profile.yaml",
                                                         "tests/mapping/broken/profile.yaml"},
                                "out", apis());
  REQUIRE_FALSE(twice);
  CHECK(twice.error().message == diagnostics("unknown_target_path.yaml"));
}

TEST_CASE("the 1.1 spec compiles in strict mode against both shipped profiles") {
  const std::vector<std::string> both = {"schemas/profiles/gambella.yaml", "schemas/profiles/example-country.yaml"};
  auto r = generate_mapping(kRoot, "schemas/mappings/progres-referral-to-primero-case.yaml", both, "generated/mappings",
                            apis());
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r);
}

// ---- lookup join / passthrough, join parts that are lookups, conditional rules, unconfirmed
// profile entries (tests/mapping/broken/join_parts_base.yaml and the one-change variants) ----

TEST_CASE("join parts may be lookups (passthrough) and rules may depend on an earlier target member") {
  auto r = generate_mapping(kRoot, "tests/mapping/broken/join_parts_base.yaml", "tests/mapping/broken/profile.yaml",
                            "out", apis());
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r);
  const std::string& cc = r.value()[0].content;
  // when: {target: kind, equals: female} on an optional enum member.
  CHECK(cc.find("if ((result.kind && result.kind->text() == \"female\")) {") != std::string::npos);
  // The lookup part: unknown keys pass through unchanged; an absent key leaves the part out.
  CHECK(cc.find("looked_up_0 = (lt_sex->contains(*src_individual_progres_sex) ? "
                "lt_sex->entries.at(*src_individual_progres_sex) : *src_individual_progres_sex);") != std::string::npos);
  CHECK(cc.find("for (const std::string* part : {part_0, src_individual_progres_givenname}) {") != std::string::npos);
  // Every transform lists the unconfirmed entries of the tables it uses.
  CHECK(cc.find("static constexpr std::string_view kTables[] = {\"sex\"};") != std::string::npos);
}

TEST_CASE("lookup join over a path that yields one value") {
  CHECK(diagnostics("lookup_join_single.yaml") ==
        "tests/mapping/broken/lookup_join_single.yaml:16:3: lookup join applies to paths through a list (the results "
        "joined into one string); 'individual.progres_sex' yields one value");
}

TEST_CASE("on_missing: passthrough into an enum target") {
  CHECK(diagnostics("lookup_passthrough_enum.yaml") ==
        "tests/mapping/broken/lookup_passthrough_enum.yaml:15:3: on_missing: passthrough copies an unknown key "
        "unchanged, so the source and the target must both be plain strings; target 'kind' "
        "(refbridge::OpenEnum<t::RecordKind>) is not one. Use omit, default or reject.");
}

TEST_CASE("when: a target member no earlier rule sets") {
  CHECK(diagnostics("when_not_earlier.yaml") ==
        "tests/mapping/broken/when_not_earlier.yaml:16:61: when: target 'kindd' is not set by an earlier rule (a "
        "condition reads a target member that a rule above it sets). Did you mean 'kind'?");
}

TEST_CASE("when: a value outside the target member's enum") {
  CHECK(diagnostics("when_bad_value.yaml") ==
        "tests/mapping/broken/when_bad_value.yaml:16:52: when: equals value 'femal' is not a valid value of "
        "t.Record.kind (allowed: female, male). Did you mean 'female'?");
}

TEST_CASE("when: a conditional rule on a required target member") {
  CHECK(diagnostics("when_required_target.yaml") ==
        "tests/mapping/broken/when_required_target.yaml:17:11: 'when: {target: kind, equals: female}' would leave "
        "required target 'born' (refbridge::CalendarDate) unset when the condition fails");
}

TEST_CASE("profile: an unconfirmed key that is not an entry of its table") {
  CHECK(diagnostics("base.yaml", "tests/mapping/broken/unconfirmed_profile.yaml") ==
        "tests/mapping/broken/unconfirmed_profile.yaml:11:14: lookup 'sex' marks '125080009' unconfirmed, but it is "
        "not an entry of the table. Did you mean '125080000'?");
}

TEST_CASE("the 1.2, 2.1 and 2.2 specs compile in strict mode against both shipped profiles") {
  const std::vector<std::string> both = {"schemas/profiles/gambella.yaml", "schemas/profiles/example-country.yaml"};
  for (const char* spec : {"schemas/mappings/primero-decision-to-progres.yaml", "schemas/mappings/primero-referral-to-progres.yaml",
                           "schemas/mappings/progres-decision-to-primero-referral.yaml"}) {
    auto r = generate_mapping(kRoot, spec, both, "generated/mappings", apis(), "refbridge");
    INFO(spec << ": " << (r ? std::string() : r.error().message));
    REQUIRE(r);
  }
}

TEST_CASE("did-you-mean uses edit distance and stays quiet for far-off names") {
  using refbridge::codegen::mapping_detail::did_you_mean;
  using refbridge::codegen::mapping_detail::edit_distance;
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(did_you_mean("progres_dateofbrith", {"progres_id", "progres_dateofbirth"}) == " Did you mean 'progres_dateofbirth'?");
  CHECK(did_you_mean("zzz", {"progres_id"}).empty());
}

TEST_CASE("generated/mappings is what the compiler produces (mapping drift)") {
  // As schemas/codegen.yaml lists them: each checked against both shipped profiles.
  const std::vector<std::string> profiles = {"schemas/profiles/gambella.yaml", "schemas/profiles/example-country.yaml"};
  for (const char* spec :
       {"schemas/mappings/progres-referral-to-primero-case.yaml", "schemas/mappings/primero-decision-to-progres.yaml",
        "schemas/mappings/primero-referral-to-progres.yaml", "schemas/mappings/progres-decision-to-primero-referral.yaml"}) {
    INFO(spec);
    auto r = generate_mapping(kRoot, spec, profiles, "generated/mappings", apis(), "refbridge");
    INFO((r ? std::string() : r.error().message));
    REQUIRE(r);
    for (const auto& f : r.value()) {
      INFO(f.path);
      CHECK(read(kRoot / f.path) == f.content);
    }
    // Deterministic: a second run is byte-identical.
    auto again = generate_mapping(kRoot, spec, profiles, "generated/mappings", apis(), "refbridge");
    REQUIRE(again);
    for (std::size_t i = 0; i < r.value().size(); ++i) CHECK(again.value()[i].content == r.value()[i].content);
  }
}
